/**
 * random — the seeded pseudo-random source of the macro benchmark.
 *
 * Invariant: the same seed yields the same sequence on every run, platform and store, so every store sees the same
 * keys in the same order. Not cryptographic. Used by keys.ts, values.ts and workload orders; safe to share only
 * within one thread (it is plain mutable state).
 */

/** A small fast seeded generator (mulberry32). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next unsigned 32-bit integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform integer in [0, n). REQUIRES: 0 < n <= 2^32. */
  nextInt(n: number): number {
    return Math.floor((this.nextU32() / 4294967296) * n);
  }
}

/** A seeded permutation of 0..n-1 (Fisher–Yates). */
export function permutation(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const rnd = new SeededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rnd.nextInt(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/** `count` seeded uniform integers in [0, n) (with repeats). */
export function randomIndices(count: number, n: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  const rnd = new SeededRandom(seed);
  for (let i = 0; i < count; i++) out[i] = rnd.nextInt(n);
  return out;
}

/** A 32-bit integer mix (murmur3 finalizer): spreads nearby inputs over the whole range. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
