/**
 * memtable-filter — a whole-key filter over the user keys of one memtable (RocksDB's memtable_whole_key_filtering),
 * so that a point lookup of a key the memtable does not hold skips the skiplist search.
 *
 * A cache-line-blocked bloom filter: an Int32Array of `blocks` blocks of 16 words (512 bits, 64 bytes). A key
 * with 32-bit hash h sets (and is probed at) FILTER_PROBES bits inside block floor(h × blocks / 2^32): the bit
 * positions are the top 9 bits of x after each x = x × 0x9e3779b9 (mod 2^32), starting from x = h. So a probe
 * reads one block (one cache miss, when the array's start is 64-byte aligned; V8 does not promise that, so a block
 * may straddle two lines) and a miss stops at the first clear bit.
 * The hash is the caller's: the db uses bloomHash (XXH32(userKey, BLOOM_SEED), src/codec/bloom-probe.ts), the hash
 * a get computes once for the table blooms anyway. native/memtable-filter.h is the twin the native batch stager
 * sets bits with; the two must set the same bits for the same hash (test/memtable/memtable-filter.test.ts).
 *
 * Invariant (correctness, not speed): every node that enters the memtable has set its key's bits before any get
 * can see it. A false negative would skip a value or a tombstone. A false positive only costs the search.
 * Not persisted, not shared with workers (a frozen memtable's image() leaves it out; flushes do not get).
 *
 * Sizing: 2% of the write buffer (memTableFilterBytes), allocated when the memtable is made (not counted in
 * approximateBytes, so a memtable holds as many entries as before). False positives, 450 K db_bench keys (what a
 * 64 MiB buffer holds with 100-byte values), 200 K absent keys probed, by share of the buffer (bits/key) and probes:
 *   0.5% (6):  K=4 5.96%, K=6 6.87%          1% (12): K=4 0.72%, K=6 0.46%, K=8 0.45%
 *   2% (24):   K=4 0.068%, K=6 0.024%, K=8 0.009%      3% (36): K=6 0.003%
 * A false positive costs one search (~2.5-3 us at this size), a probe ~30-130 ns (one cache miss), so 1% would
 * already do; 2% (1.3 MB per 64 MiB memtable) keeps ~0.5% false positives down to ~70-byte entries (10 bits/key).
 * K = 6: a miss stops at the first clear bit, so more probes cost little; K = 6 is as good as 8 from 12 bits/key.
 *
 * Measured (bench/memtable.bench.ts --n 450000 --only filter, one memtable of 450 K entries, CPU medians of 11,
 * filter on vs off alternating in one process, loaded 2-core machine):
 *   get miss 2.2-2.9 us -> 56-132 ns (22-40x); the probe alone 32 ns vs the search 2.5-2.7 us
 *   get hit 3.4-4.2 us -> 4.1-4.5 us (0.82-0.93x, within the noise of the runs; the probe adds one cache miss)
 *   fill (random batches, native stage + link) 0.94-0.98x, after the stager's prefetch (below)
 * The benchmark's shape (fillrandom + overwrite of 1 M keys, 376 K in the live memtable, 8 L1 tables; db.get,
 * CPU, 7 rounds each, alternating; two runs): readmissing 208 K -> 816 K and 227 K -> 889 K ops/s (3.9x),
 * readrandom 74 K -> 82 K and 79 K -> 94 K (1.10x, 1.18x).
 * The native stager first set bits inline: +150 ns per staged key (the filter outgrows L2, each op's block a miss
 * that did not overlap); prefetching each block 16 ops ahead of its write brought it to +20-45 ns. Memtable fill
 * (stage + link, 450 K keys, CPU medians of 10, on vs off alternating): native sequential 159 vs 148 ns/key
 * (0.93x), native random 734 vs 739 (1.01x); TypeScript sequential 641 vs 491 (0.77x), random 2758 vs 2360
 * (0.86x): JavaScript cannot prefetch, and each key's block is a cache miss (plus ~45 ns of bloomHash).
 *
 * Who may call: MemTable (its only writer and reader). One thread. No REQUIRES beyond the method comments.
 */

/** Bits set per key. */
export const FILTER_PROBES = 6;
/** Ints per block: 16 × 32 bits = one 64-byte cache line. */
export const FILTER_BLOCK_INTS = 16;
const GOLDEN = 0x9e3779b9 | 0;
const TWO_POW_32 = 4294967296;
/** Largest filter: 2^21 blocks, so h × blocks (< 2^53) is exact in a double and matches the native 64-bit math. */
export const MAX_FILTER_BYTES = 2 ** 27;

/**
 * Filter bytes for a memtable of a write buffer of `writeBufferSize` bytes: 2% of it (at least one block). With
 * 100-byte values a 64 MiB buffer holds ~450 K entries: ~24 bits per key.
 */
export const FILTER_BUFFER_RATIO = 0.02;

export function memTableFilterBytes(writeBufferSize: number): number {
  return Math.min(MAX_FILTER_BYTES, Math.max(FILTER_BLOCK_INTS * 4, Math.floor(writeBufferSize * FILTER_BUFFER_RATIO)));
}

export class MemTableFilter {
  /** The bits, FILTER_BLOCK_INTS ints per block (the native stager writes into this array too). */
  readonly words: Int32Array;
  private readonly blocks: number;
  /** Hashes handed to defer() and not yet set: deferred[0, deferredCount). */
  private deferred = new Int32Array(1024);
  private deferredCount = 0;
  /** Where applyDeferred's loads go, so that they are not optimized away. */
  private touched = 0;

  /** A filter of about `bytes` bytes (rounded down to whole blocks, at least one). */
  constructor(bytes: number) {
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > MAX_FILTER_BYTES) {
      throw new RangeError(`memtable: filterBytes must be an integer between 0 and ${MAX_FILTER_BYTES}, got ${bytes}`);
    }
    this.blocks = Math.max(1, Math.floor(bytes / (FILTER_BLOCK_INTS * 4)));
    this.words = new Int32Array(this.blocks * FILTER_BLOCK_INTS);
  }

  /** Sets the bits of the key whose hash is h (an unsigned or signed 32-bit number). */
  add(h: number): void {
    const words = this.words;
    const base = this.blockStart(h);
    let x = h | 0;
    for (let i = 0; i < FILTER_PROBES; i++) {
      x = Math.imul(x, GOLDEN);
      const bit = x >>> 23;
      words[base + (bit >>> 5)]! |= 1 << (bit & 31);
    }
  }

  /**
   * Notes hash h to be set by the next applyDeferred(). For staged entries, invisible until linked: the bits of
   * a whole batch are set in applyDeferred's two tight loops, whose cache misses overlap better than one per entry
   * among its copy and node writes (TypeScript stage + link of 450 K sequential keys, CPU median of 10: filter
   * cost 0.65x -> 0.77x of the fill without a filter; the set itself 170 -> 128 ns/key in a --cpu-prof profile).
   */
  defer(h: number): void {
    let n = this.deferredCount;
    if (n === this.deferred.length) {
      const bigger = new Int32Array(n * 2);
      bigger.set(this.deferred);
      this.deferred = bigger;
    }
    this.deferred[n++] = h;
    this.deferredCount = n;
  }

  /** Sets the bits of every deferred hash. REQUIRES: called before the entries deferred become visible. */
  applyDeferred(): void {
    const n = this.deferredCount;
    const d = this.deferred;
    const words = this.words;
    // JavaScript has no prefetch: a first loop of independent loads, one per block, lets the CPU keep many misses
    // in flight; the second then finds the blocks in cache.
    let touch = 0;
    for (let i = 0; i < n; i++) touch ^= words[this.blockStart(d[i]!)]!;
    this.touched = touch;
    for (let i = 0; i < n; i++) this.add(d[i]!);
    this.deferredCount = 0;
  }

  /** False if no key with hash h was added (certain); true if one may have been. */
  mayContain(h: number): boolean {
    const words = this.words;
    const base = this.blockStart(h);
    let x = h | 0;
    for (let i = 0; i < FILTER_PROBES; i++) {
      x = Math.imul(x, GOLDEN);
      const bit = x >>> 23;
      if ((words[base + (bit >>> 5)]! & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  /** Index in words of the block of hash h: floor(h × blocks / 2^32) blocks in (exact: h × blocks < 2^53). */
  private blockStart(h: number): number {
    return Math.floor(((h >>> 0) * this.blocks) / TWO_POW_32) * FILTER_BLOCK_INTS;
  }
}
