/**
 * compaction-picker — decides WHAT to compact; ./compaction-job.ts decides nothing and only runs it.
 *
 * Leveled policy: L0 scores files / level0CompactionTrigger; level n >= 1 scores bytes / maxBytesForLevel(n),
 * where maxBytesForLevel(n) = maxBytesForLevelBase × levelMultiplier^(n-1). The level with the highest score >= 1
 * is compacted into the next one. L0 compactions take every L0 file (they overlap each other); other levels take
 * one file, chosen round-robin by a per-level compact pointer, then every overlapping file of the next level.
 * A single input file with nothing overlapping below is moved by a version edit alone (trivial move).
 * Manual compactions (compactRange) push a range through every level and finish with a rewrite of the last level
 * in place (level === outputLevel), the only way to drop what the last level holds for released snapshots.
 * Deletion-triggered compaction (pickDeletionCompaction, asked only when no level scores >= 1): a file whose
 * deletions are at least DELETION_COMPACTION_RATIO of every entry the compaction would rewrite is pushed one level
 * down, where its deletions drop with what they shadow. Without it, tombstones that leave the size scores below 1
 * (a delete of half the keys after the last flush) keep their shadowed values on disk indefinitely. RocksDB marks
 * such files from a table-properties collector counting deletions; this uses the tables' entry counts
 * (FileMeta.stats), so files whose counts are not known yet are never chosen.
 *
 * Pure functions over an immutable Version: safe to call from any thread; the caller owns the pointers array.
 */

import { compareUserKeysOf } from '../base/comparator.js';
import { userKeyOf } from '../base/internal-key.js';
import type { Options } from '../base/options.js';
import type { FileMeta } from '../manifest/version-edit.js';
import type { Version } from '../manifest/version.js';

export interface CompactionPick {
  /** Level the inputs come from; outputs go to level + 1. */
  level: number;
  outputLevel: number;
  /** inputs[0]: files at `level`, inputs[1]: overlapping files at `outputLevel`. */
  inputs: [FileMeta[], FileMeta[]];
  /** Files at outputLevel + 1 overlapping the inputs: used to cut outputs so a later compaction stays small. */
  grandparents: FileMeta[];
  /** True when the single input can move down by a version edit, without rewriting it. */
  trivialMove: boolean;
  /** Why it was picked (for stats and the info log). */
  reason: 'size' | 'manual' | 'deletions';
  score: number;
}

export type LevelOptions = Pick<
  Options,
  'numLevels' | 'level0CompactionTrigger' | 'maxBytesForLevelBase' | 'levelMultiplier' | 'targetFileSize'
>;

export function maxBytesForLevel(options: LevelOptions, level: number): number {
  return options.maxBytesForLevelBase * options.levelMultiplier ** Math.max(0, level - 1);
}

/** Score of every level but the last (which cannot compact further down). */
export function levelScores(version: Version, options: LevelOptions): number[] {
  const scores: number[] = [];
  for (let level = 0; level < options.numLevels - 1; level++) {
    scores.push(
      level === 0
        ? version.numFiles(0) / options.level0CompactionTrigger
        : version.levelBytes(level) / maxBytesForLevel(options, level),
    );
  }
  return scores;
}

function totalBytes(files: readonly FileMeta[]): number {
  let n = 0;
  for (const f of files) n += f.size;
  return n;
}

/** Smallest and largest user key over a set of files. REQUIRES: files non-empty. */
export function userKeyRange(files: readonly FileMeta[]): [Uint8Array, Uint8Array] {
  let lo = files[0]!.smallest;
  let hi = files[0]!.largest;
  for (const f of files) {
    if (compareUserKeysOf(f.smallest, lo) < 0) lo = f.smallest;
    if (compareUserKeysOf(f.largest, hi) > 0) hi = f.largest;
  }
  return [userKeyOf(lo), userKeyOf(hi)];
}

/**
 * Minimum share of deletions among the entries a deletion-triggered compaction rewrites. At 0.1 each such
 * compaction shrinks what it rewrites by about a fifth or more (a deletion and the value it shadows both go), and a
 * handful of deletions over a large level below never triggers a rewrite of that level.
 */
export const DELETION_COMPACTION_RATIO = 0.1;

/** Builds a pick for compacting `levelInputs` (files at `level`) into level + 1. */
export function setupCompaction(
  version: Version,
  options: LevelOptions,
  level: number,
  levelInputs: FileMeta[],
  reason: CompactionPick['reason'],
  score: number,
): CompactionPick {
  const outputLevel = level + 1;
  const [lo, hi] = userKeyRange(levelInputs);
  const below = version.overlappingFiles(outputLevel, lo, hi);
  const all = below.length > 0 ? [...levelInputs, ...below] : levelInputs;
  const [alo, ahi] = userKeyRange(all);
  const grandparents =
    outputLevel + 1 < options.numLevels ? version.overlappingFiles(outputLevel + 1, alo, ahi) : [];
  const trivialMove =
    reason === 'size' &&
    levelInputs.length === 1 &&
    below.length === 0 &&
    totalBytes(grandparents) <= 10 * options.targetFileSize;
  return { level, outputLevel, inputs: [levelInputs, below], grandparents, trivialMove, reason, score };
}

/**
 * Picks the most urgent compaction, or undefined when every score is below 1.
 * `pointers[level]` is the largest internal key of the last file compacted at that level (round-robin); the
 * caller stores the pick's largest key back after running it.
 */
export function pickCompaction(
  version: Version,
  options: LevelOptions,
  pointers: ReadonlyArray<Uint8Array | undefined>,
): CompactionPick | undefined {
  const scores = levelScores(version, options);
  let best = -1;
  let bestScore = 1;
  scores.forEach((s, level) => {
    if (s >= bestScore) {
      best = level;
      bestScore = s;
    }
  });
  if (best < 0) return undefined;
  if (best === 0) {
    const files = [...version.levels[0]!];
    return setupCompaction(version, options, 0, files, 'size', bestScore);
  }
  const files = version.levels[best]!;
  const pointer = pointers[best];
  let chosen = files[0]!;
  if (pointer !== undefined) {
    const next = files.find((f) => compareUserKeysOf(f.largest, pointer) > 0);
    if (next) chosen = next;
  }
  return setupCompaction(version, options, best, [chosen], 'size', bestScore);
}

/**
 * A rewrite of the last level's files overlapping [lo, hi] into the last level: nothing lies below it, so it drops
 * every deletion and every version no snapshot can see. compactRange ends with it when no compaction of this
 * request wrote into the last level already. Undefined when the last level holds nothing in the range.
 */
export function pickBottomRewrite(
  version: Version,
  options: LevelOptions,
  lo: Uint8Array | undefined,
  hi: Uint8Array | undefined,
): CompactionPick | undefined {
  const last = options.numLevels - 1;
  const files = version.overlappingFiles(last, lo, hi);
  if (files.length === 0) return undefined;
  return { level: last, outputLevel: last, inputs: [files, []], grandparents: [], trivialMove: false, reason: 'manual', score: 0 };
}

/**
 * The compactions that push [lo, hi] (user keys, undefined = unbounded) one level down, starting at `level`.
 * Returns undefined when the level holds nothing in the range.
 */
export function pickRangeCompaction(
  version: Version,
  options: LevelOptions,
  level: number,
  lo: Uint8Array | undefined,
  hi: Uint8Array | undefined,
): CompactionPick | undefined {
  const files = version.overlappingFiles(level, lo, hi);
  if (files.length === 0) return undefined;
  return setupCompaction(version, options, level, files, 'manual', 0);
}

/** Entries of the files, or undefined when any file's counts are unknown. */
function knownEntries(files: readonly FileMeta[]): number | undefined {
  let n = 0;
  for (const f of files) {
    if (f.stats === undefined) return undefined;
    n += f.stats.entries;
  }
  return n;
}

/**
 * The deletion-triggered compaction with the highest share of deletions (at least DELETION_COMPACTION_RATIO of
 * every input entry), or undefined. Candidates: all of L0 (its files overlap, so they move down together), or one
 * file of a level 1..last-1 with its overlapping files below. Only deletions every snapshot can see count (files whose
 * maxSequence <= smallestSnapshot), so a deletion a snapshot keeps alive never triggers the same compaction again.
 * The pick is never a trivial move: the point is the rewrite.
 */
export function pickDeletionCompaction(
  version: Version,
  options: LevelOptions,
  smallestSnapshot: number,
): CompactionPick | undefined {
  let best: CompactionPick | undefined;
  let bestShare = DELETION_COMPACTION_RATIO;
  const consider = (level: number, inputs: FileMeta[]): void => {
    let deletions = 0;
    for (const f of inputs) {
      if (f.stats === undefined) return;
      if (f.stats.maxSequence <= smallestSnapshot) deletions += f.stats.deletions;
    }
    if (deletions === 0) return;
    const pick = setupCompaction(version, options, level, inputs, 'deletions', 0);
    const entries = knownEntries([...pick.inputs[0], ...pick.inputs[1]]);
    if (entries === undefined || entries === 0) return;
    const share = deletions / entries;
    if (share < bestShare) return;
    bestShare = share;
    best = { ...pick, trivialMove: false, score: share };
  };
  const last = options.numLevels - 1;
  if (version.numFiles(0) > 0) consider(0, [...version.levels[0]!]);
  for (let level = 1; level < last; level++) {
    for (const f of version.levels[level]!) {
      if (f.stats !== undefined && f.stats.deletions > 0) consider(level, [f]);
    }
  }
  return best;
}
