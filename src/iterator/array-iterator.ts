/**
 * array-iterator — an InternalIterator over parallel arrays of sorted internal keys and their values.
 *
 * For small in-memory sources (tests, a batch's sorted entries, a level's file boundaries). Keys and values are
 * returned as given, not copied, and stay valid as long as the caller keeps the arrays unchanged.
 * REQUIRES: keys strictly ascending by compareInternalKeys; keys.length === values.length; neither array changes
 * while the iterator is in use. seek/seekForPrev binary-search, so positioning is O(log n).
 */

import { compareInternalKeys } from '../base/comparator.js';
import type { InternalIterator } from '../base/iterator.js';

class ArrayIterator implements InternalIterator {
  private pos = -1;

  constructor(
    private readonly keys: readonly Uint8Array[],
    private readonly values: readonly Uint8Array[],
  ) {}

  valid(): boolean {
    return this.pos >= 0 && this.pos < this.keys.length;
  }

  seekToFirst(): void {
    this.pos = 0;
  }

  seekToLast(): void {
    this.pos = this.keys.length - 1;
  }

  seek(target: Uint8Array): void {
    this.pos = this.lowerBound(target);
  }

  seekForPrev(target: Uint8Array): void {
    const i = this.lowerBound(target);
    const k = this.keys[i];
    this.pos = k !== undefined && compareInternalKeys(k, target) === 0 ? i : i - 1;
  }

  next(): void {
    this.pos++;
  }

  prev(): void {
    this.pos--;
  }

  key(): Uint8Array {
    return this.keys[this.pos]!;
  }

  value(): Uint8Array {
    return this.values[this.pos]!;
  }

  close(): void {
    this.pos = -1;
  }

  /** Index of the first key >= target (keys.length if none). */
  private lowerBound(target: Uint8Array): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareInternalKeys(this.keys[mid]!, target) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** An iterator over keys[i] → values[i]. REQUIRES: see the header. */
export function newArrayIterator(keys: readonly Uint8Array[], values: readonly Uint8Array[]): InternalIterator {
  if (keys.length !== values.length) {
    throw new RangeError(`array-iterator: ${keys.length} keys but ${values.length} values`);
  }
  return new ArrayIterator(keys, values);
}
