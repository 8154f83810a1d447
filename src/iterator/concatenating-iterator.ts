/**
 * concatenating-iterator — one sorted view over a level's files (L1 and deeper): sorted, non-overlapping, so the
 * whole level is child 0's entries, then child 1's, and so on.
 *
 * Children are opened lazily, one at a time: moving to another child closes the previous one, so a scan over a
 * level pins a single table. seek(target) binary-searches the children's largest keys for the first child whose
 * largest key is >= target (only that child can hold the first entry >= target). A child that turns out empty
 * (or has nothing at/after the target) is skipped: forward to the next child's first entry, backward to the
 * previous child's last entry. Running off either end closes the last child and leaves the iterator invalid.
 *
 * REQUIRES: every key of child i is <= largestKey(i) and > largestKey(i - 1), so largestKey is non-decreasing in i
 * (an empty child may repeat its predecessor's); open(i) returns a fresh, unpositioned iterator over child i,
 * which this iterator then owns.
 * Runs (./flat-cursor.ts) are the open child's runs when it offers them.
 * key()/value() are the current child's arrays (valid until this iterator moves). Not safe to share across
 * threads. close() closes the open child; idempotent.
 */

import { compareInternalKeys } from '../base/comparator.js';
import type { InternalIterator } from '../base/iterator.js';
import { type FlatBlock, type FlatCursor, isFlatCursor } from './flat-cursor.js';

class ConcatenatingIterator implements FlatCursor {
  /** Index of the open child, or -1. */
  private index = -1;
  private child: InternalIterator | undefined = undefined;
  /** The open child as a run source, when it is one. */
  private flatChild: FlatCursor | undefined = undefined;

  constructor(
    private readonly count: number,
    private readonly largestKey: (i: number) => Uint8Array,
    private readonly open: (i: number) => InternalIterator,
  ) {}

  valid(): boolean {
    return this.child !== undefined && this.child.valid();
  }

  seekToFirst(): void {
    if (this.use(0)) this.child!.seekToFirst();
    this.skipForward();
  }

  seekToLast(): void {
    if (this.use(this.count - 1)) this.child!.seekToLast();
    this.skipBackward();
  }

  seek(target: Uint8Array): void {
    if (this.use(this.findChild(target))) this.child!.seek(target);
    this.skipForward();
  }

  seekForPrev(target: Uint8Array): void {
    // The last entry <= target is in the first child whose largest key is >= target, or before it.
    const i = this.findChild(target);
    if (i < this.count) {
      this.use(i);
      this.child!.seekForPrev(target);
    } else if (this.use(this.count - 1)) {
      this.child!.seekToLast();
    }
    this.skipBackward();
  }

  next(): void {
    this.child!.next();
    this.skipForward();
  }

  prev(): void {
    this.child!.prev();
    this.skipBackward();
  }

  key(): Uint8Array {
    return this.child!.key();
  }

  value(): Uint8Array {
    return this.child!.value();
  }

  close(): void {
    this.use(-1);
  }

  /** The open child's block, when the child is a run source (runs never cross into the next child). */
  flatBlock(forward: boolean): FlatBlock | undefined {
    return this.flatChild?.flatBlock(forward);
  }

  flatIndex(): number {
    return this.flatChild!.flatIndex();
  }

  flatLimit(forward: boolean): Uint8Array | undefined {
    return this.flatChild!.flatLimit(forward);
  }

  flatAdvance(last: number): void {
    this.flatChild!.flatAdvance(last);
    this.skipForward();
  }

  flatRetreat(first: number): void {
    this.flatChild!.flatRetreat(first);
    this.skipBackward();
  }

  /** Index of the first child whose largest key is >= target; count if none. */
  private findChild(target: Uint8Array): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareInternalKeys(this.largestKey(mid), target) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Makes child i the open one (closing the previous); i outside [0, count) closes it. True if one is open. */
  private use(i: number): boolean {
    if (i !== this.index || this.child === undefined) {
      const old = this.child;
      this.child = undefined;
      this.flatChild = undefined;
      this.index = -1;
      old?.close();
      if (i >= 0 && i < this.count) {
        const c = this.open(i);
        this.child = c;
        this.flatChild = isFlatCursor(c) ? c : undefined;
        this.index = i;
      }
    }
    return this.child !== undefined;
  }

  private skipForward(): void {
    while (this.child !== undefined && !this.child.valid()) {
      if (this.use(this.index + 1)) this.child.seekToFirst();
    }
  }

  private skipBackward(): void {
    while (this.child !== undefined && !this.child.valid()) {
      if (this.use(this.index - 1)) this.child.seekToLast();
    }
  }
}

/**
 * An iterator over `count` sorted, non-overlapping children, opened lazily with open(i).
 * REQUIRES: see the header.
 */
export function newConcatenatingIterator(
  count: number,
  largestKey: (i: number) => Uint8Array,
  open: (i: number) => InternalIterator,
): InternalIterator {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`concatenating-iterator: count must be a non-negative integer, got ${count}`);
  }
  return new ConcatenatingIterator(count, largestKey, open);
}
