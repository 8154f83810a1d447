/**
 * block-iterator — an InternalIterator over one DecodedBlock whose keys are internal keys (data and index
 * blocks), plus the binary searches the table reader uses directly.
 *
 * Random access comes from the DecodedBlock's flat offsets, so seek and seekForPrev are plain binary searches
 * over all entries (no restart-point walk). key()/value() are views into the block: valid while the block is
 * (blocks are immutable; a cached block stays valid after eviction because the iterator holds it).
 * The class also implements the run interface of src/iterator/flat-cursor.ts (flatBlock/flatIndex/flatLimit/
 * flatAdvance) so scans can consume several entries of the block per step.
 * REQUIRES: every key in the block is at least TRAILER_SIZE bytes (the table reader checks this on load).
 */

import { compareRanges, compareTrailers } from '../base/comparator.js';
import { TRAILER_SIZE } from '../base/internal-key.js';
import type { InternalIterator } from '../base/iterator.js';
import type { DecodedBlock } from '../codec/codec.js';

/** Internal-key comparison of block key i with target: negative if the entry sorts before the target. */
export function compareEntryTo(block: DecodedBlock, i: number, target: Uint8Array): number {
  return compareEntryFrom(block, i, target, 0);
}

/** compareEntryTo past the first `skip` user-key bytes. REQUIRES: entry i and target share those bytes. */
function compareEntryFrom(block: DecodedBlock, i: number, target: Uint8Array, skip: number): number {
  const s = block.keyOffsets[i]!;
  const e = block.keyOffsets[i + 1]! - TRAILER_SIZE;
  const tu = target.length - TRAILER_SIZE;
  const c = compareRanges(block.keys, s + skip, e, target, skip, tu);
  if (c !== 0) return c;
  return compareTrailers(block.keys, e, target, tu);
}

/**
 * User-key bytes that the target and every entry of the block share: the prefix of the first and the last key
 * (so of every key between them) as far as the target agrees with it. The binary searches skip it on every
 * probe (sorted keys in a block share long prefixes: ~13 of the benchmark's 16-byte decimal keys).
 */
function sharedPrefix(block: DecodedBlock, target: Uint8Array): number {
  const count = block.count;
  if (count === 0) return 0;
  const keys = block.keys;
  const ko = block.keyOffsets;
  const f = ko[0]!;
  const l = ko[count - 1]!;
  const n = Math.min(ko[1]! - TRAILER_SIZE - f, ko[count]! - TRAILER_SIZE - l, target.length - TRAILER_SIZE);
  let p = 0;
  while (p < n) {
    const b = keys[f + p]!;
    if (b !== keys[l + p] || b !== target[p]) break;
    p++;
  }
  return p;
}

/** Index of the first entry with key >= target, or block.count if there is none. */
export function lowerBound(block: DecodedBlock, target: Uint8Array): number {
  const skip = sharedPrefix(block, target);
  let lo = 0;
  let hi = block.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntryFrom(block, mid, target, skip) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last entry with key <= target, or -1 if there is none. */
export function lastAtOrBefore(block: DecodedBlock, target: Uint8Array): number {
  const skip = sharedPrefix(block, target);
  let lo = 0;
  let hi = block.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareEntryFrom(block, mid, target, skip) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const EMPTY: DecodedBlock = {
  count: 0,
  keys: Buffer.alloc(0),
  keyOffsets: new Uint32Array(1),
  data: Buffer.alloc(0),
  valueOffsets: new Uint32Array(0),
};

export class BlockIterator implements InternalIterator {
  private block: DecodedBlock;
  private pos = -1;

  constructor(block: DecodedBlock = EMPTY) {
    this.block = block;
  }

  /** Points the iterator at another block (unpositioned). Lets the table iterator reuse one object. */
  reset(block: DecodedBlock): void {
    this.block = block;
    this.pos = -1;
  }

  valid(): boolean {
    return this.pos >= 0 && this.pos < this.block.count;
  }

  seekToFirst(): void {
    this.pos = this.block.count > 0 ? 0 : -1;
  }

  seekToLast(): void {
    this.pos = this.block.count - 1;
  }

  seek(target: Uint8Array): void {
    this.pos = lowerBound(this.block, target);
  }

  seekForPrev(target: Uint8Array): void {
    this.pos = lastAtOrBefore(this.block, target);
  }

  next(): void {
    this.pos++;
  }

  prev(): void {
    this.pos--;
  }

  key(): Uint8Array {
    const b = this.block;
    return b.keys.subarray(b.keyOffsets[this.pos]!, b.keyOffsets[this.pos + 1]!);
  }

  value(): Uint8Array {
    const b = this.block;
    return b.data.subarray(b.valueOffsets[2 * this.pos]!, b.valueOffsets[2 * this.pos + 1]!);
  }

  close(): void {
    this.block = EMPTY;
    this.pos = -1;
  }

  // Run interface (src/iterator/flat-cursor.ts, implemented structurally): the block itself is the run.

  /** The block holding the current entry. REQUIRES: valid() */
  flatBlock(): DecodedBlock {
    return this.block;
  }

  /** Index of the current entry. */
  flatIndex(): number {
    return this.pos;
  }

  /** No limit: every later entry of the block is this iterator's. */
  flatLimit(): undefined {
    return undefined;
  }

  /** Moves past entry `last`. REQUIRES: flatIndex() <= last < count */
  flatAdvance(last: number): void {
    this.pos = last + 1;
  }

  /** Moves before entry `first`. REQUIRES: 0 <= first <= flatIndex() */
  flatRetreat(first: number): void {
    this.pos = first - 1;
  }
}
