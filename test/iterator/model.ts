/**
 * Test helpers for iterators: a seeded PRNG, random sorted internal-key data, a child wrapper that records
 * closes, and a driver that runs random operations against an iterator and a sorted-array model side by side.
 */

import { expect } from 'vitest';
import { compareInternalKeys } from '../../src/base/comparator.js';
import { makeInternalKey } from '../../src/base/internal-key.js';
import type { InternalIterator } from '../../src/base/iterator.js';

/** mulberry32: small seeded PRNG for reproducible tests. */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000) * n);
  };
}

export interface Entries {
  keys: Buffer[];
  values: Buffer[];
}

/** A random internal key over a small alphabet so that user keys repeat with different sequences. */
export function randomKey(rand: (n: number) => number, maxSeq: number): Buffer {
  const len = 1 + rand(3);
  const user = Buffer.alloc(len);
  for (let i = 0; i < len; i++) user[i] = 0x61 + rand(4);
  return makeInternalKey(user, rand(maxSeq + 2), rand(2));
}

/** `n` distinct random internal keys, sorted, each with a value naming it. */
export function randomEntries(rand: (n: number) => number, n: number): Entries {
  const seen = new Map<string, Buffer>();
  while (seen.size < n) {
    const k = randomKey(rand, n * 4);
    seen.set(k.toString('hex'), k);
  }
  const keys = [...seen.values()].sort(compareInternalKeys);
  return { keys, values: keys.map((k) => Buffer.from(`v:${k.toString('hex')}`)) };
}

/** Wraps an iterator to record whether it was closed and to refuse use after close. */
export class TrackedIterator implements InternalIterator {
  closed = 0;
  constructor(private readonly inner: InternalIterator) {}
  private live(): InternalIterator {
    if (this.closed > 0) throw new Error('child used after close');
    return this.inner;
  }
  valid(): boolean {
    return this.live().valid();
  }
  seekToFirst(): void {
    this.live().seekToFirst();
  }
  seekToLast(): void {
    this.live().seekToLast();
  }
  seek(t: Uint8Array): void {
    this.live().seek(t);
  }
  seekForPrev(t: Uint8Array): void {
    this.live().seekForPrev(t);
  }
  next(): void {
    this.live().next();
  }
  prev(): void {
    this.live().prev();
  }
  key(): Uint8Array {
    return this.live().key();
  }
  value(): Uint8Array {
    return this.live().value();
  }
  close(): void {
    this.closed++;
    this.inner.close();
  }
}

function lowerBound(keys: readonly Uint8Array[], target: Uint8Array): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareInternalKeys(keys[mid]!, target) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Runs `steps` random operations on `it` and on the model `model` (all entries, sorted), checking after each that
 * both agree on validity, key and value. Targets are existing keys, absent keys, and keys before/after all.
 * Returns how many direction switches (next after prev or prev after next) were exercised.
 */
export function checkAgainstModel(
  it: InternalIterator,
  model: Entries,
  rand: (n: number) => number,
  steps: number,
): number {
  const { keys, values } = model;
  let pos = -1;
  let last: 'next' | 'prev' | undefined;
  let switches = 0;
  const target = (): Buffer => {
    const r = rand(10);
    if (r < 4 && keys.length > 0) return keys[rand(keys.length)]!;
    if (r === 4) return makeInternalKey(Buffer.alloc(0), Number.MAX_SAFE_INTEGER, 1);
    if (r === 5) return makeInternalKey(Buffer.from([0xff, 0xff]), 0, 0);
    return randomKey(rand, keys.length * 4);
  };
  for (let step = 0; step < steps; step++) {
    const valid = pos >= 0 && pos < keys.length;
    const op = rand(valid ? 8 : 4);
    if (op === 0) {
      it.seekToFirst();
      pos = 0;
      last = undefined;
    } else if (op === 1) {
      it.seekToLast();
      pos = keys.length - 1;
      last = undefined;
    } else if (op === 2) {
      const t = target();
      it.seek(t);
      pos = lowerBound(keys, t);
      last = 'next';
    } else if (op === 3) {
      const t = target();
      it.seekForPrev(t);
      const i = lowerBound(keys, t);
      pos = i < keys.length && compareInternalKeys(keys[i]!, t) === 0 ? i : i - 1;
      last = 'prev';
    } else if (op < 6) {
      if (last === 'prev') switches++;
      it.next();
      pos++;
      last = 'next';
    } else {
      if (last === 'next') switches++;
      it.prev();
      pos--;
      last = 'prev';
    }
    const expectValid = pos >= 0 && pos < keys.length;
    // Compare cheaply; call expect (slow) only to report a mismatch.
    const agrees =
      it.valid() === expectValid &&
      (!expectValid || (Buffer.compare(it.key(), keys[pos]!) === 0 && Buffer.compare(it.value(), values[pos]!) === 0));
    if (!agrees) {
      expect(it.valid(), `step ${step} op ${op}`).toBe(expectValid);
      expect(Buffer.from(it.key()).toString('hex'), `step ${step} op ${op} key`).toBe(keys[pos]!.toString('hex'));
      expect(Buffer.from(it.value()).toString(), `step ${step} op ${op} value`).toBe(values[pos]!.toString());
    }
    if (!expectValid) pos = -1;
  }
  return switches;
}

/** Walks the whole iterator forward then backward and returns the keys seen (hex) in each direction. */
export function scan(it: InternalIterator): { forward: string[]; backward: string[] } {
  const forward: string[] = [];
  for (it.seekToFirst(); it.valid(); it.next()) forward.push(Buffer.from(it.key()).toString('hex'));
  const backward: string[] = [];
  for (it.seekToLast(); it.valid(); it.prev()) backward.push(Buffer.from(it.key()).toString('hex'));
  return { forward, backward };
}
