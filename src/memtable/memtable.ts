/**
 * memtable — the in-memory write buffer: an arena skiplist ordered by internal key (user key ascending bytewise,
 * then sequence descending, then kind descending; src/base/comparator.ts).
 *
 * No object per entry. Entry bytes (user key ‖ 8-byte trailer ‖ value) live in the Arena's chunks; nodes live in
 * one Int32Array (the "link array") over a SharedArrayBuffer, a node being a run of ints at position p:
 *
 *   p+0 chunk index   p+1 offset in chunk   p+2 internal key length   p+3 value length   p+4 prev node at level 0
 *   p+5..p+8 key words   p+9+l next node at level l (0 <= l < node height)
 *
 * The key words are the first 16 user-key bytes (zero-padded) as four big-endian numbers, each with its top bit
 * flipped, so that signed Int32 order is bytewise order. A search step compares them word by word and reads the
 * arena only when all four tie, which for keys of at most 16 bytes means equal user keys (or one a zero-padded
 * prefix of the other, decided by the lengths in the node) and for longer ones a shared 16-byte prefix. The words
 * sit next to the forward links, so a step costs one memory miss instead of two.
 * Why 16 bytes and not 4: db_bench keys are zero-padded decimals ("%016d"), whose first ~9 bytes are '0' for every
 * key, so a 4-byte prefix never decided a comparison. The node grows by 12 bytes (~41 instead of ~29 link bytes per
 * entry, so a 64 MiB write buffer holds ~7% fewer 100-byte entries). bench/memtable.bench.ts, ops/s by process CPU
 * time, medians of 3 on the loaded 2-core machine, 4-byte prefix -> 16 inline bytes:
 *   500 K keys: fillrandom (add per op) 119 K -> 487 K, fillseq 664 K -> 1.6 M
 *   1 M keys:   fillrandom 121 K -> 257 K, fillseq 666 K -> 1.46 M, get hit 87 K -> 217-232 K,
 *               get miss 74-95 K -> 313-373 K, seek 80 K -> 240 K, forward scan 2.7 M -> 2.9 M
 *
 * Batch insert: stage() copies an entry in and writes its node without linking it; linkStaged() sorts the staged
 * nodes (an Int32Array of positions, by the inline words) and links them in ascending order, each search starting
 * from the previous insert's splice at the lowest level whose successor lies beyond the new key (RocksDB's insert
 * with hint). 1 M keys in batches of 1000, CPU ops/s, in-process alternation of the two paths: sequential keys
 * 1.18 M -> 1.73 M (1.46 M -> 1.97 M in the bench above), random keys 288 K vs 282 K (no change). Key comparisons
 * per random insert drop from 30 to 16, but the ones saved are on the upper levels, which stay in cache; the cost
 * left is ~10 cache misses on the lowest levels, which a finger search does not avoid. A manual byte loop instead of
 * TypedArray#set for the 16-byte key and 100-byte value was slower (seq 1.83 M -> 1.44 M).
 * With the native codec, linkStaged is one call into native/skiplist-link.cc (MemTableOptions.linker), which
 * writes the same links; for unsorted batches it overlaps the searches' cache misses, which JavaScript cannot
 * (1 M random keys: link CPU ~0.65 us/key against ~1.9-3.1 us here; bench/memtable.bench.ts "linkStaged").
 * stageBatch() stages a whole encoded write batch in one call into native/skiplist-stage.cc (options.stager):
 * same bytes as stage() per op, with no view per op; the JavaScript still allocates chunks and arrays. Memtable
 * fill, 1 M keys, CPU: random 308 K (TS) -> 877 K (native link) -> 1.12 M (both); sequential 2.26 M -> 2.51 M ->
 * 6.9 M. test/codec/skiplist-parity.test.ts holds both to their TypeScript twins byte for byte.
 *
 * Whole-key filter (options.filterBytes/filterHash, ./memtable-filter.ts): add() sets the key's bits; stage()
 * (also stageBatch's fallback per op) defers them to linkStaged(), which sets them before it links anything; the
 * native stager sets the bits of every node it writes (native/memtable-filter.h). Only newNode makes nodes, and
 * only add, stage and the native stager call it or write nodes. get(key, seq, hash) skips the search when the
 * filter rules the key out. fromImage() memtables have no filter (flushes never get).
 *
 * Position 0 is the head (MAX_HEIGHT next links) and doubles as "no node": nothing links forward to the head, and
 * the first node's prev link is 0. The head's prev slot holds the last node (the tail), so seekToLast is O(1).
 * Branching factor 4, at most 12 levels (4^12 = 16 M entries before searches degrade, far above what a 64 MiB
 * write buffer holds).
 *
 * Reverse iteration: level 0 carries backward links, so prev() is one array read. The alternative (LevelDB's
 * "find less than" search from the head, no back links) costs a full descent per step. Measured with an earlier
 * bench/memtable.bench.ts (1 M random-byte 16-byte keys, 4-byte prefix in the node): reverse scan 1.9-2.4 M
 * entries/s with back links against 0.2-0.4 M/s for a search per step (a seek, the same descent); keeping the back
 * link costs 4 bytes per node and no insert time we could measure (the predecessor's node is already in cache).
 *
 * Threads: one thread (the db's) writes. A memtable is frozen before image() hands its SharedArrayBuffers to a
 * worker (postMessage shares, never copies them), and a frozen memtable is never written again, so readers in
 * other threads see a quiescent structure and need no atomics. fromImage() builds a read-only MemTable over those
 * buffers. The link array is replaced by a larger copy when it fills; that happens only while not frozen, and the
 * iterator re-reads the current array on every move.
 *
 * Who may call: the db layer (write path, read path, flush). REQUIRES lines on each method.
 *
 * Flush: forEachRaw (offsets into a chunk, no allocation per entry) walked 4.9-7.9 M entries/s, the iterator
 * 1.8-3.4 M/s and forEach (two views per entry) 2-2.9 M/s, on a loaded 2-core machine (random-byte keys).
 * Profile of the batch path today (node --cpu-prof, fillrandom 500 K): the search ~54%, linkStaged's own loop
 * ~10%, newNode (arena copy) ~7%, the sort ~4%, forEachBatchOp's two views per op plus GC ~10%.
 */

import { getFixed32, getFixed64, getVarint, varintValue } from '../base/coding.js';
import { LsmkvError, ErrorCode } from '../base/errors.js';
import { KIND_FOR_SEEK, TRAILER_SIZE, ValueKind, putTrailer, trailerSequence } from '../base/internal-key.js';
import type { InternalIterator } from '../base/iterator.js';
import { Arena, type ArenaImage } from './arena.js';
import { compareRanges as compareByteRanges } from '../base/comparator.js';
import { MemTableFilter } from './memtable-filter.js';
import { MemTableIterator, type SkipListNodes } from './memtable-iterator.js';

export const MAX_HEIGHT = 12;
const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
const MIN_CHUNK_SIZE = 1024;
const MAX_CHUNK_SIZE = 2 ** 30;
const INITIAL_LINK_INTS = 4096;
const MAX_LINK_BYTES = 2 ** 31 - 4;

const F_CHUNK = 0;
const F_OFFSET = 1;
const F_KEYLEN = 2;
const F_VALLEN = 3;
const F_PREV = 4;
/** Key words: user-key bytes [0, 16) zero-padded, 4 big-endian words, each with its top bit flipped. */
const F_W0 = 5;
const F_W1 = 6;
const F_W2 = 7;
const F_W3 = 8;
const F_NEXT = 9;
const HEAD = 0;
/** User-key bytes held in the node's key words. */
const INLINE_KEY_BYTES = 16;
const SIGN = -0x80000000;

/** Plain data and SharedArrayBuffers: structured-cloneable, and postMessage shares the buffers without a copy. */
export interface MemTableImage {
  arena: ArenaImage;
  /** The link array's buffer (Int32 nodes; see the header of memtable.ts). */
  links: SharedArrayBuffer;
  /** Ints of `links` in use. */
  linksUsed: number;
  /** Current height of the skiplist (levels in use). */
  height: number;
  count: number;
}

/**
 * A native linkStaged (Codec.linkStaged, native/skiplist-link.cc): sorts staged[0, count) by internal key and links
 * those nodes into `links` exactly as MemTable.linkStaged does (same sort, same finger search, so the link array
 * comes out byte-identical), reading entry bytes from `chunks` (the arena's). Returns the list's new height.
 * Throws (and may leave the list half-linked) only on a damaged link array.
 * REQUIRES: the staged nodes were written by stage() (prev slot = height); height is the list's current height.
 */
export type StagedLinker = (
  links: Int32Array,
  staged: Int32Array,
  count: number,
  height: number,
  chunks: readonly Uint8Array[],
) => number;

/**
 * A native batch stager (Codec.stageBatch, native/skiplist-stage.cc): stages the ops of an encoded write batch
 * (docs/FORMAT.md "Write batch") from op state[STAGE_OP] at byte state[STAGE_POS] on, as stage() would, into
 * `chunk` (the arena's current chunk, from byte state[STAGE_OFFSET]), `links` and `staged`, updating `state`.
 * Returns 1 when every op is staged, 0 when it stopped at an op that does not fit (the caller stages that one),
 * -1 for a malformed payload (only on the first call; nothing staged). Never allocates.
 * `filter`, when given, is a MemTableFilter's words: each staged op sets its user key's bits there as
 * MemTableFilter.add(XXH32(key, BLOOM_SEED)) does (native/memtable-filter.h).
 */
export type BatchStager = (
  payload: Uint8Array,
  state: Int32Array,
  links: Int32Array,
  staged: Int32Array,
  chunk: Uint8Array,
  filter?: Int32Array,
) => number;

/** Slots of a BatchStager's state array. DO NOT CHANGE without StageSlot in native/skiplist-stage.h. */
export const StageSlot = {
  POS: 0,
  OP: 1,
  RNG: 2,
  LINKS_USED: 3,
  COUNT: 4,
  CHUNK: 5,
  OFFSET: 6,
} as const;
const STAGE_SLOTS = 7;
const BATCH_HEADER_BYTES = 12;
const NO_CHUNK: Uint8Array = new Uint8Array(0);

export interface MemTableOptions {
  /** Arena chunk bytes, default 4 MiB; entries larger than a quarter of it get their own chunk. */
  chunkSize?: number;
  /**
   * Initial capacity of the link array in bytes (default 16 KiB; at most 2^31 - 4). The db passes its write buffer
   * size, which the link array of a memtable it rotates at that size can barely exceed: the SharedArrayBuffer is
   * reserved, not touched (the OS maps its zero pages on first write), so the array is never copied into a bigger
   * one inside a write. That copy is what this avoids: ~24 ms of one event-loop turn for 32 MB.
   */
  linkBytes?: number;
  /** Links staged batches natively (one call per linkStaged); linkStaged below is its TypeScript twin. */
  linker?: StagedLinker;
  /** Stages whole write batches natively (stageBatch); stage() per op is its TypeScript twin. */
  stager?: BatchStager;
  /**
   * Bytes of a whole-key filter (./memtable-filter.ts) that get() probes with the hash its caller passes; 0 or
   * absent: no filter (get searches). REQUIRES filterHash too.
   */
  filterBytes?: number;
  /**
   * The filter's key hash, applied to every key that enters. It must be the hash callers pass to get() and, with
   * a stager, XXH32(key, BLOOM_SEED) (what the native stager computes): the db passes bloomHash.
   */
  filterHash?: (key: Uint8Array) => number;
}

/** Callback of forEachRaw: entry key is chunk[keyStart, keyEnd) (an internal key), value chunk[keyEnd, valueEnd). */
export type RawEntryCallback = (chunk: Buffer, keyStart: number, keyEnd: number, valueEnd: number) => void;

export class MemTable implements SkipListNodes {
  private arena: Arena;
  private links: Int32Array;
  private linksUsed: number;
  private height = 1;
  private entryCount = 0;
  private isFrozen = false;
  private rng = 0x2545f491;
  /** splice[l] = the node after which an insert links in at level l; reused by every add(). */
  private readonly splice = new Int32Array(MAX_HEIGHT);
  /** Positions of the nodes stage() wrote and linkStaged() has not linked yet: staged[0, stagedCount). */
  private staged = new Int32Array(1024);
  private stagedCount = 0;
  private readonly linker: StagedLinker | undefined;
  private readonly stager: BatchStager | undefined;
  private readonly stageState = new Int32Array(STAGE_SLOTS);
  private readonly filter: MemTableFilter | undefined;
  private readonly filterHash: ((key: Uint8Array) => number) | undefined;

  constructor(options?: MemTableOptions) {
    const chunkSize = options?.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      throw new RangeError(
        `memtable: chunkSize must be an integer between ${MIN_CHUNK_SIZE} and ${MAX_CHUNK_SIZE}, got ${chunkSize}`,
      );
    }
    this.arena = new Arena(chunkSize);
    this.linker = options?.linker;
    this.stager = options?.stager;
    const filterBytes = options?.filterBytes ?? 0;
    const filterHash = options?.filterHash;
    if (filterBytes !== 0 && typeof filterHash !== 'function') {
      throw new TypeError('memtable: filterBytes needs a filterHash function');
    }
    this.filter = filterBytes === 0 ? undefined : new MemTableFilter(filterBytes);
    this.filterHash = this.filter === undefined ? undefined : filterHash;
    const linkBytes = options?.linkBytes ?? INITIAL_LINK_INTS * 4;
    if (!Number.isInteger(linkBytes) || linkBytes < 0 || linkBytes > MAX_LINK_BYTES) {
      throw new RangeError(`memtable: linkBytes must be an integer between 0 and ${MAX_LINK_BYTES}, got ${linkBytes}`);
    }
    const ints = Math.max(INITIAL_LINK_INTS, Math.ceil(linkBytes / 4));
    this.links = new Int32Array(new SharedArrayBuffer(ints * 4));
    this.linksUsed = F_NEXT + MAX_HEIGHT;
  }

  /** Ints the link array can hold before it must be copied into a bigger one. */
  get linkCapacity(): number {
    return this.links.length;
  }

  /** Bytes used (arena + links): what the db compares with writeBufferSize. */
  get approximateBytes(): number {
    return this.arena.usedBytes + this.linksUsed * 4;
  }

  get count(): number {
    return this.entryCount;
  }

  /** The whole-key filter, if this memtable has one (not after fromImage). For tests and benchmarks. */
  get keyFilter(): MemTableFilter | undefined {
    return this.filter;
  }

  get frozen(): boolean {
    return this.isFrozen;
  }

  /**
   * Inserts an entry. key is a user key; kind a ValueKind (the value is stored as given, empty for deletions).
   * REQUIRES: not frozen; (key, seq) not already present; 0 <= seq < 2^53; 0 <= kind <= 255.
   */
  add(seq: number, kind: number, key: Uint8Array, value: Uint8Array): void {
    if (this.isFrozen) throw new LsmkvError(ErrorCode.READ_ONLY, 'memtable: add on a frozen memtable');
    const h = this.randomHeight();
    const p = this.newNode(seq, kind, key, value, h);
    if (this.filter !== undefined) this.filter.add(this.filterHash!(key));
    this.findGreaterOrEqual(key, 0, key.length, seq, kind, this.splice);
    this.linkNode(p, h);
  }

  /**
   * Copies an entry into the memtable without linking it in: it is invisible (to get, iterators, count and the
   * flush walks) until linkStaged(). Same arguments as add(). The batch write path: stage every op of a commit,
   * then link them all at once in key order.
   * REQUIRES: not frozen; (key, seq) neither present nor staged; 0 <= seq < 2^53; 0 <= kind <= 255; no add()
   * between stage() and linkStaged().
   */
  stage(seq: number, kind: number, key: Uint8Array, value: Uint8Array): void {
    if (this.isFrozen) throw new LsmkvError(ErrorCode.READ_ONLY, 'memtable: stage on a frozen memtable');
    const h = this.randomHeight();
    const p = this.newNode(seq, kind, key, value, h);
    // Its filter bits are set by linkStaged, before it becomes visible.
    if (this.filter !== undefined) this.filter.defer(this.filterHash!(key));
    // Until linked, a staged node's prev slot holds its height.
    this.links[p + F_PREV] = h;
    let n = this.stagedCount;
    if (n === this.staged.length) {
      const bigger = new Int32Array(n * 2);
      bigger.set(this.staged);
      this.staged = bigger;
    }
    this.staged[n++] = p;
    this.stagedCount = n;
  }

  /**
   * Stages every op of an encoded write batch (op i gets sequence firstSeq + i) with the native stager, in one
   * call per batch (plus one per arena chunk it fills): the same bytes as stage() per op. Returns false, having
   * staged nothing, when there is no stager or the payload is malformed; the caller then walks the ops itself
   * (forEachBatchOp, which reports the damage) and calls stage().
   * REQUIRES: as stage() for every op.
   */
  stageBatch(payload: Uint8Array): boolean {
    if (this.isFrozen) throw new LsmkvError(ErrorCode.READ_ONLY, 'memtable: stageBatch on a frozen memtable');
    const stager = this.stager;
    if (stager === undefined || payload.length < BATCH_HEADER_BYTES) return false;
    const count = getFixed32(payload, 8);
    // Every op takes at least 2 payload bytes; a larger count is malformed (and must not size the arrays).
    if (count > (payload.length - BATCH_HEADER_BYTES) / 2) return false;
    // Room for every op beforehand, as stage() would grow them op by op: the stager never allocates.
    if (this.stagedCount + count > this.staged.length) {
      const bigger = new Int32Array(Math.max(this.staged.length * 2, this.stagedCount + count));
      bigger.set(this.staged.subarray(0, this.stagedCount));
      this.staged = bigger;
    }
    const need = this.linksUsed + count * (F_NEXT + MAX_HEIGHT);
    if (need > this.links.length) this.growLinks(need);
    const st = this.stageState;
    st[StageSlot.POS] = BATCH_HEADER_BYTES;
    st[StageSlot.OP] = 0;
    const arena = this.arena;
    for (let first = true; ; first = false) {
      st[StageSlot.RNG] = this.rng;
      st[StageSlot.LINKS_USED] = this.linksUsed;
      st[StageSlot.COUNT] = this.stagedCount;
      const current = arena.currentChunk;
      st[StageSlot.CHUNK] = current;
      st[StageSlot.OFFSET] = arena.currentUsed;
      const chunk = current < 0 ? NO_CHUNK : arena.chunks[current]!;
      const done =
        this.filter === undefined
          ? stager(payload, st, this.links, this.staged, chunk)
          : stager(payload, st, this.links, this.staged, chunk, this.filter.words);
      if (done < 0) {
        if (first) return false;
        // Validated on the first call; only a payload changed under us gets here, with some ops staged.
        throw new LsmkvError(ErrorCode.INVALID_ARGUMENT, 'memtable: stageBatch: the payload changed while staging');
      }
      this.rng = st[StageSlot.RNG]!;
      this.linksUsed = st[StageSlot.LINKS_USED]!;
      this.stagedCount = st[StageSlot.COUNT]!;
      if (current >= 0) arena.advanceCurrent(st[StageSlot.OFFSET]!);
      if (done === 1) return true;
      // The op at POS does not fit the current chunk: stage() allocates (a new or a dedicated chunk).
      st[StageSlot.POS] = this.stageOpAt(payload, st[StageSlot.POS]!, getFixed64(payload, 0) + st[StageSlot.OP]!);
      st[StageSlot.OP]!++;
    }
  }

  /** Stages the batch op at payload[pos] with sequence seq; returns the position after it. REQUIRES: well-formed. */
  private stageOpAt(payload: Uint8Array, pos: number, seq: number): number {
    const kind = payload[pos]!;
    pos = getVarint(payload, pos + 1, payload.length);
    const key = payload.subarray(pos, pos + varintValue.v);
    pos += varintValue.v;
    let value = NO_CHUNK;
    if (kind === ValueKind.Value) {
      pos = getVarint(payload, pos, payload.length);
      value = payload.subarray(pos, pos + varintValue.v);
      pos += varintValue.v;
    }
    this.stage(seq, kind, key, value);
    return pos;
  }

  /**
   * Links in every staged entry. They are sorted by internal key first (skipped when already in order), and each
   * search starts from where the previous insert linked in (its splice) rather than from the head: from the lowest
   * level whose successor lies beyond the new key, so a run of nearby keys costs a few steps each.
   * Idempotent when nothing is staged.
   */
  linkStaged(): void {
    // The bits of what stage() staged (the native stager sets its own): before any staged node is linked.
    if (this.filter !== undefined) this.filter.applyDeferred();
    const n = this.stagedCount;
    if (n === 0) return;
    this.stagedCount = 0;
    if (this.linker !== undefined) {
      this.height = this.linker(this.links, this.staged, n, this.height, this.arena.chunks);
      this.entryCount += n;
      return;
    }
    if (n === 1) {
      // One op (fillrandom-single): a plain search from the head costs less than checking a splice level by level.
      this.linkOne(this.staged[0]!);
      return;
    }
    const staged = this.staged.subarray(0, n);
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) sorted = this.compareNodes(staged[i - 1]!, staged[i]!) < 0;
    if (!sorted) staged.sort(this.compareNodesFn);
    const links = this.links;
    const splice = this.splice;
    // The head is below every key: a valid splice for the first search.
    splice.fill(HEAD);
    for (let i = 0; i < n; i++) {
      const p = staged[i]!;
      const h = links[p + F_PREV]!;
      const chunk = this.arena.chunks[links[p + F_CHUNK]!]!;
      const off = links[p + F_OFFSET]!;
      const ukEnd = off + links[p + F_KEYLEN]! - TRAILER_SIZE;
      const seq = trailerSequence(chunk, ukEnd);
      const kind = chunk[ukEnd]!;
      // Lowest level whose splice successor is at or beyond the new node (the levels above bracket it too).
      const top = this.height - 1;
      let level = 0;
      let bigger = 0;
      for (; level < top; level++) {
        bigger = links[splice[level]! + F_NEXT + level]!;
        if (bigger === 0 || this.compareNodes(bigger, p) > 0) break;
      }
      if (level === top) bigger = -1;
      this.searchFrom(splice[level]!, level, bigger, chunk, off, ukEnd, seq, kind, splice);
      this.linkNode(p, h);
      for (let l = 0; l < h; l++) splice[l] = p;
    }
  }

  /** Links staged node p in by a search from the head. */
  private linkOne(p: number): void {
    const links = this.links;
    const chunk = this.arena.chunks[links[p + F_CHUNK]!]!;
    const off = links[p + F_OFFSET]!;
    const ukEnd = off + links[p + F_KEYLEN]! - TRAILER_SIZE;
    const h = links[p + F_PREV]!;
    this.findGreaterOrEqual(chunk, off, ukEnd, trailerSequence(chunk, ukEnd), chunk[ukEnd]!, this.splice);
    this.linkNode(p, h);
  }
  /**
   * The newest entry for `key` with sequence <= seq: undefined if there is none here, null if it is a deletion,
   * else a copy of its value. With `hash` (the filterHash of key) a memtable with a filter answers undefined
   * without a search when the filter rules the key out.
   * REQUIRES: hash, when given, is filterHash(key).
   */
  get(key: Uint8Array, seq: number, hash?: number): Buffer | null | undefined {
    if (hash !== undefined && this.filter !== undefined && !this.filter.mayContain(hash)) return undefined;
    const p = this.findGreaterOrEqual(key, 0, key.length, seq, KIND_FOR_SEEK, null);
    if (p === 0) return undefined;
    const links = this.links;
    const keyLen = key.length;
    if (links[p + F_KEYLEN]! - TRAILER_SIZE !== keyLen) return undefined;
    if (this.compareKeyWords(p, key, 0, keyLen) !== 0) return undefined;
    const chunk = this.arena.chunks[links[p + F_CHUNK]!]!;
    const off = links[p + F_OFFSET]!;
    const ukEnd = off + keyLen;
    if (keyLen > INLINE_KEY_BYTES && compareByteRanges(chunk, off, ukEnd, key, 0, keyLen) !== 0) return undefined;
    if (chunk[ukEnd] === ValueKind.Deletion) return null;
    const vStart = ukEnd + TRAILER_SIZE;
    // Buffer.from(view) copies; measured ~1.5x faster than allocUnsafe + Buffer#copy for 100-byte values.
    return Buffer.from(chunk.subarray(vStart, vStart + links[p + F_VALLEN]!));
  }

  /** An InternalIterator over the entries; key()/value() are views into the arena, valid while this lives. */
  iterator(): InternalIterator {
    return new MemTableIterator(this);
  }

  /**
   * Calls cb for every entry in order with views of its internal key and value (valid while this lives).
   * The flush path: one level-0 walk, no iterator dispatch.
   */
  forEach(cb: (key: Buffer, value: Buffer) => void): void {
    const links = this.links;
    const chunks = this.arena.chunks;
    for (let p = links[HEAD + F_NEXT]!; p !== 0; p = links[p + F_NEXT]!) {
      const chunk = chunks[links[p + F_CHUNK]!]!;
      const off = links[p + F_OFFSET]!;
      const keyEnd = off + links[p + F_KEYLEN]!;
      cb(chunk.subarray(off, keyEnd), chunk.subarray(keyEnd, keyEnd + links[p + F_VALLEN]!));
    }
  }

  /** Like forEach, but hands out offsets into the chunk instead of views: no allocation per entry. */
  forEachRaw(cb: RawEntryCallback): void {
    const links = this.links;
    const chunks = this.arena.chunks;
    for (let p = links[HEAD + F_NEXT]!; p !== 0; p = links[p + F_NEXT]!) {
      const off = links[p + F_OFFSET]!;
      const keyEnd = off + links[p + F_KEYLEN]!;
      cb(chunks[links[p + F_CHUNK]!]!, off, keyEnd, keyEnd + links[p + F_VALLEN]!);
    }
  }

  /** Links what is staged, then makes the memtable immutable: add() throws and image() may be taken. Idempotent. */
  freeze(): void {
    this.linkStaged();
    this.isFrozen = true;
  }

  /** The shared buffers and counters that fromImage() needs. REQUIRES: frozen. */
  image(): MemTableImage {
    if (!this.isFrozen) throw new LsmkvError(ErrorCode.INVALID_ARGUMENT, 'memtable: image() of a memtable not frozen');
    return {
      arena: this.arena.image(),
      links: this.links.buffer as SharedArrayBuffer,
      linksUsed: this.linksUsed,
      height: this.height,
      count: this.entryCount,
    };
  }

  /** A frozen, read-only MemTable over an image's buffers (no copy), e.g. in a worker thread. */
  static fromImage(image: MemTableImage): MemTable {
    if (typeof image !== 'object' || image === null || !(image.links instanceof SharedArrayBuffer)) {
      throw new TypeError('memtable: image.links must be a SharedArrayBuffer');
    }
    const { linksUsed, height, count } = image;
    if (!Number.isInteger(linksUsed) || linksUsed * 4 > image.links.byteLength || linksUsed < F_NEXT + MAX_HEIGHT) {
      throw new RangeError(`memtable: image.linksUsed out of range: ${linksUsed}`);
    }
    if (!Number.isInteger(height) || height < 1 || height > MAX_HEIGHT) {
      throw new RangeError(`memtable: image.height out of range: ${height}`);
    }
    const mt = new MemTable({ chunkSize: MIN_CHUNK_SIZE });
    mt.arena = Arena.fromImage(image.arena);
    mt.links = new Int32Array(image.links);
    mt.linksUsed = linksUsed;
    mt.height = height;
    mt.entryCount = count;
    mt.isFrozen = true;
    return mt;
  }

  // ---- SkipListNodes: node-level access for MemTableIterator. Node 0 means "none". ----

  firstNode(): number {
    return this.links[HEAD + F_NEXT]!;
  }

  lastNode(): number {
    return this.links[HEAD + F_PREV]!;
  }

  nextNode(p: number): number {
    return this.links[p + F_NEXT]!;
  }

  prevNode(p: number): number {
    return this.links[p + F_PREV]!;
  }

  seekNode(t: Uint8Array, ts: number, te: number, seq: number, kind: number): number {
    return this.findGreaterOrEqual(t, ts, te, seq, kind, null);
  }

  compareNode(p: number, t: Uint8Array, ts: number, te: number, seq: number, kind: number): number {
    const links = this.links;
    const chunk = this.arena.chunks[links[p + F_CHUNK]!]!;
    const off = links[p + F_OFFSET]!;
    const ukEnd = off + links[p + F_KEYLEN]! - TRAILER_SIZE;
    const c = compareByteRanges(chunk, off, ukEnd, t, ts, te);
    if (c !== 0) return c;
    const s = trailerSequence(chunk, ukEnd);
    if (s !== seq) return s > seq ? -1 : 1;
    const k = chunk[ukEnd]!;
    return k === kind ? 0 : k > kind ? -1 : 1;
  }

  nodeKey(p: number): Buffer {
    const links = this.links;
    const off = links[p + F_OFFSET]!;
    return this.arena.chunks[links[p + F_CHUNK]!]!.subarray(off, off + links[p + F_KEYLEN]!);
  }

  linkArray(): Int32Array {
    return this.links;
  }

  arenaChunks(): readonly Uint8Array[] {
    return this.arena.chunks;
  }

  nodeValue(p: number): Buffer {
    const links = this.links;
    const start = links[p + F_OFFSET]! + links[p + F_KEYLEN]!;
    return this.arena.chunks[links[p + F_CHUNK]!]!.subarray(start, start + links[p + F_VALLEN]!);
  }

  // ---- internals ----

  /**
   * First node >= target (user key t[ts, te), seq, kind), or 0. If splice is given, splice[l] receives the last
   * node < target at each level below the current height. Skips re-comparing a node already found bigger one
   * level up. A step compares the node's key words first; only a tie on all 16 inline bytes goes further.
   */
  private findGreaterOrEqual(
    t: Uint8Array,
    ts: number,
    te: number,
    seq: number,
    kind: number,
    splice: Int32Array | null,
  ): number {
    return this.searchFrom(HEAD, this.height - 1, -1, t, ts, te, seq, kind, splice);
  }

  /**
   * The search of findGreaterOrEqual from node x at `level`, x known to be < target; lastBigger is a node known
   * to be >= target (-1 if none), so it is not compared again. Fills splice[0..level].
   */
  private searchFrom(
    x: number,
    level: number,
    lastBigger: number,
    t: Uint8Array,
    ts: number,
    te: number,
    seq: number,
    kind: number,
    splice: Int32Array | null,
  ): number {
    const links = this.links;
    const t0 = keyWord(t, ts, te);
    const t1 = keyWord(t, ts + 4, te);
    const t2 = keyWord(t, ts + 8, te);
    const t3 = keyWord(t, ts + 12, te);
    for (;;) {
      const next = links[x + F_NEXT + level]!;
      if (next !== 0 && next !== lastBigger) {
        let w = links[next + F_W0]!;
        if (w === t0) {
          w = links[next + F_W1]!;
          if (w === t1) {
            w = links[next + F_W2]!;
            if (w === t2) {
              w = links[next + F_W3]!;
              if (w === t3) {
                if (this.compareTie(next, t, ts, te, seq, kind) < 0) {
                  x = next;
                  continue;
                }
              } else if (w < t3) {
                x = next;
                continue;
              }
            } else if (w < t2) {
              x = next;
              continue;
            }
          } else if (w < t1) {
            x = next;
            continue;
          }
        } else if (w < t0) {
          x = next;
          continue;
        }
      }
      if (splice !== null) splice[level] = x;
      if (level === 0) return next;
      lastBigger = next;
      level--;
    }
  }

  /** Sign of node a's internal key minus node b's. */
  private compareNodes(a: number, b: number): number {
    const links = this.links;
    for (let i = F_W0; i <= F_W3; i++) {
      const x = links[a + i]!;
      const y = links[b + i]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    const chunk = this.arena.chunks[links[b + F_CHUNK]!]!;
    const off = links[b + F_OFFSET]!;
    const ukEnd = off + links[b + F_KEYLEN]! - TRAILER_SIZE;
    return this.compareTie(a, chunk, off, ukEnd, trailerSequence(chunk, ukEnd), chunk[ukEnd]!);
  }

  private readonly compareNodesFn = (a: number, b: number): number => this.compareNodes(a, b);

  /** Writes a node of height h for a new entry (its links unset) and the entry's bytes; returns its position. */
  private newNode(seq: number, kind: number, key: Uint8Array, value: Uint8Array, h: number): number {
    const keyLen = key.length;
    const ikeyLen = keyLen + TRAILER_SIZE;
    const valueLen = value.length;
    const arena = this.arena;
    const off = arena.allocate(ikeyLen + valueLen);
    const chunkIndex = arena.lastChunk;
    const chunk = arena.chunks[chunkIndex]!;
    chunk.set(key, off);
    putTrailer(chunk, off + keyLen, seq, kind);
    if (valueLen !== 0) chunk.set(value, off + ikeyLen);
    const p = this.linksUsed;
    if (p + F_NEXT + h > this.links.length) this.growLinks(p + F_NEXT + h);
    const links = this.links;
    links[p + F_CHUNK] = chunkIndex;
    links[p + F_OFFSET] = off;
    links[p + F_KEYLEN] = ikeyLen;
    links[p + F_VALLEN] = valueLen;
    links[p + F_W0] = keyWord(key, 0, keyLen);
    links[p + F_W1] = keyWord(key, 4, keyLen);
    links[p + F_W2] = keyWord(key, 8, keyLen);
    links[p + F_W3] = keyWord(key, 12, keyLen);
    this.linksUsed = p + F_NEXT + h;
    return p;
  }

  /** Links node p of height h in after splice[l] at each level l < h (raising the list's height if needed). */
  private linkNode(p: number, h: number): void {
    const splice = this.splice;
    if (h > this.height) {
      for (let l = this.height; l < h; l++) splice[l] = HEAD;
      this.height = h;
    }
    const links = this.links;
    for (let l = 0; l < h; l++) {
      const before = splice[l]!;
      links[p + F_NEXT + l] = links[before + F_NEXT + l]!;
      links[before + F_NEXT + l] = p;
    }
    const before0 = splice[0]!;
    links[p + F_PREV] = before0;
    const after0 = links[p + F_NEXT]!;
    links[(after0 === 0 ? HEAD : after0) + F_PREV] = p;
    this.entryCount++;
  }

  /** Sign of node p's user key minus t[ts, te), comparing the key words only (the first 16 bytes, zero-padded). */
  private compareKeyWords(p: number, t: Uint8Array, ts: number, te: number): number {
    const links = this.links;
    for (let i = 0; i < 4; i++) {
      const a = links[p + F_W0 + i]!;
      const b = keyWord(t, ts + 4 * i, te);
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  }

  /**
   * Sign of node p's internal key minus (t[ts, te), seq, kind) when their key words are equal.
   * With equal words the keys agree on their first min(length, 16) bytes, so unless both are longer than 16 bytes
   * the shorter one is a prefix of the other; only two long keys compare arena bytes past the 16th.
   */
  private compareTie(p: number, t: Uint8Array, ts: number, te: number, seq: number, kind: number): number {
    const links = this.links;
    const chunk = this.arena.chunks[links[p + F_CHUNK]!]!;
    const off = links[p + F_OFFSET]!;
    const ukEnd = off + links[p + F_KEYLEN]! - TRAILER_SIZE;
    const nLen = ukEnd - off;
    const tLen = te - ts;
    if (nLen > INLINE_KEY_BYTES && tLen > INLINE_KEY_BYTES) {
      const c = compareByteRanges(chunk, off + INLINE_KEY_BYTES, ukEnd, t, ts + INLINE_KEY_BYTES, te);
      if (c !== 0) return c;
    } else if (nLen !== tLen) {
      return nLen - tLen;
    }
    const s = trailerSequence(chunk, ukEnd);
    if (s !== seq) return s > seq ? -1 : 1;
    const k = chunk[ukEnd]!;
    return k === kind ? 0 : k > kind ? -1 : 1;
  }

  private randomHeight(): number {
    // xorshift32; height grows with probability 1/4 per level.
    let s = this.rng;
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    this.rng = s;
    let h = 1;
    while (h < MAX_HEIGHT && (s & 3) === 0) {
      h++;
      s >>>= 2;
    }
    return h;
  }

  private growLinks(need: number): void {
    let cap = this.links.length * 2;
    while (cap < need) cap *= 2;
    const next = new Int32Array(new SharedArrayBuffer(cap * 4));
    next.set(this.links.subarray(0, this.linksUsed));
    this.links = next;
  }
}

/** Bytes t[i, i + 4) of the key t[.., te) (zero past te), big-endian, top bit flipped: signed order = bytewise. */
function keyWord(t: Uint8Array, i: number, te: number): number {
  if (i + 4 <= te) return ((t[i]! << 24) | (t[i + 1]! << 16) | (t[i + 2]! << 8) | t[i + 3]!) ^ SIGN;
  const b0 = i < te ? t[i]! : 0;
  const b1 = i + 1 < te ? t[i + 1]! : 0;
  const b2 = i + 2 < te ? t[i + 2]! : 0;
  return ((b0 << 24) | (b1 << 16) | (b2 << 8)) ^ SIGN;
}
