/**
 * coding — little-endian fixed-width integers and LEB128 varints, the byte vocabulary of every format.
 *
 * DO NOT CHANGE the encodings: they are embedded in on-disk data (docs/FORMAT.md).
 * Numbers above 32 bits are JavaScript numbers and must stay below 2^53 (Number.MAX_SAFE_INTEGER).
 * Decoders never read past `end` and return -1 / throw RangeError on truncated input so callers can turn that
 * into a CORRUPTION error with the file and offset they know.
 */

const TWO_32 = 0x1_0000_0000;

export function putFixed32(buf: Uint8Array, off: number, v: number): void {
  buf[off] = v & 0xff;
  buf[off + 1] = (v >>> 8) & 0xff;
  buf[off + 2] = (v >>> 16) & 0xff;
  buf[off + 3] = (v >>> 24) & 0xff;
}

export function getFixed32(buf: Uint8Array, off: number): number {
  return ((buf[off]! | (buf[off + 1]! << 8) | (buf[off + 2]! << 16)) + buf[off + 3]! * 0x100_0000) >>> 0;
}

/** Writes v (0 <= v < 2^53) as 8 bytes little-endian. */
export function putFixed64(buf: Uint8Array, off: number, v: number): void {
  const lo = v % TWO_32;
  putFixed32(buf, off, lo);
  putFixed32(buf, off + 4, (v - lo) / TWO_32);
}

/** Reads 8 bytes little-endian; throws RangeError if the value does not fit a safe integer. */
export function getFixed64(buf: Uint8Array, off: number): number {
  const hi = getFixed32(buf, off + 4);
  if (hi > 0x1f_ffff) throw new RangeError('coding: fixed64 value exceeds 2^53');
  return hi * TWO_32 + getFixed32(buf, off);
}

/** Number of bytes varint encoding of v takes. */
export function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Writes v (0 <= v < 2^53) as a LEB128 varint at off; returns the offset after it. */
export function putVarint(buf: Uint8Array, off: number, v: number): number {
  while (v >= 0x80) {
    buf[off++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  buf[off++] = v;
  return off;
}

/**
 * Decoded varint result holder: reused to avoid an allocation per decode. After getVarint returns a positive
 * offset, `varintValue.v` holds the value.
 */
export const varintValue = { v: 0 };

/**
 * Reads a varint starting at off, not reading at or past end. Returns the offset after it and leaves the value in
 * varintValue.v, or returns -1 when the input is truncated or longer than 8 bytes' worth (2^53).
 */
export function getVarint(buf: Uint8Array, off: number, end: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (off >= end) return -1;
    const b = buf[off++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      varintValue.v = result;
      return off;
    }
    mul *= 128;
  }
  return -1;
}

/** Growable byte sink used by every encoder. */
export class ByteWriter {
  buf: Uint8Array;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  varint(v: number): void {
    this.ensure(10);
    this.length = putVarint(this.buf, this.length, v);
  }

  fixed32(v: number): void {
    this.ensure(4);
    putFixed32(this.buf, this.length, v);
    this.length += 4;
  }

  fixed64(v: number): void {
    this.ensure(8);
    putFixed64(this.buf, this.length, v);
    this.length += 8;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** varint length followed by the bytes. */
  lengthPrefixed(b: Uint8Array): void {
    this.varint(b.length);
    this.bytes(b);
  }

  reset(): void {
    this.length = 0;
  }

  /** A copy of what was written. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
