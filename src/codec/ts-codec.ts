/**
 * ts-codec — the TypeScript implementation of the Codec seam: XXH32, block encode/decode, bloom build/probe.
 * It is the reference: the native codec must produce byte-identical output and the same CodecStatus for the same
 * damaged input, so the order of the checks in decodeBlock below is part of the contract.
 *
 * Byte layouts: docs/FORMAT.md "Block" and "Filter block". DO NOT CHANGE the output of any function here: it is
 * embedded in on-disk data.
 *
 * Encoding rules (beyond FORMAT.md, pinned for parity):
 *   - entry i is a restart point iff i % restartInterval == 0; elsewhere `shared` is the longest common prefix
 *     with the previous key.
 *   - bloom: m = max(64, count × bitsPerKey) rounded up to a multiple of 8, k = clamp(round(bitsPerKey × 0.69),
 *     1, 30) (IEEE double multiply, round half up). Duplicate keys are hashed again (harmless).
 *
 * decodeBlock check order (the first failing check decides the status):
 *   1. length < 4, r == 0, 4 + 4r > length, or no byte left for entries         → BAD_RESTART_ARRAY
 *   2. then entry by entry, at entry offset p:
 *      a. any of the three varints runs past the entries region (or is > 8 bytes) → BAD_ENTRY_HEADER
 *      b. a restart offset < p was skipped over (not an entry boundary), the entry at p == 0 is not the first
 *         restart, or the restart at p has shared != 0                            → BAD_RESTART_POINT
 *      c. shared > previous key length (0 for the first entry)                    → BAD_SHARED_PREFIX
 *      d. key suffix or value runs past the entries region, or the decoded keys
 *         would total 2^32 bytes or more                                          → BAD_ENTRY_BOUNDS
 *   3. a restart offset is left over after the last entry                         → BAD_RESTART_POINT
 * decodeBlock never throws and never reads outside its input.
 *
 * writeBlock / readBlock (the fused per-block calls; their rules and check order are in codec.ts) compose the
 * pieces here with ./snappy.ts and XXH32; native/block-io.cc does the same in one native call.
 *
 * Pure functions over their arguments (scratch arrays are module-private and never escape); safe to call from
 * any code on this thread.
 */

import { getFixed32, getVarint, putFixed32, putVarint, varintValue } from '../base/coding.js';
import { bloomHash, bloomMayContainHash } from './bloom-probe.js';
import type { BlockEntries, Codec, DecodedBlock } from './codec.js';
import { BLOCK_TRAILER_SIZE, BLOOM_SEED, BlockCompression, CHECKSUM_SEED, CodecStatus } from './codec.js';
import {
  maxCompressedLength,
  readSnappyHeader,
  snappyCompress,
  snappyCompressInto,
  snappyHeader,
  snappyUncompressInto,
} from './snappy.js';
import { xxh32, xxh32Range } from './xxh32.js';

/** Copies up to this many bytes are done with a loop: a native call per entry costs more than the bytes. */
const SHORT_COPY = 32;

/** Reused per-entry `shared` lengths for encodeBlock (grown on demand). */
let sharedScratch = new Uint32Array(256);

function varLen(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}

function encodeBlock(entries: BlockEntries, restartInterval: number): Buffer {
  const { count, keys, keyOffsets, values, valueOffsets } = entries;
  if (sharedScratch.length < count) sharedScratch = new Uint32Array(Math.max(count, sharedScratch.length * 2));
  const shared = sharedScratch;
  let size = 0;
  let restarts = 0;
  let prevStart = 0;
  let prevEnd = 0;
  for (let i = 0; i < count; i++) {
    const ks = keyOffsets[i]!;
    const ke = keyOffsets[i + 1]!;
    let s = 0;
    if (i % restartInterval === 0) {
      restarts++;
    } else {
      const max = Math.min(ke - ks, prevEnd - prevStart);
      while (s < max && keys[ks + s] === keys[prevStart + s]) s++;
    }
    shared[i] = s;
    const unshared = ke - ks - s;
    const vlen = valueOffsets[i + 1]! - valueOffsets[i]!;
    size += varLen(s) + varLen(unshared) + varLen(vlen) + unshared + vlen;
    prevStart = ks;
    prevEnd = ke;
  }
  size += 4 * restarts + 4;
  const out = Buffer.allocUnsafe(size);
  let p = 0;
  let r = size - 4 - 4 * restarts;
  for (let i = 0; i < count; i++) {
    const ks = keyOffsets[i]!;
    const ke = keyOffsets[i + 1]!;
    const vs = valueOffsets[i]!;
    const ve = valueOffsets[i + 1]!;
    const s = shared[i]!;
    if (i % restartInterval === 0) {
      putFixed32(out, r, p);
      r += 4;
    }
    const unshared = ke - ks - s;
    const vlen = ve - vs;
    p = putVarint(out, p, s);
    p = putVarint(out, p, unshared);
    p = putVarint(out, p, vlen);
    if (unshared > SHORT_COPY) out.set(keys.subarray(ks + s, ke), p);
    else for (let j = 0; j < unshared; j++) out[p + j] = keys[ks + s + j]!;
    p += unshared;
    if (vlen > SHORT_COPY) out.set(values.subarray(vs, ve), p);
    else for (let j = 0; j < vlen; j++) out[p + j] = values[vs + j]!;
    p += vlen;
  }
  putFixed32(out, r, restarts);
  return out;
}

/** Reads one varint at p (bounded by end) into varintValue.v; returns the next offset or -1. Fast 1-byte path. */
function readVarint(b: Uint8Array, p: number, end: number): number {
  if (p < end) {
    const c = b[p]!;
    if (c < 0x80) {
      varintValue.v = c;
      return p + 1;
    }
  }
  return getVarint(b, p, end);
}

const MAX_KEYS_BYTES = 0xffff_ffff;

/** Pass 1 results (module scratch: decodeBlock is not re-entrant, and does not need to be). */
let decodedCount = 0;
let decodedKeyBytes = 0;

/** Validates the whole block; on success leaves decodedCount / decodedKeyBytes. */
function validateBlock(block: Buffer, entriesEnd: number, restartsStart: number, numRestarts: number): CodecStatus {
  let p = 0;
  let ri = 0;
  let nextRestart = getFixed32(block, restartsStart);
  let prevKeyLen = 0;
  let count = 0;
  let keyBytes = 0;
  while (p < entriesEnd) {
    let q = readVarint(block, p, entriesEnd);
    if (q < 0) return CodecStatus.BAD_ENTRY_HEADER;
    const shared = varintValue.v;
    q = readVarint(block, q, entriesEnd);
    if (q < 0) return CodecStatus.BAD_ENTRY_HEADER;
    const unshared = varintValue.v;
    q = readVarint(block, q, entriesEnd);
    if (q < 0) return CodecStatus.BAD_ENTRY_HEADER;
    const vlen = varintValue.v;
    if (ri < numRestarts && nextRestart < p) return CodecStatus.BAD_RESTART_POINT;
    if (ri < numRestarts && nextRestart === p) {
      if (shared !== 0) return CodecStatus.BAD_RESTART_POINT;
      ri++;
      if (ri < numRestarts) nextRestart = getFixed32(block, restartsStart + 4 * ri);
    } else if (p === 0) {
      return CodecStatus.BAD_RESTART_POINT;
    }
    if (shared > prevKeyLen) return CodecStatus.BAD_SHARED_PREFIX;
    const keyEnd = q + unshared;
    const next = keyEnd + vlen;
    const keyLen = shared + unshared;
    if (next > entriesEnd || keyBytes + keyLen > MAX_KEYS_BYTES) return CodecStatus.BAD_ENTRY_BOUNDS;
    keyBytes += keyLen;
    prevKeyLen = keyLen;
    count++;
    p = next;
  }
  if (ri < numRestarts) return CodecStatus.BAD_RESTART_POINT;
  decodedCount = count;
  decodedKeyBytes = keyBytes;
  return CodecStatus.OK;
}

function decodeBlock(block: Buffer): DecodedBlock | CodecStatus {
  const len = block.length;
  if (len < 4) return CodecStatus.BAD_RESTART_ARRAY;
  const numRestarts = getFixed32(block, len - 4);
  if (numRestarts === 0 || numRestarts > (len - 4) / 4) return CodecStatus.BAD_RESTART_ARRAY;
  const restartsStart = len - 4 - 4 * numRestarts;
  if (restartsStart === 0) return CodecStatus.BAD_RESTART_ARRAY;
  const status = validateBlock(block, restartsStart, restartsStart, numRestarts);
  if (status !== CodecStatus.OK) return status;

  // Pass 2: the block is known to be well formed; fill the flat arrays without checks.
  const count = decodedCount;
  const keys = Buffer.allocUnsafe(decodedKeyBytes);
  const keyOffsets = new Uint32Array(count + 1);
  const valueOffsets = new Uint32Array(2 * count);
  let p = 0;
  let k = 0;
  let prevStart = 0;
  for (let i = 0; i < count; i++) {
    p = readVarint(block, p, restartsStart);
    const shared = varintValue.v;
    p = readVarint(block, p, restartsStart);
    const unshared = varintValue.v;
    p = readVarint(block, p, restartsStart);
    const vlen = varintValue.v;
    if (shared > SHORT_COPY) keys.copyWithin(k, prevStart, prevStart + shared);
    else for (let j = 0; j < shared; j++) keys[k + j] = keys[prevStart + j]!;
    const dst = k + shared;
    if (unshared > SHORT_COPY) block.copy(keys, dst, p, p + unshared);
    else for (let j = 0; j < unshared; j++) keys[dst + j] = block[p + j]!;
    prevStart = k;
    k += shared + unshared;
    keyOffsets[i + 1] = k;
    p += unshared;
    valueOffsets[2 * i] = p;
    valueOffsets[2 * i + 1] = p + vlen;
    p += vlen;
  }
  return { count, keys, keyOffsets, data: block, valueOffsets };
}

function bloomProbes(bitsPerKey: number): number {
  return Math.min(30, Math.max(1, Math.round(bitsPerKey * 0.69)));
}

function bloomBuild(keys: Uint8Array, keyOffsets: Uint32Array, count: number, bitsPerKey: number): Buffer {
  const bits = Math.ceil(Math.max(64, count * bitsPerKey) / 8) * 8;
  const bytes = bits / 8;
  const k = bloomProbes(bitsPerKey);
  const out = Buffer.alloc(bytes + 1);
  out[bytes] = k;
  for (let i = 0; i < count; i++) {
    let h = xxh32Range(keys, keyOffsets[i]!, keyOffsets[i + 1]!, BLOOM_SEED);
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let j = 0; j < k; j++) {
      const b = h % bits;
      out[b >>> 3]! |= 1 << (b & 7);
      h = (h + delta) >>> 0;
    }
  }
  return out;
}

function bloomMayContain(filter: Uint8Array, key: Uint8Array): boolean {
  return bloomMayContainHash(filter, bloomHash(key));
}

function snappyUncompress(data: Uint8Array): Buffer | CodecStatus {
  if (!readSnappyHeader(data, 0, data.length)) return CodecStatus.BAD_COMPRESSED_BLOCK;
  const out = Buffer.allocUnsafe(snappyHeader.length);
  if (!snappyUncompressInto(data, snappyHeader.start, data.length, out, 0, out.length)) {
    return CodecStatus.BAD_COMPRESSED_BLOCK;
  }
  return out;
}

/** Compression output scratch for writeBlock (grown on demand; module state, not re-entrant). */
let packScratch = new Uint8Array(0);

/** Appends the trailer for type after out[0, size); returns size + BLOCK_TRAILER_SIZE. */
function putTrailer(out: Uint8Array, size: number, type: number): number {
  out[size] = type;
  putFixed32(out, size + 1, xxh32Range(out, 0, size + 1, CHECKSUM_SEED));
  return size + BLOCK_TRAILER_SIZE;
}

function writeBlock(entries: BlockEntries, restartInterval: number, compress: boolean): Buffer {
  const raw = encodeBlock(entries, restartInterval);
  const n = raw.length;
  if (compress) {
    const bound = maxCompressedLength(n) + BLOCK_TRAILER_SIZE;
    if (packScratch.length < bound) packScratch = new Uint8Array(Math.max(bound, 2 * packScratch.length, 16384));
    const packed = snappyCompressInto(raw, 0, n, packScratch, 0);
    if (8 * packed <= 7 * n) {
      const out = Buffer.allocUnsafe(packed + BLOCK_TRAILER_SIZE);
      out.set(packScratch.subarray(0, packed));
      putTrailer(out, packed, BlockCompression.SNAPPY);
      return out;
    }
  }
  const out = Buffer.allocUnsafe(n + BLOCK_TRAILER_SIZE);
  raw.copy(out, 0);
  putTrailer(out, n, BlockCompression.NONE);
  return out;
}

function readBlock(stored: Buffer): DecodedBlock | CodecStatus {
  if (stored.length < BLOCK_TRAILER_SIZE) return CodecStatus.BAD_CHECKSUM;
  const size = stored.length - BLOCK_TRAILER_SIZE;
  if (xxh32Range(stored, 0, size + 1, CHECKSUM_SEED) !== getFixed32(stored, size + 1)) {
    return CodecStatus.BAD_CHECKSUM;
  }
  const type = stored[size]!;
  if (type === BlockCompression.NONE) return decodeBlock(stored.subarray(0, size));
  if (type !== BlockCompression.SNAPPY || !readSnappyHeader(stored, 0, size)) return CodecStatus.BAD_COMPRESSED_BLOCK;
  const contents = Buffer.allocUnsafe(snappyHeader.length);
  if (!snappyUncompressInto(stored, snappyHeader.start, size, contents, 0, contents.length)) {
    return CodecStatus.BAD_COMPRESSED_BLOCK;
  }
  return decodeBlock(contents);
}

/** The TypeScript codec. */
export const tsCodec: Codec = {
  kind: 'typescript',
  xxh32,
  encodeBlock,
  decodeBlock,
  bloomBuild,
  bloomMayContain,
  snappyCompress,
  snappyUncompress,
  writeBlock,
  readBlock,
};
