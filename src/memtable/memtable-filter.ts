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
 * Sizing: a fixed fraction of the write buffer (memTableFilterBytes), allocated when the memtable is made; its
 * pages are touched only as keys land in them. Measured false-positive rates (seeded random 16-byte db_bench keys,
 * 100 K absent keys probed; test/memtable/memtable-filter.test.ts bounds them):
 *   see the table in memTableFilterBytes below.
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
