/**
 * db-iterator — the user-facing iterator: turns the merged internal stream (every version of every key from the
 * memtables and tables) into one entry per user key as of a sequence number, hiding deletions, within bounds.
 *
 * One direction per iterator (forward, or reverse when `reverse: true`), as in abstract-level; seek() moves within
 * that direction. Reads one consistent point in time: the sequence number captured at creation, over the
 * memtables and the version pinned at creation (the pinned version's files are not deleted until close()).
 * Entries are copies owned by the caller. Main thread only.
 */

import { compareBytes, compareRanges, compareTrailers } from '../base/comparator.js';
import { ErrorCode, LsmkvError } from '../base/errors.js';
import { KIND_FOR_SEEK, TRAILER_SIZE, ValueKind, makeInternalKey, trailerSequence } from '../base/internal-key.js';
import type { InternalIterator } from '../base/iterator.js';
import { EntryPacker, copyRange } from '../iterator/entry-packer.js';
import { type FlatCursor, isFlatCursor } from '../iterator/flat-cursor.js';
import { NativeScan, ScanFlag, type ScanMerger, type ScanState } from './native-scan.js';

export interface IteratorBounds {
  gt?: Uint8Array;
  gte?: Uint8Array;
  lt?: Uint8Array;
  lte?: Uint8Array;
}

export type Entry<K = Buffer, V = Buffer> = [key: K, value: V];

export interface DbIteratorConfig {
  bounds: IteratorBounds;
  reverse: boolean;
  /** Entries to return at most; Infinity for no limit. */
  limit: number;
  keys: boolean;
  values: boolean;
  sequence: number;
  /** Called once by close(): releases the pinned version and snapshot. */
  release: () => void;
  /** Throws CLOSED if the database was closed under the iterator. */
  checkOpen: () => void;
  /** The native merge step (Codec.scanMerge); scans use it when given. */
  scanMerge?: ScanMerger | undefined;
}

/** Entries packed per allocation (nextv hands out larger batches as several packs). */
const PACK_ENTRIES = 1024;

/** What the forward scan does with one internal entry. */
const SKIP = 0;
const EMIT = 1;
const STOP = 2;

/** A growable byte scratch holding one user key (or value) copied out of a source that may move on. */
class Scratch {
  bytes = new Uint8Array(64);
  length = 0;

  set(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n > this.bytes.length) this.bytes = new Uint8Array(Math.max(n, 2 * this.bytes.length));
    copyRange(src, start, end, this.bytes, 0);
    this.length = n;
  }
}

export class DbIterator<K = Buffer, V = Buffer> implements Iterable<Entry<K, V>>, AsyncIterable<Entry<K, V>> {
  private readonly iter: InternalIterator;
  /** iter as a run source (forward scans read whole runs of a block), when it is one. */
  private readonly flat: FlatCursor | undefined;
  private readonly cfg: DbIteratorConfig;
  /** With the native codec: the native merge step's driver and the state it reads and updates. */
  private readonly native: NativeScan | undefined;
  private readonly nativeState: ScanState | undefined;
  private readonly packer = new EntryPacker();
  private lower: Uint8Array | undefined;
  private lowerInclusive = true;
  private upper: Uint8Array | undefined;
  private upperInclusive = true;
  private returned = 0;
  private closed = false;
  private started = false;
  /** True once the scan passed the bound in its direction or the end. */
  private done = false;
  /**
   * Forward: the user key whose remaining (older or invisible) versions are skipped: the last key returned,
   * deleted or below the lower bound; hasSkip false after a seek.
   */
  private readonly skipKey = new Scratch();
  private hasSkip = false;
  /**
   * Reverse: the newest visible version seen so far of the user key being read (versions arrive oldest first),
   * returned (unless a deletion) once a smaller key or the end shows it is the newest. Key and value are ranges
   * of immutable block arrays, or of the scratch copies below when they came from a non-flat source.
   */
  private hasCand = false;
  private candKind = 0;
  private candKey: Uint8Array = new Uint8Array(0);
  private candKeyStart = 0;
  private candKeyEnd = 0;
  private candValue: Uint8Array = new Uint8Array(0);
  private candValueStart = 0;
  private candValueEnd = 0;
  private readonly candKeyCopy = new Scratch();
  private readonly candValueCopy = new Scratch();

  constructor(iter: InternalIterator, cfg: DbIteratorConfig) {
    this.iter = iter;
    this.flat = isFlatCursor(iter) ? iter : undefined;
    this.cfg = cfg;
    const b = cfg.bounds;
    if (b.gte !== undefined) this.lower = b.gte;
    else if (b.gt !== undefined) {
      this.lower = b.gt;
      this.lowerInclusive = false;
    }
    if (b.lte !== undefined) this.upper = b.lte;
    else if (b.lt !== undefined) {
      this.upper = b.lt;
      this.upperInclusive = false;
    }
    this.native = cfg.scanMerge === undefined ? undefined : NativeScan.create(iter, cfg.scanMerge);
    this.nativeState =
      this.native === undefined
        ? undefined
        : {
            skip: this.skipKey,
            hasSkip: false,
            candKey: this.candKeyCopy,
            candValue: this.candValueCopy,
            hasCand: false,
            candKind: 0,
            flags:
              (cfg.reverse ? ScanFlag.REVERSE : 0) |
              (cfg.keys ? ScanFlag.KEYS : 0) |
              (cfg.values ? ScanFlag.VALUES : 0) |
              (this.lower !== undefined ? ScanFlag.HAS_LOWER : 0) |
              (this.lowerInclusive ? ScanFlag.LOWER_INCLUSIVE : 0) |
              (this.upper !== undefined ? ScanFlag.HAS_UPPER : 0) |
              (this.upperInclusive ? ScanFlag.UPPER_INCLUSIVE : 0),
            lower: this.lower ?? new Uint8Array(0),
            upper: this.upper ?? new Uint8Array(0),
            sequence: cfg.sequence,
          };
  }

  /** Number of entries returned so far. */
  get count(): number {
    return this.returned;
  }

  private checkUsable(): void {
    if (this.closed) throw new LsmkvError(ErrorCode.CLOSED, 'iterator: the iterator is closed');
    this.cfg.checkOpen();
  }

  /** True if the user key a[start, end) is before the lower bound. */
  private belowLower(a: Uint8Array, start: number, end: number): boolean {
    const lower = this.lower;
    if (lower === undefined) return false;
    const c = compareRanges(a, start, end, lower, 0, lower.length);
    return this.lowerInclusive ? c < 0 : c <= 0;
  }

  /** True if the user key a[start, end) is past the upper bound. */
  private aboveUpper(a: Uint8Array, start: number, end: number): boolean {
    const upper = this.upper;
    if (upper === undefined) return false;
    const c = compareRanges(a, start, end, upper, 0, upper.length);
    return this.upperInclusive ? c > 0 : c >= 0;
  }

  /** Positions at the first entry at or after (forward) / at or before (reverse) `target` (undefined = bound). */
  private position(target: Uint8Array | undefined): void {
    const seq = this.cfg.sequence;
    if (!this.cfg.reverse) {
      let t = target;
      if (this.lower !== undefined && (t === undefined || compareBytes(t, this.lower) < 0)) t = this.lower;
      if (t === undefined) this.iter.seekToFirst();
      else this.iter.seek(makeInternalKey(t, seq, KIND_FOR_SEEK));
      this.hasSkip = false;
      this.done = false;
    } else {
      let t = target;
      if (this.upper !== undefined && (t === undefined || compareBytes(t, this.upper) > 0)) t = this.upper;
      // (t, seq 0, kind 0) is the largest internal key for user key t: every version of t is at or before it.
      if (t === undefined) this.iter.seekToLast();
      else this.iter.seekForPrev(makeInternalKey(t, 0, 0));
      this.hasCand = false;
      this.done = false;
    }
  }

  /**
   * Forward: decides what to do with the internal entry whose user key is k[start, ulen) and trailer starts at
   * ulen, and updates the skip key. EMIT: the newest visible version of a new key inside the bounds.
   */
  private classify(k: Uint8Array, start: number, ulen: number): number {
    if (trailerSequence(k, ulen) > this.cfg.sequence) return SKIP; // written after the iterator's snapshot
    const skip = this.skipKey;
    if (this.hasSkip && compareRanges(k, start, ulen, skip.bytes, 0, skip.length) === 0) return SKIP; // older
    if (k[ulen] !== ValueKind.Deletion && !this.belowLower(k, start, ulen)) {
      if (this.aboveUpper(k, start, ulen)) return STOP;
      skip.set(k, start, ulen);
      this.hasSkip = true;
      return EMIT;
    }
    skip.set(k, start, ulen);
    this.hasSkip = true;
    return SKIP;
  }

  /** Forward: packs up to `size` entries, reading whole runs of a block where the source offers them. */
  private packForward(size: number): void {
    const it = this.iter;
    const flat = this.flat;
    const packer = this.packer;
    const wantKeys = this.cfg.keys;
    const wantValues = this.cfg.values;
    const st = this.nativeState;
    if (st !== undefined && !this.done && packer.count < size) {
      st.hasSkip = this.hasSkip;
      const over = this.native!.pack(packer, size, st);
      if (over !== undefined) {
        this.hasSkip = st.hasSkip;
        if (over) this.done = true;
        return;
      }
    }
    while (packer.count < size && !this.done) {
      if (!it.valid()) {
        this.done = true;
        return;
      }
      const b = flat?.flatBlock(true);
      if (b === undefined) {
        const ikey = it.key();
        const ulen = ikey.length - TRAILER_SIZE;
        const what = this.classify(ikey, 0, ulen);
        if (what === STOP) {
          this.done = true;
          return;
        }
        if (what === EMIT) {
          const v = it.value();
          packer.add(ikey, 0, wantKeys ? ulen : 0, v, 0, wantValues ? v.length : 0);
        }
        it.next();
        continue;
      }
      // A run: entries first..n-1 of block b, while they sort before lim.
      const lim = flat!.flatLimit(true);
      const limUser = lim === undefined ? 0 : lim.length - TRAILER_SIZE;
      const { keys, keyOffsets, data, valueOffsets } = b;
      const n = b.count;
      let i = flat!.flatIndex();
      let last = -1;
      for (; i < n && packer.count < size; i++) {
        const ks = keyOffsets[i]!;
        const ulen = keyOffsets[i + 1]! - TRAILER_SIZE;
        if (lim !== undefined) {
          const c = compareRanges(keys, ks, ulen, lim, 0, limUser);
          if (c > 0 || (c === 0 && compareTrailers(keys, ulen, lim, limUser) >= 0)) break;
        }
        const what = this.classify(keys, ks, ulen);
        if (what === STOP) {
          this.done = true;
          break;
        }
        if (what === EMIT) {
          const vs = valueOffsets[2 * i]!;
          packer.add(keys, ks, wantKeys ? ulen : ks, data, vs, wantValues ? valueOffsets[2 * i + 1]! : vs);
        }
        last = i;
      }
      if (last >= 0) flat!.flatAdvance(last);
    }
  }

  /** Reverse: returns the candidate if it is a value (the caller made sure the packer has room). */
  private emitCand(): void {
    this.hasCand = false;
    if (this.candKind === ValueKind.Deletion) return;
    const k = this.candKey;
    const v = this.candValue;
    this.packer.add(
      k,
      this.candKeyStart,
      this.cfg.keys ? this.candKeyEnd : this.candKeyStart,
      v,
      this.candValueStart,
      this.cfg.values ? this.candValueEnd : this.candValueStart,
    );
  }

  /**
   * Reverse: takes the internal entry with user key k[start, ulen) (trailer at ulen) and value v[vs, ve). `copy`:
   * the arrays may change once the source moves, so a kept candidate is copied. STOP: past the lower bound.
   */
  private visitBack(
    k: Uint8Array,
    start: number,
    ulen: number,
    v: Uint8Array,
    vs: number,
    ve: number,
    copy: boolean,
  ): number {
    if (trailerSequence(k, ulen) > this.cfg.sequence) return SKIP;
    if (this.aboveUpper(k, start, ulen)) return SKIP;
    if (this.hasCand && compareRanges(k, start, ulen, this.candKey, this.candKeyStart, this.candKeyEnd) !== 0) {
      this.emitCand();
    }
    if (!this.hasCand && this.belowLower(k, start, ulen)) return STOP;
    this.hasCand = true;
    const kind = k[ulen]!;
    this.candKind = kind;
    if (copy) {
      this.candKeyCopy.set(k, start, ulen);
      this.candKey = this.candKeyCopy.bytes;
      this.candKeyStart = 0;
      this.candKeyEnd = ulen - start;
      if (kind !== ValueKind.Deletion && this.cfg.values) {
        this.candValueCopy.set(v, vs, ve);
        this.candValue = this.candValueCopy.bytes;
        this.candValueStart = 0;
        this.candValueEnd = ve - vs;
      }
    } else {
      this.candKey = k;
      this.candKeyStart = start;
      this.candKeyEnd = ulen;
      this.candValue = v;
      this.candValueStart = vs;
      this.candValueEnd = ve;
    }
    return SKIP;
  }

  /** Reverse: packs up to `size` entries, reading whole runs of a block backward where the source offers them. */
  private packReverse(size: number): void {
    const it = this.iter;
    const flat = this.flat;
    const packer = this.packer;
    const st = this.nativeState;
    if (st !== undefined && !this.done && packer.count < size) {
      if (this.hasCand && this.candKey !== this.candKeyCopy.bytes) {
        // A candidate the TypeScript path left as ranges of a block: the native step keeps it in the copies.
        this.candKeyCopy.set(this.candKey, this.candKeyStart, this.candKeyEnd);
        this.candValueCopy.set(this.candValue, this.candValueStart, this.candValueEnd);
      }
      st.hasCand = this.hasCand;
      st.candKind = this.candKind;
      const over = this.native!.pack(packer, size, st);
      this.hasCand = st.hasCand;
      this.candKind = st.candKind;
      this.candKey = this.candKeyCopy.bytes;
      this.candKeyStart = 0;
      this.candKeyEnd = this.candKeyCopy.length;
      this.candValue = this.candValueCopy.bytes;
      this.candValueStart = 0;
      this.candValueEnd = this.candValueCopy.length;
      if (over !== undefined) {
        if (over) this.done = true;
        return;
      }
    }
    while (packer.count < size && !this.done) {
      if (!it.valid()) {
        if (this.hasCand) this.emitCand();
        this.done = true;
        return;
      }
      const b = flat?.flatBlock(false);
      if (b === undefined) {
        const ikey = it.key();
        const v = it.value();
        if (this.visitBack(ikey, 0, ikey.length - TRAILER_SIZE, v, 0, v.length, true) === STOP) {
          this.done = true;
          return;
        }
        it.prev();
        continue;
      }
      // A run: entries first..i of block b, going down while they sort after lim.
      const lim = flat!.flatLimit(false);
      const limUser = lim === undefined ? 0 : lim.length - TRAILER_SIZE;
      const { keys, keyOffsets, data, valueOffsets } = b;
      let i = flat!.flatIndex();
      let first = -1;
      for (; i >= 0 && packer.count < size; i--) {
        const ks = keyOffsets[i]!;
        const ulen = keyOffsets[i + 1]! - TRAILER_SIZE;
        if (lim !== undefined) {
          const c = compareRanges(keys, ks, ulen, lim, 0, limUser);
          if (c < 0 || (c === 0 && compareTrailers(keys, ulen, lim, limUser) <= 0)) break;
        }
        if (this.visitBack(keys, ks, ulen, data, valueOffsets[2 * i]!, valueOffsets[2 * i + 1]!, false) === STOP) {
          this.done = true;
          break;
        }
        first = i;
      }
      if (first >= 0) flat!.flatRetreat(first);
    }
  }

  /** The next entry, or undefined at the end (or when the limit is reached). */
  next(): Entry<K, V> | undefined {
    return this.nextv(1)[0];
  }

  /** Up to `size` entries in one call (fewer only at the end or at the limit). */
  nextv(size: number): Entry<K, V>[] {
    if (!Number.isInteger(size) || size < 0) throw new RangeError('iterator: nextv size must be a non-negative integer');
    this.checkUsable();
    if (!this.started) {
      this.started = true;
      this.position(undefined);
    }
    const want = Math.min(size, this.cfg.limit - this.returned);
    let out: Entry<K, V>[] | undefined;
    let got = 0;
    const packer = this.packer;
    while (got < want) {
      const chunk = Math.min(want - got, PACK_ENTRIES);
      try {
        if (this.cfg.reverse) this.packReverse(chunk);
        else this.packForward(chunk);
      } catch (e) {
        packer.clear();
        throw e;
      }
      const n = packer.count;
      const part = packer.take(this.cfg.keys, this.cfg.values) as Entry<K, V>[];
      got += n;
      this.returned += n;
      if (out === undefined) out = part;
      else for (let i = 0; i < n; i++) out.push(part[i]!);
      if (n < chunk) break;
    }
    return out ?? [];
  }

  /** All remaining entries; then closes the iterator (as abstract-level's all() does). */
  all(): Entry<K, V>[] {
    try {
      return this.nextv(Number.MAX_SAFE_INTEGER);
    } finally {
      this.close();
    }
  }

  /**
   * Moves to the first entry >= target (reverse: the last entry <= target), within the bounds. The next call to
   * next() returns it. The limit still counts entries already returned.
   */
  seek(target: Uint8Array): void {
    this.checkUsable();
    this.started = true;
    this.position(target);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.done = true;
    this.hasCand = false;
    try {
      this.iter.close();
    } finally {
      this.cfg.release();
    }
  }

  [Symbol.iterator](): Iterator<Entry<K, V>> {
    return {
      next: (): IteratorResult<Entry<K, V>> => {
        const e = this.next();
        if (e === undefined) {
          this.close();
          return { done: true, value: undefined };
        }
        return { done: false, value: e };
      },
      return: (): IteratorResult<Entry<K, V>> => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }

  [Symbol.asyncIterator](): AsyncIterator<Entry<K, V>> {
    const sync = this[Symbol.iterator]();
    return {
      next: async () => sync.next(),
      return: async () => sync.return!(),
    };
  }
}
