/**
 * iterator — the internal iterator interface every source implements (block, table, memtable, merging, level).
 *
 * LevelDB-style cursor: position with seek*, read key()/value() while valid(), move with next()/prev().
 * key() is an internal key (user key ‖ trailer). The arrays returned by key()/value() are only valid until the
 * iterator moves again, unless the implementation documents otherwise; copy what you keep.
 * Not safe to share across threads. Errors (corruption, I/O) are thrown from the call that hit them.
 */

export interface InternalIterator {
  valid(): boolean;
  seekToFirst(): void;
  seekToLast(): void;
  /** Positions at the first entry with key >= target (an internal key). */
  seek(target: Uint8Array): void;
  /** Positions at the last entry with key <= target (an internal key). */
  seekForPrev(target: Uint8Array): void;
  /** REQUIRES: valid() */
  next(): void;
  /** REQUIRES: valid() */
  prev(): void;
  /** REQUIRES: valid() */
  key(): Uint8Array;
  /** REQUIRES: valid() */
  value(): Uint8Array;
  /** Releases resources (pinned tables/blocks). Idempotent. */
  close(): void;
}
