/**
 * snappy — the raw snappy format (docs/FORMAT.md "Block trailer", compression 1), compressor and decompressor in
 * TypeScript; the reference for native/snappy.cc, which must produce byte-identical output (see the rules below)
 * and accept and reject exactly the same streams.
 *
 * Stream: varint uncompressed length (LEB128, at most 5 bytes, < 2^32), then elements, each starting with a tag
 * byte whose low 2 bits give its kind:
 *   0 literal   length-1 in the upper 6 bits if < 60, else 60..63 = 1..4 following bytes (LE) hold length-1;
 *               then the bytes
 *   1 copy-1    length 4..11 in bits 2..4 (+4), offset bits 8..10 in bits 5..7, then 1 byte: offset bits 0..7
 *   2 copy-2    length 1..64 in the upper 6 bits (+1), then a 2-byte LE offset
 *   3 copy-4    length 1..64 in the upper 6 bits (+1), then a 4-byte LE offset
 * A copy repeats `length` bytes starting `offset` bytes back in the output (it may overlap what it writes).
 *
 * Decompression accepts any valid stream (any mix of the four kinds, any split of literals and copies) and
 * rejects, without throwing and without reading or writing outside its arrays: a header varint longer than 5
 * bytes or >= 2^32, a length the remaining input cannot possibly produce (more than 22 × its bytes: no element
 * expands more than 64 output bytes per 3 input bytes), an element cut off by the end of the input, offset 0, an
 * offset before the start of the output, output past the declared length, or output short of it.
 *
 * Compression rules (pinned: both sides must give the same bytes; DO NOT CHANGE without changing both):
 *   - the input is cut into fragments of FRAGMENT_BYTES; matches stay inside a fragment, so offsets < 65536 and
 *     only literal, copy-1 and copy-2 elements are written;
 *   - per fragment a hash table of 2^b uint16 positions (b: the smallest of 8..14 with 2^b >= fragment length, or
 *     14), zeroed, hash = (load32LE(p) × HASH_MUL mod 2^32) >>> (32 - b);
 *   - fragments shorter than INPUT_MARGIN are one literal; otherwise the search starts at fragment offset 1 and
 *     never looks at a position past the fragment end - INPUT_MARGIN; after 32 misses in a row the step between
 *     probes grows by one byte every 32 probes (skip counter, step = skip >>> 5, skip starts at 32);
 *   - a candidate matches when its 4 bytes equal the 4 at the probe; the match is extended forward to the
 *     fragment end; after a copy, position ip - 1 is inserted and ip is tried at once (another copy if it
 *     matches);
 *   - a copy of length m: while m >= 68 a copy-2 of 64; then if m > 64 a copy-2 of 60; then the rest (4..64):
 *     copy-1 if rest <= 11 and offset < 2048, else copy-2.
 * The output is at most maxCompressedLength(n) bytes.
 *
 * Pure functions over their arguments; the hash table and output scratch are module-private (this module is not
 * re-entrant, and need not be: nothing here calls back out). Safe to call from any code on this thread.
 */

import { getFixed32 } from '../base/coding.js';

/** Matches never reach across a fragment boundary (keeps offsets below 65536 and table entries in 16 bits). */
export const FRAGMENT_BYTES = 65536;
const MIN_TABLE_BITS = 8;
const MAX_TABLE_BITS = 14;
const HASH_MUL = 0x1e35a7bd;
/** Bytes at the end of a fragment that the match search never starts in (room for the 4-byte loads). */
const INPUT_MARGIN = 15;
/** The most output bytes one input byte of a valid stream can produce, rounded up (a copy-2: 3 bytes → 64). */
const MAX_EXPANSION = 22;
/** Literal / copy byte loops below this length; longer ones go to TypedArray#set / copyWithin. */
const SHORT_COPY = 16;

/** The largest compressed size of n input bytes. */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

let table = new Uint16Array(1 << MAX_TABLE_BITS);
let scratch = new Uint8Array(0);

function load32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

function putLiteral(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number): number {
  const n = end - start - 1;
  if (n < 60) {
    out[op++] = n << 2;
  } else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else if (n < 0x1_0000) {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  } else if (n < 0x100_0000) {
    out[op++] = 62 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = n >>> 16;
  } else {
    out[op++] = 63 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = (n >>> 16) & 0xff;
    out[op++] = n >>> 24;
  }
  const len = end - start;
  if (len <= SHORT_COPY) for (let i = 0; i < len; i++) out[op + i] = src[start + i]!;
  else out.set(src.subarray(start, end), op);
  return op + len;
}

function putCopy2(out: Uint8Array, op: number, offset: number, len: number): number {
  out[op] = ((len - 1) << 2) | 2;
  out[op + 1] = offset & 0xff;
  out[op + 2] = offset >>> 8;
  return op + 3;
}

/** REQUIRES: 1 <= offset < 65536, len >= 4. */
function putCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = putCopy2(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = putCopy2(out, op, offset, 60);
    len -= 60;
  }
  if (len <= 11 && offset < 2048) {
    out[op] = ((offset >>> 8) << 5) | ((len - 4) << 2) | 1;
    out[op + 1] = offset & 0xff;
    return op + 2;
  }
  return putCopy2(out, op, offset, len);
}

/** Compresses src[start, end) (one fragment) into out at op; returns the new op. */
function compressFragment(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number): number {
  const len = end - start;
  let bits = MIN_TABLE_BITS;
  while (bits < MAX_TABLE_BITS && 1 << bits < len) bits++;
  const shift = 32 - bits;
  const t = table;
  t.fill(0, 0, 1 << bits);
  let nextEmit = start;
  if (len >= INPUT_MARGIN) {
    const ipLimit = end - INPUT_MARGIN;
    let ip = start + 1;
    let nextHash = Math.imul(load32(src, ip), HASH_MUL) >>> shift;
    search: for (;;) {
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      let word: number;
      do {
        ip = nextIp;
        const h = nextHash;
        nextIp = ip + (skip >>> 5);
        skip++;
        if (nextIp > ipLimit) break search;
        candidate = start + t[h]!;
        word = load32(src, ip);
        nextHash = Math.imul(load32(src, nextIp), HASH_MUL) >>> shift;
        t[h] = ip - start;
      } while (word !== load32(src, candidate));
      op = putLiteral(src, nextEmit, ip, out, op);
      for (;;) {
        const base = ip;
        let a = candidate + 4;
        ip += 4;
        while (ip < end && src[ip] === src[a]) {
          ip++;
          a++;
        }
        op = putCopy(out, op, base - candidate, ip - base);
        nextEmit = ip;
        if (ip >= ipLimit) break search;
        t[Math.imul(load32(src, ip - 1), HASH_MUL) >>> shift] = ip - 1 - start;
        word = load32(src, ip);
        const h = Math.imul(word, HASH_MUL) >>> shift;
        candidate = start + t[h]!;
        t[h] = ip - start;
        if (word !== load32(src, candidate)) break;
      }
      ip++;
      nextHash = Math.imul(load32(src, ip), HASH_MUL) >>> shift;
    }
  }
  if (nextEmit < end) op = putLiteral(src, nextEmit, end, out, op);
  return op;
}

/**
 * Compresses src[start, end) into out at op. Returns the offset after the output.
 * REQUIRES: out has at least maxCompressedLength(end - start) bytes from op; end - start < 2^32.
 */
export function snappyCompressInto(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number): number {
  let n = end - start;
  while (n >= 0x80) {
    out[op++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[op++] = n;
  for (let p = start; p < end; p += FRAGMENT_BYTES) {
    op = compressFragment(src, p, Math.min(end, p + FRAGMENT_BYTES), out, op);
  }
  return op;
}

/** Compresses data into a new Buffer of exactly the compressed size. */
export function snappyCompress(data: Uint8Array): Buffer {
  const bound = maxCompressedLength(data.length);
  if (scratch.length < bound) scratch = new Uint8Array(Math.max(bound, 2 * scratch.length, 8192));
  const n = snappyCompressInto(data, 0, data.length, scratch, 0);
  const out = Buffer.allocUnsafe(n);
  out.set(scratch.subarray(0, n));
  return out;
}

/** Result holder of snappyHeader (avoids an allocation per call). */
export const snappyHeader = { length: 0, start: 0 };

/**
 * Reads the stream header of src[start, end): on success sets snappyHeader.length (uncompressed length) and
 * snappyHeader.start (offset of the first element) and returns true; false for a damaged header (see the file
 * header for the rules).
 */
export function readSnappyHeader(src: Uint8Array, start: number, end: number): boolean {
  let v = 0;
  let mul = 1;
  let p = start;
  for (let i = 0; i < 5; i++) {
    if (p >= end) return false;
    const b = src[p++]!;
    v += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (v > 0xffff_ffff || v > MAX_EXPANSION * (end - p)) return false;
      snappyHeader.length = v;
      snappyHeader.start = p;
      return true;
    }
    mul *= 128;
  }
  return false;
}

/**
 * Decompresses the elements src[start, end) into out[op, op + length). Returns false for a damaged stream
 * (output written so far is garbage). REQUIRES: out has `length` bytes from op.
 */
export function snappyUncompressInto(
  src: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
  length: number,
): boolean {
  const base = op;
  const opEnd = op + length;
  let ip = start;
  while (ip < end) {
    const tag = src[ip++]!;
    const kind = tag & 3;
    let len: number;
    if (kind === 0) {
      len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (extra > end - ip) return false;
        len = src[ip]!;
        if (extra > 1) len |= src[ip + 1]! << 8;
        if (extra > 2) len |= src[ip + 2]! << 16;
        if (extra > 3) len += src[ip + 3]! * 0x100_0000;
        ip += extra;
      }
      len += 1;
      if (len > end - ip || len > opEnd - op) return false;
      if (len <= SHORT_COPY) for (let i = 0; i < len; i++) out[op + i] = src[ip + i]!;
      else out.set(src.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let offset: number;
    if (kind === 1) {
      if (ip >= end) return false;
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[ip++]!;
    } else if (kind === 2) {
      if (2 > end - ip) return false;
      len = (tag >>> 2) + 1;
      offset = src[ip]! | (src[ip + 1]! << 8);
      ip += 2;
    } else {
      if (4 > end - ip) return false;
      len = (tag >>> 2) + 1;
      offset = getFixed32(src, ip);
      ip += 4;
    }
    if (offset === 0 || offset > op - base || len > opEnd - op) return false;
    if (offset >= len && len > SHORT_COPY) {
      out.copyWithin(op, op - offset, op - offset + len);
    } else {
      for (let i = 0; i < len; i++) out[op + i] = out[op - offset + i]!;
    }
    op += len;
  }
  return op === opEnd;
}
