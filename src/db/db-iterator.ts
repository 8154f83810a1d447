/**
 * db-iterator — the user-facing iterator: turns the merged internal stream (every version of every key from the
 * memtables and tables) into one entry per user key as of a sequence number, hiding deletions, within bounds.
 *
 * One direction per iterator (forward, or reverse when `reverse: true`), as in abstract-level; seek() moves within
 * that direction. Reads one consistent point in time: the sequence number captured at creation, over the
 * memtables and the version pinned at creation (the pinned version's files are not deleted until close()).
 * Entries are copies owned by the caller. Main thread only.
 */

import { compareBytes } from '../base/comparator.js';
import { ErrorCode, LsmkvError } from '../base/errors.js';
import { KIND_FOR_SEEK, TRAILER_SIZE, ValueKind, makeInternalKey, trailerSequence } from '../base/internal-key.js';
import type { InternalIterator } from '../base/iterator.js';

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
}

export class DbIterator<K = Buffer, V = Buffer> implements Iterable<Entry<K, V>>, AsyncIterable<Entry<K, V>> {
  private readonly iter: InternalIterator;
  private readonly cfg: DbIteratorConfig;
  private lower: Uint8Array | undefined;
  private lowerInclusive = true;
  private upper: Uint8Array | undefined;
  private upperInclusive = true;
  private returned = 0;
  private closed = false;
  private started = false;
  /** True once the current entry was returned: the next call to next() moves on first. */
  private needAdvance = false;
  private valid = false;
  /** Reverse mode: the entry found, already copied. */
  private savedKey: Buffer | undefined;
  private savedValue: Buffer | undefined;

  constructor(iter: InternalIterator, cfg: DbIteratorConfig) {
    this.iter = iter;
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
  }

  /** Number of entries returned so far. */
  get count(): number {
    return this.returned;
  }

  private checkUsable(): void {
    if (this.closed) throw new LsmkvError(ErrorCode.CLOSED, 'iterator: the iterator is closed');
    this.cfg.checkOpen();
  }

  private belowLower(userKey: Uint8Array): boolean {
    if (this.lower === undefined) return false;
    const c = compareBytes(userKey, this.lower);
    return this.lowerInclusive ? c < 0 : c <= 0;
  }

  private aboveUpper(userKey: Uint8Array): boolean {
    if (this.upper === undefined) return false;
    const c = compareBytes(userKey, this.upper);
    return this.upperInclusive ? c > 0 : c >= 0;
  }

  /** Positions the first entry at or after (forward) / at or before (reverse) `target` (undefined = bound). */
  private position(target: Uint8Array | undefined): void {
    const seq = this.cfg.sequence;
    if (!this.cfg.reverse) {
      let t = target;
      if (this.lower !== undefined && (t === undefined || compareBytes(t, this.lower) < 0)) t = this.lower;
      if (t === undefined) this.iter.seekToFirst();
      else this.iter.seek(makeInternalKey(t, seq, KIND_FOR_SEEK));
      this.findNext(undefined);
    } else {
      let t = target;
      if (this.upper !== undefined && (t === undefined || compareBytes(t, this.upper) > 0)) t = this.upper;
      // (t, seq 0, kind 0) is the largest internal key for user key t: every version of t is at or before it.
      if (t === undefined) this.iter.seekToLast();
      else this.iter.seekForPrev(makeInternalKey(t, 0, 0));
      this.findPrev();
    }
  }

  /** Forward: skips to the newest visible non-deleted entry of the next user key after `skip` (if given). */
  private findNext(skip: Buffer | undefined): void {
    const it = this.iter;
    const seq = this.cfg.sequence;
    let skipKey = skip;
    while (it.valid()) {
      const ikey = it.key();
      const ulen = ikey.length - TRAILER_SIZE;
      if (trailerSequence(ikey, ulen) <= seq) {
        const user = ikey.subarray(0, ulen);
        if (skipKey !== undefined && compareBytes(user, skipKey) <= 0) {
          // an older version of a key already returned or deleted
        } else if (ikey[ulen] === ValueKind.Deletion) {
          skipKey = Buffer.from(user);
        } else if (this.belowLower(user)) {
          skipKey = Buffer.from(user);
        } else {
          this.valid = !this.aboveUpper(user);
          return;
        }
      }
      it.next();
    }
    this.valid = false;
  }

  /** Reverse: finds the newest visible version of the user key before the internal position, into saved*. */
  private findPrev(): void {
    const it = this.iter;
    const seq = this.cfg.sequence;
    for (;;) {
      let kind: number = ValueKind.Deletion;
      this.savedKey = undefined;
      this.savedValue = undefined;
      while (it.valid()) {
        const ikey = it.key();
        const ulen = ikey.length - TRAILER_SIZE;
        if (trailerSequence(ikey, ulen) <= seq) {
          const user = ikey.subarray(0, ulen);
          if (kind !== ValueKind.Deletion && compareBytes(user, this.savedKey!) < 0) break;
          kind = ikey[ulen]!;
          if (kind === ValueKind.Deletion) {
            this.savedKey = Buffer.from(user);
            this.savedValue = undefined;
          } else {
            this.savedKey = Buffer.from(user);
            this.savedValue = this.cfg.values ? Buffer.from(it.value()) : undefined;
          }
        }
        it.prev();
      }
      if (kind === ValueKind.Deletion || this.savedKey === undefined) {
        this.valid = false;
        return;
      }
      if (this.belowLower(this.savedKey)) {
        this.valid = false;
        return;
      }
      if (this.aboveUpper(this.savedKey)) {
        if (!it.valid()) {
          this.valid = false;
          return;
        }
        continue;
      }
      this.valid = true;
      return;
    }
  }

  private advance(): void {
    if (!this.cfg.reverse) {
      const ikey = this.iter.key();
      const skip = Buffer.from(ikey.subarray(0, ikey.length - TRAILER_SIZE));
      this.iter.next();
      this.findNext(skip);
    } else {
      if (!this.iter.valid()) {
        this.valid = false;
        return;
      }
      this.findPrev();
    }
  }

  /** The next entry, or undefined at the end (or when the limit is reached). */
  next(): Entry<K, V> | undefined {
    this.checkUsable();
    if (!this.started) {
      this.started = true;
      this.position(undefined);
    } else if (this.needAdvance && this.valid) {
      this.advance();
    }
    this.needAdvance = true;
    if (!this.valid || this.returned >= this.cfg.limit) return undefined;
    this.returned++;
    return this.current();
  }

  private current(): Entry<K, V> {
    if (this.cfg.reverse) {
      return [(this.cfg.keys ? this.savedKey : undefined) as K, (this.cfg.values ? this.savedValue : undefined) as V];
    }
    const ikey = this.iter.key();
    const key = this.cfg.keys ? Buffer.from(ikey.subarray(0, ikey.length - TRAILER_SIZE)) : undefined;
    const value = this.cfg.values ? Buffer.from(this.iter.value()) : undefined;
    return [key as K, value as V];
  }

  /** Up to `size` entries in one call (fewer only at the end). */
  nextv(size: number): Entry<K, V>[] {
    if (!Number.isInteger(size) || size < 0) throw new RangeError('iterator: nextv size must be a non-negative integer');
    const out: Entry<K, V>[] = [];
    while (out.length < size) {
      const e = this.next();
      if (e === undefined) break;
      out.push(e);
    }
    return out;
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
    this.needAdvance = false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.valid = false;
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
