/**
 * keys — turns what callers pass as keys and values into bytes, with exact TypeErrors/RangeErrors for mistakes.
 *
 * Accepted: string (encoded as UTF-8), Buffer, Uint8Array. Keys are ordered bytewise. Limits (documented in the
 * README): keys up to MAX_KEY_SIZE bytes, values up to MAX_VALUE_SIZE bytes. Validation happens before anything
 * is written, so a rejected call changes nothing.
 */

import { MAX_KEY_SIZE, MAX_VALUE_SIZE } from '../base/options.js';

export type Bytes = string | Uint8Array;

function toBytes(v: unknown, what: 'key' | 'value' | 'bound'): Uint8Array {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return v;
  throw new TypeError(`lsmkv: ${what} must be a string, Buffer or Uint8Array, got ${describe(v)}`);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

export function keyBytes(key: unknown): Uint8Array {
  const b = toBytes(key, 'key');
  if (b.length > MAX_KEY_SIZE) {
    throw new RangeError(`lsmkv: key is ${b.length} bytes; the limit is ${MAX_KEY_SIZE}`);
  }
  return b;
}

export function valueBytes(value: unknown): Uint8Array {
  const b = toBytes(value, 'value');
  if (b.length > MAX_VALUE_SIZE) {
    throw new RangeError(`lsmkv: value is ${b.length} bytes; the limit is ${MAX_VALUE_SIZE}`);
  }
  return b;
}

export function boundBytes(bound: unknown): Uint8Array {
  return toBytes(bound, 'bound');
}

export interface WriteOptions {
  /** fsync the write-ahead log before the write is acknowledged. Default false. */
  sync?: boolean;
}

export function syncOption(opts: unknown): boolean {
  if (opts === undefined || opts === null) return false;
  if (typeof opts !== 'object') throw new TypeError('lsmkv: write options must be an object');
  const sync = (opts as WriteOptions).sync;
  if (sync === undefined) return false;
  if (typeof sync !== 'boolean') throw new TypeError("lsmkv: write option 'sync' must be a boolean");
  return sync;
}
