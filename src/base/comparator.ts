/**
 * comparator — the one ordering used everywhere: bytewise user keys, and internal keys ordered by user key
 * ascending then (sequence, kind) descending.
 *
 * The comparator's name is recorded in the MANIFEST and checked on open. DO NOT CHANGE the name or the order:
 * every table on disk is sorted by it.
 */

import { TRAILER_SIZE, trailerSequence } from './internal-key.js';

export const COMPARATOR_NAME = 'lsmkv.BytewiseComparator';

/** Bytewise comparison of two byte arrays: negative, zero or positive. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Bytewise comparison of a[aStart, aEnd) with b[bStart, bEnd) without allocating.
 * REQUIRES: a is a Buffer (Buffer#compare takes ranges of both sides).
 */
export function compareRanges(
  a: Buffer,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  return a.compare(b, bStart, bEnd, aStart, aEnd);
}

/** Compares internal keys a and b (both with trailers). */
export function compareInternalKeys(a: Uint8Array, b: Uint8Array): number {
  const au = a.length - TRAILER_SIZE;
  const bu = b.length - TRAILER_SIZE;
  const ab = Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.length);
  const c = ab.compare(b, 0, bu, 0, au);
  if (c !== 0) return c;
  return compareTrailers(a, au, b, bu);
}

/** Orders trailers descending: higher (sequence, kind) sorts first. */
export function compareTrailers(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  const as = trailerSequence(a, aOff);
  const bs = trailerSequence(b, bOff);
  if (as !== bs) return as > bs ? -1 : 1;
  const ak = a[aOff]!;
  const bk = b[bOff]!;
  return ak === bk ? 0 : ak > bk ? -1 : 1;
}

/** Compares only the user-key parts of two internal keys. */
export function compareUserKeysOf(a: Uint8Array, b: Uint8Array): number {
  const ab = Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.length);
  return ab.compare(b, 0, b.length - TRAILER_SIZE, 0, a.length - TRAILER_SIZE);
}
