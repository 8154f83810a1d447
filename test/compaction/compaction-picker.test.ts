/**
 * compaction-picker: level scores (L0 by file count, L1+ by bytes against base × multiplier^(n-1)), which level
 * and which files a pick takes (all of L0; one file round-robin above), the overlapping files below and the
 * grandparents, trivial-move detection, manual range picks, and deletion-triggered picks (which files, the
 * deletion-share threshold, unknown counts and snapshots). Versions are built with VersionBuilder so they
 * satisfy the invariants the db relies on.
 */
import { describe, expect, it } from 'vitest';
import { userKeyOf } from '../../src/base/internal-key.js';
import {
  DELETION_COMPACTION_RATIO,
  levelScores,
  maxBytesForLevel,
  pickCompaction,
  pickDeletionCompaction,
  pickRangeCompaction,
  userKeyRange,
  type LevelOptions,
} from '../../src/compaction/compaction-picker.js';
import { emptyEdit, type FileMeta } from '../../src/manifest/version-edit.js';
import { VersionBuilder } from '../../src/manifest/version-builder.js';
import { Version } from '../../src/manifest/version.js';
import { fm, numbers } from '../manifest/manifest-fixtures.js';

const MB = 1024 * 1024;
const opts: LevelOptions = {
  numLevels: 4,
  level0CompactionTrigger: 4,
  maxBytesForLevelBase: 10 * MB,
  levelMultiplier: 10,
  targetFileSize: 2 * MB,
};

/** A Version holding `files[level]`, built the way the VersionSet builds one. */
function version(files: FileMeta[][], numLevels = opts.numLevels): Version {
  const b = new VersionBuilder(Version.empty(numLevels));
  const edit = emptyEdit();
  files.forEach((fs, level) => fs.forEach((file) => edit.newFiles.push({ level, file })));
  b.apply(edit);
  return b.build();
}

const str = (u: Uint8Array): string => Buffer.from(u).toString();

describe('scores', () => {
  it('maxBytesForLevel: base for L0 and L1, ×10 per level below', () => {
    expect(maxBytesForLevel(opts, 0)).toBe(10 * MB);
    expect(maxBytesForLevel(opts, 1)).toBe(10 * MB);
    expect(maxBytesForLevel(opts, 2)).toBe(100 * MB);
    expect(maxBytesForLevel(opts, 3)).toBe(1000 * MB);
    expect(maxBytesForLevel({ ...opts, levelMultiplier: 4 }, 3)).toBe(160 * MB);
  });

  it('L0 scores files / trigger; L1+ bytes / target; the last level has no score', () => {
    const v = version([
      [fm(10, 'a', 'b'), fm(11, 'c', 'd')],
      [fm(1, 'a', 'f', 5 * MB)],
      [fm(2, 'a', 'f', 150 * MB)],
      [fm(3, 'a', 'f', 10_000 * MB)],
    ]);
    expect(levelScores(v, opts)).toEqual([0.5, 0.5, 1.5]);
  });

  it('nothing to do when every score is below 1', () => {
    const v = version([[fm(10, 'a', 'b'), fm(11, 'a', 'b'), fm(12, 'a', 'b')], [fm(1, 'a', 'z', 10 * MB - 1)], [], []]);
    expect(pickCompaction(v, opts, [])).toBeUndefined();
    expect(pickCompaction(Version.empty(4), opts, [])).toBeUndefined();
  });
});

describe('pickCompaction', () => {
  it('L0 at the trigger takes every L0 file (newest first) and the overlapping L1 files', () => {
    const v = version([
      [fm(20, 'c', 'e'), fm(21, 'a', 'b'), fm(22, 'd', 'g'), fm(23, 'x', 'y')],
      [fm(1, 'a', 'a'), fm(2, 'f', 'h'), fm(3, 'm', 'n'), fm(4, 'z', 'z')],
      [fm(5, 'a', 'b'), fm(6, 'h', 'k'), fm(7, 'p', 'q')],
      [],
    ]);
    const p = pickCompaction(v, opts, [])!;
    expect(p.level).toBe(0);
    expect(p.outputLevel).toBe(1);
    expect(p.score).toBe(1);
    expect(p.reason).toBe('size');
    expect(numbers(p.inputs[0])).toEqual([23, 22, 21, 20]);
    // L0 covers [a, y]: every L1 file in it, not 'z'.
    expect(numbers(p.inputs[1])).toEqual([1, 2, 3]);
    // Grandparents: L2 files overlapping [a, y] (the whole input range).
    expect(numbers(p.grandparents)).toEqual([5, 6, 7]);
    expect(p.trivialMove).toBe(false);
  });

  it('picks the level with the highest score', () => {
    const v = version([
      [fm(20, 'a', 'b'), fm(21, 'a', 'b'), fm(22, 'a', 'b'), fm(23, 'a', 'b'), fm(24, 'a', 'b')], // 1.25
      [fm(1, 'a', 'c', 8 * MB), fm(2, 'd', 'f', 8 * MB)], // 1.6
      [fm(3, 'a', 'z', 120 * MB)], // 1.2
      [],
    ]);
    const p = pickCompaction(v, opts, [])!;
    expect(p.level).toBe(1);
    expect(p.score).toBeCloseTo(1.6);
    expect(numbers(p.inputs[0])).toEqual([1]);
    expect(numbers(p.inputs[1])).toEqual([3]);
  });

  it('L1+ takes one file round-robin: the first whose largest key is past the pointer, wrapping to the start', () => {
    const l1 = [fm(1, 'a', 'c', 4 * MB), fm(2, 'e', 'g', 4 * MB), fm(3, 'i', 'k', 4 * MB)];
    const v = version([[], l1, [fm(9, 'f', 'j')], []]);
    const at = (pointer: FileMeta | undefined): number[] => {
      const pointers: Array<Uint8Array | undefined> = [];
      pointers[1] = pointer?.largest;
      return numbers(pickCompaction(v, opts, pointers)!.inputs[0]);
    };
    expect(at(undefined)).toEqual([1]);
    expect(at(l1[0])).toEqual([2]);
    expect(at(l1[1])).toEqual([3]);
    expect(at(l1[2])).toEqual([1]);
    // A pointer between files (the file it named is gone) goes to the next one.
    const pointers: Array<Uint8Array | undefined> = [undefined, fm(0, 'h', 'h').largest];
    expect(numbers(pickCompaction(v, opts, pointers)!.inputs[0])).toEqual([3]);
  });

  it('a single file with nothing below is a trivial move, at L0 too', () => {
    const one = version([[], [fm(1, 'a', 'c', 11 * MB)], [fm(2, 'x', 'z')], []]);
    const p = pickCompaction(one, opts, [])!;
    expect(p.trivialMove).toBe(true);
    expect(p.inputs[1]).toEqual([]);
    const l0 = pickCompaction(version([[fm(5, 'a', 'b')], [], [], []]), { ...opts, level0CompactionTrigger: 1 }, [])!;
    expect(l0.level).toBe(0);
    expect(l0.trivialMove).toBe(true);
  });

  it('not a trivial move when a file overlaps below, with two L0 inputs, or with too many grandparent bytes', () => {
    expect(pickCompaction(version([[], [fm(1, 'a', 'c', 11 * MB)], [fm(2, 'c', 'd')], []]), opts, [])!.trivialMove).toBe(false);
    const twoL0 = version([[fm(5, 'a', 'b'), fm(6, 'x', 'y')], [], [], []]);
    expect(pickCompaction(twoL0, { ...opts, level0CompactionTrigger: 2 }, [])!.trivialMove).toBe(false);
    // Grandparents (L3 under an L1 → L2 move) over 10 × targetFileSize: moving would make a later compaction huge.
    const heavy = version([[], [fm(1, 'a', 'c', 11 * MB)], [], [fm(3, 'a', 'b', 20 * MB + 1)]]);
    const p = pickCompaction(heavy, opts, [])!;
    expect(numbers(p.grandparents)).toEqual([3]);
    expect(p.trivialMove).toBe(false);
    const light = version([[], [fm(1, 'a', 'c', 11 * MB)], [], [fm(3, 'a', 'b', 20 * MB)]]);
    expect(pickCompaction(light, opts, [])!.trivialMove).toBe(true);
  });

  it('has no grandparents when the output is the last level', () => {
    const v = version([[], [], [fm(1, 'a', 'c', 101 * MB)], [fm(2, 'a', 'z')]]);
    const p = pickCompaction(v, opts, [])!;
    expect(p.level).toBe(2);
    expect(p.outputLevel).toBe(3);
    expect(numbers(p.inputs[1])).toEqual([2]);
    expect(p.grandparents).toEqual([]);
  });
});

describe('range picks and key ranges', () => {
  const v = version([
    [fm(30, 'a', 'c'), fm(31, 'b', 'f'), fm(32, 'p', 'q')],
    [fm(1, 'a', 'b'), fm(2, 'd', 'e'), fm(3, 'g', 'h')],
    [fm(4, 'a', 'z')],
    [],
  ]);

  it('takes the level files overlapping [lo, hi] (L0 transitively), never a trivial move', () => {
    const p = pickRangeCompaction(v, opts, 0, Buffer.from('a'), Buffer.from('a'))!;
    expect(p.reason).toBe('manual');
    expect(p.trivialMove).toBe(false);
    // 'a' hits 30 [a,c], which overlaps 31 [b,f]: both, and L1 files in [a, f].
    expect(numbers(p.inputs[0]).sort()).toEqual([30, 31]);
    expect(numbers(p.inputs[1])).toEqual([1, 2]);
    expect(numbers(p.grandparents)).toEqual([4]);
    const single = pickRangeCompaction(v, opts, 1, Buffer.from('g'), undefined)!;
    expect(numbers(single.inputs[0])).toEqual([3]);
    expect(single.trivialMove).toBe(false);
    expect(numbers(pickRangeCompaction(v, opts, 1, undefined, undefined)!.inputs[0])).toEqual([1, 2, 3]);
  });

  it('undefined when the level holds nothing in the range', () => {
    expect(pickRangeCompaction(v, opts, 1, Buffer.from('i'), Buffer.from('o'))).toBeUndefined();
    expect(pickRangeCompaction(v, opts, 3, undefined, undefined)).toBeUndefined();
  });

  it('userKeyRange spans every file by user key', () => {
    const [lo, hi] = userKeyRange([fm(1, 'k', 'm'), fm(2, 'c', 'd'), fm(3, 'e', 'x')]);
    expect([str(lo), str(hi)]).toEqual(['c', 'x']);
    const one = fm(4, 'q', 'q');
    expect(userKeyRange([one]).map(str)).toEqual(['q', 'q']);
    expect(str(userKeyOf(one.smallest))).toBe('q');
  });
});

describe('pickDeletionCompaction', () => {
  const withStats = (f: FileMeta, entries: number, deletions: number, maxSequence = 100): FileMeta => ({
    ...f,
    stats: { entries, deletions, maxSequence },
  });

  it('takes all of L0 and the overlapping L1 files when L0 deletions reach the share of every input entry', () => {
    // The shape after deleting half the keys: a flushed file of deletions over a level holding every key.
    const l0 = [withStats(fm(20, 'a', 'z'), 500, 500), withStats(fm(19, 'c', 'q'), 300, 0)];
    const l1 = [withStats(fm(10, 'a', 'h'), 1000, 0), withStats(fm(11, 'i', 'p'), 1000, 0), withStats(fm(12, 'x', 'y'), 1000, 0)];
    const v = version([l0, l1, [], []]);
    expect(pickCompaction(v, opts, [])).toBeUndefined();
    const pick = pickDeletionCompaction(v, opts, 1000)!;
    expect(pick).toMatchObject({ level: 0, outputLevel: 1, reason: 'deletions', trivialMove: false });
    expect(numbers(pick.inputs[0])).toEqual([20, 19]);
    expect(numbers(pick.inputs[1])).toEqual([10, 11, 12]);
    expect(pick.score).toBeCloseTo(500 / 3800);
  });

  it('a few deletions over a large level below, or none, pick nothing', () => {
    const below = [withStats(fm(10, 'a', 'z'), 100_000, 0)];
    const few = Math.floor(DELETION_COMPACTION_RATIO * 100_000) - 10;
    expect(pickDeletionCompaction(version([[withStats(fm(20, 'a', 'z'), few, few)], below, [], []]), opts, 1000)).toBeUndefined();
    expect(pickDeletionCompaction(version([[withStats(fm(20, 'a', 'z'), 50, 0)], below, [], []]), opts, 1000)).toBeUndefined();
  });

  it('needs every input count: a file without stats (not loaded yet) is never chosen or costed blindly', () => {
    const v = version([[withStats(fm(20, 'a', 'z'), 500, 500)], [fm(10, 'a', 'z')], [], []]);
    expect(pickDeletionCompaction(v, opts, 1000)).toBeUndefined();
    const unknownL0 = version([[fm(20, 'a', 'z')], [withStats(fm(10, 'a', 'z'), 10, 0)], [], []]);
    expect(pickDeletionCompaction(unknownL0, opts, 1000)).toBeUndefined();
  });

  it('deletions newer than the oldest snapshot do not count (the compaction could not drop them)', () => {
    const v = version([[withStats(fm(20, 'a', 'z'), 500, 500, 900)], [withStats(fm(10, 'a', 'z'), 1000, 0)], [], []]);
    expect(pickDeletionCompaction(v, opts, 899)).toBeUndefined();
    expect(pickDeletionCompaction(v, opts, 900)?.level).toBe(0);
  });

  it('above L0 takes the densest single file with its overlap below; never a last-level file', () => {
    const l1 = [withStats(fm(10, 'a', 'f'), 1000, 100), withStats(fm(11, 'g', 'm'), 1000, 600)];
    const l2 = [withStats(fm(30, 'a', 'z'), 2000, 0)];
    const l3 = [withStats(fm(40, 'a', 'z'), 10, 10)];
    const pick = pickDeletionCompaction(version([[], l1, l2, l3]), opts, 1000)!;
    expect(pick).toMatchObject({ level: 1, outputLevel: 2, trivialMove: false });
    expect(numbers(pick.inputs[0])).toEqual([11]);
    expect(numbers(pick.inputs[1])).toEqual([30]);
    // A dense file over little below is rewritten one level down (never just moved): its deletions drop there.
    const alone = pickDeletionCompaction(version([[], [], [withStats(fm(11, 'g', 'm'), 10, 9)], l3]), opts, 1000)!;
    expect(alone).toMatchObject({ level: 2, outputLevel: 3, trivialMove: false });
    expect(pickDeletionCompaction(version([[], [], [], l3]), opts, 1000)).toBeUndefined();
  });
});
