/**
 * flat-cursor — the optional run interface that lets a scan consume several entries of one block in a single step
 * instead of one next()/key()/value() round trip (and two subarray views) per entry.
 *
 * An iterator that implements it exposes the flat arrays of the block its current entry lives in (the same layout
 * as a decoded block: key i is keys[keyOffsets[i], keyOffsets[i+1]), value i is
 * data[valueOffsets[2i], valueOffsets[2i+1])), the current entry's index there, and a limit key. Forward: the
 * entries of the block from the current index up are this iterator's next entries, in order, for as long as they
 * sort before the limit (no limit: up to the end of the block); the caller reads such a run straight from the
 * arrays and then calls flatAdvance(last) with the index of the last entry it consumed, which has the same effect
 * as next() called once per consumed entry. Backward, mirrored: entries from the current index down while they
 * sort after the limit, then flatRetreat(first) as prev() once per consumed entry.
 *
 * Implemented structurally (sstable's block and table iterators cannot import this module; the import direction
 * is upward): isFlatCursor() checks for the methods. flatBlock() may return undefined when the current entry has
 * no flat view (a memtable child of a merging iterator); the caller then falls back to key()/value()/next().
 * The arrays are the block's own (immutable): read them, never write them. Not safe to share across threads.
 */

import type { InternalIterator } from '../base/iterator.js';

/** The flat arrays of one decoded block (structurally a codec DecodedBlock). */
export interface FlatBlock {
  readonly count: number;
  readonly keys: Uint8Array;
  readonly keyOffsets: Uint32Array;
  readonly data: Uint8Array;
  readonly valueOffsets: Uint32Array;
}

export interface FlatCursor extends InternalIterator {
  /**
   * The block holding the current entry, or undefined if runs in that direction are not available now (no flat
   * view, or a merging iterator heaped for the other direction). REQUIRES: valid()
   */
  flatBlock(forward: boolean): FlatBlock | undefined;
  /** Index of the current entry in the block. REQUIRES: flatBlock(forward) !== undefined */
  flatIndex(): number;
  /**
   * Forward runs end before the first entry >= this internal key (another source's current key), backward runs
   * at the first entry <= it; undefined: the run may go to the block's end. REQUIRES: flatBlock(forward) returned
   * a block.
   */
  flatLimit(forward: boolean): Uint8Array | undefined;
  /**
   * Moves past entry `last` of the block, as next() would from there.
   * REQUIRES: flatIndex() <= last < count, every entry in [flatIndex(), last] sorts before flatLimit(true)
   */
  flatAdvance(last: number): void;
  /**
   * Moves before entry `first` of the block, as prev() would from there.
   * REQUIRES: 0 <= first <= flatIndex(), every entry in [first, flatIndex()] sorts after flatLimit(false)
   */
  flatRetreat(first: number): void;
}

export function isFlatCursor(it: InternalIterator): it is FlatCursor {
  const c = it as Partial<FlatCursor>;
  return (
    typeof c.flatBlock === 'function' &&
    typeof c.flatIndex === 'function' &&
    typeof c.flatLimit === 'function' &&
    typeof c.flatAdvance === 'function' &&
    typeof c.flatRetreat === 'function'
  );
}
