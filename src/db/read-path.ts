/**
 * read-path — point lookups and the merged internal iterator over every source of a read view.
 *
 * A read view is: the memtables (newest first), then the version's L0 tables (newest first), then one table per
 * deeper level found by key range. The first source that holds the key at or below the read sequence answers.
 * Main thread only (tables come from the table cache).
 */

import { compareRanges } from '../base/comparator.js';
import { TRAILER_SIZE } from '../base/internal-key.js';
import type { InternalIterator } from '../base/iterator.js';
import { bloomHash } from '../codec/bloom-probe.js';
import { newConcatenatingIterator } from '../iterator/concatenating-iterator.js';
import { newMergingIterator } from '../iterator/merging-iterator.js';
import type { FileMeta } from '../manifest/version-edit.js';
import type { Version } from '../manifest/version.js';
import type { MemTable } from '../memtable/memtable.js';
import type { TableCache } from '../sstable/table-cache.js';

/** user key of an internal key compared with a plain user key, without allocating. */
function compareUserKey(ikey: Buffer, userKey: Uint8Array): number {
  return compareRanges(ikey, 0, ikey.length - TRAILER_SIZE, userKey, 0, userKey.length);
}

function fileMayContain(f: FileMeta, userKey: Uint8Array): boolean {
  return compareUserKey(f.smallest, userKey) <= 0 && compareUserKey(f.largest, userKey) >= 0;
}

/** First file of a sorted, non-overlapping level whose largest user key >= userKey. */
function findFileForKey(files: readonly FileMeta[], userKey: Uint8Array): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUserKey(files[mid]!.largest, userKey) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Newest value of userKey visible at seq in the tables of `version`: undefined (absent), null (deleted), value.
 * REQUIRES: hash is bloomHash(userKey) or -1 (computed here if a table is probed).
 */
export function getFromVersion(
  version: Version,
  tables: TableCache,
  userKey: Uint8Array,
  seq: number,
  hash = -1,
): Buffer | null | undefined {
  const levels = version.levels;
  const l0 = levels[0]!;
  // The bloom hash of userKey, once for every table probed (-1: not computed yet).
  for (let i = 0; i < l0.length; i++) {
    const f = l0[i]!;
    if (!fileMayContain(f, userKey)) continue;
    if (hash < 0) hash = bloomHash(userKey);
    const r = tables.get(f.number).get(userKey, seq, hash);
    if (r !== undefined) return r;
  }
  for (let level = 1; level < levels.length; level++) {
    const files = levels[level]!;
    if (files.length === 0) continue;
    const i = findFileForKey(files, userKey);
    if (i >= files.length) continue;
    const f = files[i]!;
    if (compareUserKey(f.smallest, userKey) > 0) continue;
    if (hash < 0) hash = bloomHash(userKey);
    const r = tables.get(f.number).get(userKey, seq, hash);
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * Newest value visible at seq across memtables (newest first) then tables. The key is hashed once (bloomHash):
 * each memtable's whole-key filter (src/memtable/memtable-filter.ts) and each table's bloom filter are probed
 * with that hash, so a memtable that cannot hold the key is not searched.
 * REQUIRES: hash is bloomHash(userKey) or -1 (computed here).
 */
export function getFromView(
  mems: readonly MemTable[],
  version: Version,
  tables: TableCache,
  userKey: Uint8Array,
  seq: number,
  hash = -1,
): Buffer | undefined {
  if (hash < 0) hash = bloomHash(userKey);
  for (let i = 0; i < mems.length; i++) {
    const r = mems[i]!.get(userKey, seq, hash);
    if (r !== undefined) return r ?? undefined;
  }
  return getFromVersion(version, tables, userKey, seq, hash) ?? undefined;
}

/** Merged internal iterator over memtables (any order) and every table of `version`. */
export function newViewIterator(mems: readonly MemTable[], version: Version, tables: TableCache): InternalIterator {
  const children: InternalIterator[] = mems.map((m) => m.iterator());
  for (const f of version.levels[0]!) children.push(tables.get(f.number).iterator());
  for (let level = 1; level < version.levels.length; level++) {
    const files = version.levels[level]!;
    if (files.length === 0) continue;
    children.push(
      newConcatenatingIterator(
        files.length,
        (i) => files[i]!.largest,
        (i) => tables.get(files[i]!.number).iterator(),
      ),
    );
  }
  return newMergingIterator(children);
}
