/**
 * internal-key — the key the engine stores: user key followed by an 8-byte trailer.
 *
 *   internal key = user key ‖ fixed64 LE (sequence << 8 | kind)
 *
 * Ordered by user key ascending (bytewise), then sequence descending, then kind descending, so that for one user
 * key the newest version comes first. DO NOT CHANGE: embedded in WAL batches, tables and the MANIFEST.
 * Sequence numbers are below 2^53 (a JavaScript safe integer); 2^53 writes is ~285 years at a million per second.
 */

import { getFixed32, putFixed32 } from './coding.js';

/** Kind of an entry. DO NOT CHANGE: embedded in on-disk data. */
export const ValueKind = {
  Deletion: 0,
  Value: 1,
} as const;
export type ValueKind = (typeof ValueKind)[keyof typeof ValueKind];

/** The kind used in seek keys: the highest kind, so a seek lands on the first entry for (key, seq). */
export const KIND_FOR_SEEK: ValueKind = ValueKind.Value;

export const TRAILER_SIZE = 8;
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

const TWO_24 = 0x100_0000;

/** Writes the 8-byte trailer at off. */
export function putTrailer(buf: Uint8Array, off: number, seq: number, kind: number): void {
  const lowSeq = seq % TWO_24;
  putFixed32(buf, off, ((lowSeq << 8) | kind) >>> 0);
  putFixed32(buf, off + 4, (seq - lowSeq) / TWO_24);
}

/** Builds an internal key from a user key, a sequence number and a kind. */
export function makeInternalKey(userKey: Uint8Array, seq: number, kind: number): Buffer {
  const out = Buffer.allocUnsafe(userKey.length + TRAILER_SIZE);
  out.set(userKey, 0);
  putTrailer(out, userKey.length, seq, kind);
  return out;
}

/** Sequence number stored in the trailer that starts at off. */
export function trailerSequence(buf: Uint8Array, off: number): number {
  return getFixed32(buf, off + 4) * TWO_24 + (getFixed32(buf, off) >>> 8);
}

/** Kind stored in the trailer that starts at off. */
export function trailerKind(buf: Uint8Array, off: number): number {
  return buf[off]!;
}

export function userKeyOf(ikey: Uint8Array): Uint8Array {
  return ikey.subarray(0, ikey.length - TRAILER_SIZE);
}

export function sequenceOf(ikey: Uint8Array): number {
  return trailerSequence(ikey, ikey.length - TRAILER_SIZE);
}

export function kindOf(ikey: Uint8Array): number {
  return ikey[ikey.length - TRAILER_SIZE]!;
}
