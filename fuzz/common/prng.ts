/**
 * prng — the seeded pseudo-random generator every fuzz harness draws from (mulberry32: 32-bit state, fast, good
 * enough for choosing operations; not for cryptography).
 *
 * Invariant: the same seed and the same sequence of calls give the same numbers on every platform, so a failing
 * run is replayed from its seed. A harness derives independent streams with fork() instead of sharing one, so
 * that adding a draw in one place does not shift every later decision elsewhere.
 * Not shared across threads or processes (a child process gets a seed, never the state).
 */

export class Prng {
  private state: number;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new TypeError('prng: seed must be an integer');
    this.state = seed >>> 0;
  }

  /** Uniform 32-bit unsigned integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** Integer in [0, n). REQUIRES: n >= 1. */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Integer in [lo, hi] (both inclusive). REQUIRES: lo <= hi. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /**
   * Integer in [lo, hi] skewed towards lo (log-uniform): small sizes are common, large ones still happen.
   * REQUIRES: 1 <= lo <= hi.
   */
  skewed(lo: number, hi: number): number {
    const v = Math.floor(lo * Math.pow(hi / lo, this.float()));
    return Math.min(hi, Math.max(lo, v));
  }

  /** An independent generator seeded from this one. */
  fork(): Prng {
    return new Prng(this.uint32());
  }
}

/** Seed of one cycle of a run: the run seed mixed with the cycle number (so cycle c replays alone). */
export function cycleSeed(seed: number, cycle: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (cycle >>> 0) ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
