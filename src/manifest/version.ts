/**
 * version — an immutable snapshot of which table files make up the database, level by level.
 *
 * Invariants (established by VersionBuilder, which is how versions are made):
 *   - L0 files may overlap; they are ordered newest first (file number descending).
 *   - In each level >= 1, files are sorted by smallest internal key and do not overlap (each file's largest
 *     internal key is below the next file's smallest).
 * Reference counting: whoever reads the files of a version (an iterator, a compaction, the VersionSet for its
 * current version) holds a ref; VersionSet.liveFiles() reports every file of every version with refs > 0, and
 * only files outside that set may be deleted. When the last ref is dropped the version tells its owner (the
 * onRelease hook) and is dead: it may not be ref'd again. Single-threaded: refs are plain counters.
 */

import { compareInternalKeys, compareRanges } from '../base/comparator.js';
import { TRAILER_SIZE } from '../base/internal-key.js';
import type { FileMeta } from './version-edit.js';

/** Compares the user key of internal key `ikey` with the user key `userKey`. */
function compareUserKeyOf(ikey: Buffer, userKey: Uint8Array): number {
  return compareRanges(ikey, 0, ikey.length - TRAILER_SIZE, userKey, 0, userKey.length);
}

/**
 * Binary search over files sorted and disjoint: index of the first file whose largest key compares >= key
 * under `compare(largest, key)`, or files.length.
 */
function firstLargestAtLeast(
  files: ReadonlyArray<FileMeta>,
  key: Uint8Array,
  compare: (largest: Buffer, key: Uint8Array) => number,
): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(files[mid]!.largest, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Version {
  readonly levels: ReadonlyArray<ReadonlyArray<FileMeta>>;
  private readonly bytes: number[];
  private refs = 0;
  private released = false;
  private readonly onRelease: ((v: Version) => void) | undefined;

  /**
   * REQUIRES: levels satisfy the invariants above (use VersionBuilder); the arrays are not modified afterwards.
   * onRelease is called once, when the last ref is dropped.
   */
  constructor(levels: ReadonlyArray<ReadonlyArray<FileMeta>>, onRelease?: (v: Version) => void) {
    this.levels = levels;
    this.onRelease = onRelease;
    this.bytes = levels.map((files) => files.reduce((sum, f) => sum + f.size, 0));
  }

  /** A version with numLevels empty levels. */
  static empty(numLevels: number, onRelease?: (v: Version) => void): Version {
    return new Version(
      Array.from({ length: numLevels }, () => []),
      onRelease,
    );
  }

  numFiles(level: number): number {
    return this.files(level).length;
  }

  /** Total size in bytes of the files of a level. */
  levelBytes(level: number): number {
    this.files(level);
    return this.bytes[level]!;
  }

  /**
   * Files of `level` whose user-key range intersects [smallestUserKey, largestUserKey] (undefined = unbounded).
   * In L0 the range grows to cover every file that overlaps a file already taken, transitively, so that the
   * result can be compacted without leaving an older version of a key behind. Result in level order.
   */
  overlappingFiles(
    level: number,
    smallestUserKey: Uint8Array | undefined,
    largestUserKey: Uint8Array | undefined,
  ): FileMeta[] {
    const files = this.files(level);
    if (level > 0) {
      let i = smallestUserKey === undefined ? 0 : firstLargestAtLeast(files, smallestUserKey, compareUserKeyOf);
      const out: FileMeta[] = [];
      for (; i < files.length; i++) {
        const f = files[i]!;
        if (largestUserKey !== undefined && compareUserKeyOf(f.smallest, largestUserKey) > 0) break;
        out.push(f);
      }
      return out;
    }
    let begin = smallestUserKey;
    let end = largestUserKey;
    const out: FileMeta[] = [];
    for (let i = 0; i < files.length; ) {
      const f = files[i++]!;
      if (begin !== undefined && compareUserKeyOf(f.largest, begin) < 0) continue;
      if (end !== undefined && compareUserKeyOf(f.smallest, end) > 0) continue;
      out.push(f);
      if (begin !== undefined && compareUserKeyOf(f.smallest, begin) < 0) {
        begin = f.smallest.subarray(0, f.smallest.length - TRAILER_SIZE);
      } else if (end !== undefined && compareUserKeyOf(f.largest, end) > 0) {
        end = f.largest.subarray(0, f.largest.length - TRAILER_SIZE);
      } else {
        continue;
      }
      // The range grew: start over so that files skipped earlier are tested against it.
      out.length = 0;
      i = 0;
    }
    return out;
  }

  /**
   * Index of the first file of `level` whose largest internal key is >= ikey (files.length if none).
   * REQUIRES: level >= 1 (files sorted and disjoint).
   */
  findFile(level: number, ikey: Uint8Array): number {
    if (level < 1) throw new RangeError('version: findFile needs a level >= 1');
    return firstLargestAtLeast(this.files(level), ikey, compareInternalKeys);
  }

  /** Every table number in this version. */
  allFileNumbers(): number[] {
    const out: number[] = [];
    for (const files of this.levels) for (const f of files) out.push(f.number);
    return out;
  }

  ref(): void {
    if (this.released) throw new Error('version: ref of a released version');
    this.refs++;
  }

  unref(): void {
    if (this.refs <= 0) throw new Error('version: unref without a matching ref');
    if (--this.refs === 0) {
      this.released = true;
      this.onRelease?.(this);
    }
  }

  /** Current number of refs (for tests and stats). */
  get refCount(): number {
    return this.refs;
  }

  private files(level: number): ReadonlyArray<FileMeta> {
    const files = this.levels[level];
    if (files === undefined) throw new RangeError(`version: level ${level} out of range 0..${this.levels.length - 1}`);
    return files;
  }
}
