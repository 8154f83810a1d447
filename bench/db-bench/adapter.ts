/**
 * adapter — the one interface every store is driven through in the macro benchmark.
 *
 * Each implementation (./adapters/*.ts) uses its library's fastest idiomatic API. Methods may return a plain value
 * when the library is synchronous (the driver then does not pay a promise per call) or a promise when it is not.
 * Keys and values handed in are views of immutable buffers; an adapter may keep them. Values returned must not be
 * mutated later by the store (the driver compares them after the call).
 * REQUIRES: open() before anything else; close() last; one workload at a time (the driver never overlaps calls
 * except syncPutConcurrent, which is meant to be called many times in flight).
 */

import type { StoreName } from './config.js';

export type MaybePromise<T> = T | Promise<T>;

export interface OpenOptions {
  /** The database will take sync (durable) writes: stores whose durability is a per-environment setting
   *  (lmdb) open in their durable mode. Otherwise writes only need to reach the OS. */
  durable: boolean;
  cacheSize: number;
  writeBufferSize: number;
}

/** Called per entry by scans, in the store's iteration order. */
export type Visit = (key: Buffer, value: Buffer) => void;

export interface StoreAdapter {
  readonly name: StoreName | string;
  open(dir: string, options: OpenOptions): Promise<void>;
  close(): Promise<void>;
  /** Atomically applies count ops: keys[i] → values[i], or deletes keys[i] where values[i] is null. */
  write(keys: readonly Buffer[], values: readonly (Buffer | null)[], count: number): MaybePromise<void>;
  /** One put, one call; in the OS on return (no fsync). */
  put(key: Buffer, value: Buffer): MaybePromise<void>;
  /** One durable (fsynced) put by a single writer. */
  syncPut(key: Buffer, value: Buffer): MaybePromise<void>;
  /** One durable put meant to run concurrently with others (group commit where the store has it). */
  syncPutConcurrent(key: Buffer, value: Buffer): Promise<void>;
  get(key: Buffer): MaybePromise<Buffer | undefined>;
  /** Visits every entry, ascending or (reverse) descending. */
  scan(reverse: boolean, visit: Visit): MaybePromise<void>;
  /** Positions at the first key >= target and visits up to `count` entries; returns how many it visited. */
  seekRead(target: Buffer, count: number, visit: Visit): MaybePromise<number>;
  /** Drops what seekRead keeps between calls (a reused iterator pins a snapshot). Called after seekrandom. */
  endSeeks?(): Promise<void>;
  /** Engine-specific statistics (lsmkv only). */
  engineStats?(): Record<string, unknown>;
}
