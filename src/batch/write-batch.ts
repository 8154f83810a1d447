/**
 * write-batch — a group of puts and deletes applied atomically, held as its encoded WAL payload
 * (docs/FORMAT.md "Write batch"):
 *
 *   fixed64 first sequence ‖ fixed32 count ‖ count × (u8 kind ‖ varint keyLen ‖ key [‖ varint valueLen ‖ value])
 *
 * The batch builds that payload as operations are added, in one growing buffer, so that handing it to the WAL
 * costs nothing: payload(firstSeq) patches the header in place and returns a view. Operation i gets sequence
 * firstSeq + i. Not safe to share; keys and values are copied in at put/delete time.
 *
 * Key/value type checks and size limits belong to the db layer (src/db); this class takes bytes.
 * DO NOT CHANGE the encoding: it is embedded in WAL files.
 */

import { getFixed32, getFixed64, getVarint, putFixed32, putFixed64, putVarint, varintValue } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import { MAX_SEQUENCE, ValueKind } from '../base/internal-key.js';

export const BATCH_HEADER_SIZE = 12;

/** Largest varint header of one operation: kind byte plus two 8-byte varints. */
const MAX_OP_OVERHEAD = 1 + 8 + 8;

export class WriteBatch {
  private buf: Buffer;
  private length = BATCH_HEADER_SIZE;
  private ops = 0;
  /**
   * The view payload() returned last, and the buffer it views: reused while the batch keeps that buffer and that
   * length (a subarray costs ~100 ns; db.put's reused one-op batch has the same length put after put).
   */
  private view: Buffer | undefined;
  private viewOf: Buffer | undefined;

  /** Bytes are never read past `length` (payload() writes the header), so the buffer needs no zeroing. */
  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(initialCapacity, BATCH_HEADER_SIZE));
  }

  /** Bytes the batch can hold before its buffer grows (by copying into one twice as large). */
  get capacity(): number {
    return this.buf.length;
  }

  put(key: Uint8Array, value: Uint8Array): this {
    this.reserve(MAX_OP_OVERHEAD + key.length + value.length);
    const b = this.buf;
    let o = this.length;
    b[o++] = ValueKind.Value;
    o = putVarint(b, o, key.length);
    b.set(key, o);
    o = putVarint(b, o + key.length, value.length);
    b.set(value, o);
    this.length = o + value.length;
    this.ops++;
    return this;
  }

  delete(key: Uint8Array): this {
    this.reserve(MAX_OP_OVERHEAD + key.length);
    const b = this.buf;
    let o = this.length;
    b[o++] = ValueKind.Deletion;
    o = putVarint(b, o, key.length);
    b.set(key, o);
    this.length = o + key.length;
    this.ops++;
    return this;
  }

  clear(): void {
    this.length = BATCH_HEADER_SIZE;
    this.ops = 0;
  }

  /** Number of operations. */
  get count(): number {
    return this.ops;
  }

  /** Encoded size in bytes (header included). */
  get byteLength(): number {
    return this.length;
  }

  /** Appends all ops of another batch (which is left unchanged). */
  append(other: WriteBatch): void {
    const n = other.length - BATCH_HEADER_SIZE;
    this.reserve(n);
    other.buf.copy(this.buf, this.length, BATCH_HEADER_SIZE, other.length);
    this.length += n;
    this.ops += other.ops;
  }

  /**
   * Patches the first sequence number and the count into the header and returns the payload: a view of the
   * batch's buffer, valid until the batch changes.
   * REQUIRES: 0 <= firstSeq and firstSeq + count - 1 <= MAX_SEQUENCE.
   */
  payload(firstSeq: number): Uint8Array {
    putFixed64(this.buf, 0, firstSeq);
    putFixed32(this.buf, 8, this.ops);
    const v = this.view;
    if (v !== undefined && v.length === this.length && this.viewOf === this.buf) return v;
    this.viewOf = this.buf;
    return (this.view = this.buf.subarray(0, this.length));
  }

  private reserve(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}

/** The first sequence number in an encoded batch header. REQUIRES: payload.length >= BATCH_HEADER_SIZE. */
export function batchFirstSequence(payload: Uint8Array): number {
  return getFixed64(payload, 0);
}

/** The operation count in an encoded batch header. REQUIRES: payload.length >= BATCH_HEADER_SIZE. */
export function batchCount(payload: Uint8Array): number {
  return getFixed32(payload, 8);
}

/**
 * Walks the ops of an encoded batch payload, calling onOp(kind, key, value, seq); op i has sequence firstSeq + i,
 * key and value are views into payload (value is empty for a deletion). Throws CORRUPTION naming fileName and
 * offset (the record's offset in its file; the position inside the payload is in the message) on a short header,
 * an unknown kind, a length running past the end, fewer or more ops than the count, or sequences past 2^53.
 * Returns { firstSeq, count }.
 */
export function forEachBatchOp(
  payload: Uint8Array,
  onOp: (kind: number, key: Uint8Array, value: Uint8Array, seq: number) => void,
  fileName?: string,
  offset?: number,
): { firstSeq: number; count: number } {
  const bad = (what: string, at: number) =>
    corruption('batch', `${what} at payload byte ${at} of ${payload.length}`, fileName, offset);
  const end = payload.length;
  if (end < BATCH_HEADER_SIZE) throw bad('batch shorter than its 12-byte header', 0);
  const hi = getFixed32(payload, 4);
  if (hi > 0x1f_ffff) throw bad('first sequence number exceeds 2^53', 0);
  const firstSeq = getFixed64(payload, 0);
  const count = getFixed32(payload, 8);
  if (count > 0 && firstSeq > MAX_SEQUENCE - (count - 1)) {
    throw bad(`sequence range overflows 2^53 (count ${count})`, 0);
  }
  const empty = payload.subarray(0, 0);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (pos >= end) throw bad(`batch holds ${i} ops, header says ${count}`, pos);
    const opStart = pos;
    const kind = payload[pos++]!;
    if (kind !== ValueKind.Value && kind !== ValueKind.Deletion) throw bad(`unknown op kind ${kind}`, opStart);
    pos = getVarint(payload, pos, end);
    if (pos < 0 || varintValue.v > end - pos) throw bad('key length runs past the end', opStart);
    const key = payload.subarray(pos, pos + varintValue.v);
    pos += varintValue.v;
    let value = empty;
    if (kind === ValueKind.Value) {
      pos = getVarint(payload, pos, end);
      if (pos < 0 || varintValue.v > end - pos) throw bad('value length runs past the end', opStart);
      value = payload.subarray(pos, pos + varintValue.v);
      pos += varintValue.v;
    }
    onOp(kind, key, value, firstSeq + i);
  }
  if (pos !== end) throw bad(`${end - pos} bytes after the last of ${count} ops`, pos);
  return { firstSeq, count };
}
