/**
 * table-iterator — the two-level iterator over one table: a position in the index block selects a data block,
 * and a BlockIterator walks inside it. Both directions, seek and seekForPrev.
 *
 * Index entry i's key is the last internal key of data block i, so the first index entry >= target names the
 * only block that can hold the first entry >= target. Data blocks come from the reader (through the block
 * cache); key()/value() are views into the current block. Created by TableReader.iterator(); close() releases
 * the reader's reference. Errors (corruption, I/O) are thrown by the call that loads the block.
 * Implements the run interface of src/iterator/flat-cursor.ts structurally (a run is the rest of a data block).
 */

import type { InternalIterator } from '../base/iterator.js';
import type { DecodedBlock } from '../codec/codec.js';
import { BlockIterator, lowerBound } from './block-iterator.js';

export class TableIterator implements InternalIterator {
  private readonly blockIter = new BlockIterator();
  /** Index of the data block blockIter is on; -1 or numBlocks when unpositioned. */
  private blockIndex = -1;
  private closed = false;

  /**
   * `indexSeek(target)` = lowerBound(index, target), given by a reader with a faster search of its index
   * (TableReader: ./key-words.ts); default lowerBound.
   */
  constructor(
    private readonly index: DecodedBlock,
    private readonly loadBlock: (i: number) => DecodedBlock,
    private readonly release: () => void,
    private readonly indexSeek: (target: Uint8Array) => number = (target) => lowerBound(index, target),
  ) {}

  valid(): boolean {
    return this.blockIter.valid();
  }

  seekToFirst(): void {
    this.enter(0);
    this.blockIter.seekToFirst();
    this.skipForward();
  }

  seekToLast(): void {
    this.enter(this.index.count - 1);
    this.blockIter.seekToLast();
    this.skipBackward();
  }

  seek(target: Uint8Array): void {
    this.enter(this.indexSeek(target));
    this.blockIter.seek(target);
    this.skipForward();
  }

  seekForPrev(target: Uint8Array): void {
    // The first block whose last key >= target holds the last entry <= target, or its predecessor does.
    this.enter(Math.min(this.indexSeek(target), this.index.count - 1));
    this.blockIter.seekForPrev(target);
    this.skipBackward();
  }

  next(): void {
    this.blockIter.next();
    this.skipForward();
  }

  prev(): void {
    this.blockIter.prev();
    this.skipBackward();
  }

  key(): Uint8Array {
    return this.blockIter.key();
  }

  value(): Uint8Array {
    return this.blockIter.value();
  }

  // Run interface (src/iterator/flat-cursor.ts, implemented structurally): runs end at the data block's end.

  /** The data block holding the current entry. REQUIRES: valid() */
  flatBlock(): DecodedBlock {
    return this.blockIter.flatBlock();
  }

  flatIndex(): number {
    return this.blockIter.flatIndex();
  }

  flatLimit(): undefined {
    return undefined;
  }

  /** Moves past entry `last` of the current data block, into the next block if that was its last entry. */
  flatAdvance(last: number): void {
    this.blockIter.flatAdvance(last);
    this.skipForward();
  }

  /** Moves before entry `first` of the current data block, into the previous block if that was its first. */
  flatRetreat(first: number): void {
    this.blockIter.flatRetreat(first);
    this.skipBackward();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.blockIter.close();
    this.blockIndex = -1;
    this.release();
  }

  /** Loads data block i into blockIter (unpositioned), or leaves the iterator invalid if i is out of range. */
  private enter(i: number): void {
    if (this.closed) throw new Error('sstable: iterator used after close');
    this.blockIndex = i;
    if (i < 0 || i >= this.index.count) {
      this.blockIter.close();
      return;
    }
    this.blockIter.reset(this.loadBlock(i));
  }

  private skipForward(): void {
    while (!this.blockIter.valid() && this.blockIndex >= 0 && this.blockIndex < this.index.count) {
      this.enter(this.blockIndex + 1);
      this.blockIter.seekToFirst();
    }
  }

  private skipBackward(): void {
    while (!this.blockIter.valid() && this.blockIndex >= 0 && this.blockIndex < this.index.count) {
      this.enter(this.blockIndex - 1);
      this.blockIter.seekToLast();
    }
  }
}
