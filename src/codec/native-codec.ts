/**
 * native-codec — the Codec backed by the C++ addon (native/): wraps the raw binding, turns its status numbers into
 * results or errors, and lays decoded blocks out as one pooled Buffer viewed through typed arrays.
 *
 * Invariants: output is byte-identical to ./ts-codec.ts (test/codec/parity.test.ts). Every call crosses into
 * native code once per block, table or checksummed record, never per key. bloomMayContain is the TypeScript
 * function (one key per call: crossing the boundary would cost more than the probe), and so is xxh32 below
 * NATIVE_XXH32_MIN_BYTES (see docs/decisions/native.md).
 *
 * Who may call: src/codec/loader.ts, which loads the binding (the only file that does) and hands it to
 * createNativeCodec. The rest of the engine sees only the Codec interface.
 * Status numbers: CodecStatus (> 0) comes back from decodeBlock for damaged input and is returned as is;
 * NativeArgStatus (< 0) means the binding rejected its arguments and becomes a TypeError/RangeError here.
 * Both are mirrored in native/status.h (test/codec/native-status.test.ts checks they agree).
 * Holds module-level scratch buffers and the current read slab (per thread); returned blocks never alias a scratch.
 */

import { endianness } from 'node:os';

import type { BlockEntries, Codec, DecodedBlock } from './codec.js';
import { BLOCK_TRAILER_SIZE, CodecStatus } from './codec.js';
import { maxCompressedLength, readSnappyHeader, snappyHeader } from './snappy.js';
import { tsCodec } from './ts-codec.js';
import { xxh32 as tsXxh32 } from './xxh32.js';

/**
 * Inputs shorter than this are hashed in TypeScript: a call into the addon costs ~80 ns before hashing a byte, so
 * the native hash only wins from about 200 bytes (bench/codec.bench.ts, "xxh32 100 B" vs "xxh32 4 KiB";
 * crossover measured in docs/decisions/native.md). Same result either way: both are XXH32.
 */
export const NATIVE_XXH32_MIN_BYTES = 192;

/** Argument-check failures of the binding. DO NOT CHANGE without native/status.h (ArgStatus). */
export const NativeArgStatus = {
  WRONG_ARGUMENT_COUNT: -1,
  NOT_UINT8_ARRAY: -2,
  NOT_UINT32_ARRAY: -3,
  NOT_INTEGER: -4,
  BAD_COUNT: -5,
  OFFSETS_TOO_SHORT: -6,
  BAD_OFFSETS: -7,
  BAD_RESTART_INTERVAL: -8,
  BAD_BITS_PER_KEY: -9,
  BLOCK_TOO_LARGE: -10,
  NOT_NUMBER: -11,
  OVERLAPPING_OUTPUT: -12,
} as const;
export type NativeArgStatus = (typeof NativeArgStatus)[keyof typeof NativeArgStatus];

/** The raw functions build/Release/lsmkv.node exports (native/addon.cc). */
export interface NativeBinding {
  /** The checksum (>= 0) or a NativeArgStatus. */
  xxh32(data: Uint8Array, seed: number): number;
  encodeBlock(
    keys: Uint8Array,
    keyOffsets: Uint32Array,
    values: Uint8Array,
    valueOffsets: Uint32Array,
    count: number,
    restartInterval: number,
  ): Buffer | number;
  /**
   * Decodes into `out` as [count][keyOffsets × (count+1)][valueOffsets × 2·count][key bytes] (u32 in machine
   * order). Returns a CodecStatus (1..5), a NativeArgStatus (< 0), or the decoded size (>= 20): written if it is
   * <= out.length, else nothing was written and the caller retries with that many bytes.
   */
  decodeBlock(block: Uint8Array, out: Uint8Array): number;
  bloomBuild(keys: Uint8Array, keyOffsets: Uint32Array, count: number, bitsPerKey: number): Buffer | number;
  /** Compressed size written to out, or the size out needs (> out.length; nothing written), or NativeArgStatus. */
  snappyCompress(data: Uint8Array, out: Uint8Array): number;
  /** 0 when out (exactly the declared length) was filled, BAD_COMPRESSED_BLOCK, or a NativeArgStatus. */
  snappyUncompress(data: Uint8Array, out: Uint8Array): number;
  /**
   * Stored block + trailer written to out[0, result), or the size out needs (> out.length; nothing written), or
   * a NativeArgStatus. `compress` is 0 or 1.
   */
  writeBlock(
    keys: Uint8Array,
    keyOffsets: Uint32Array,
    values: Uint8Array,
    valueOffsets: Uint32Array,
    count: number,
    restartInterval: number,
    compress: number,
    out: Uint8Array,
  ): number;
  /**
   * Reads a stored block + trailer into out as [contentsLength u32][contents, padded to 4][decoded block as for
   * decodeBlock] (contentsLength 0: the contents are the stored bytes). Returns a CodecStatus (1..7), a
   * NativeArgStatus (< 0), or the size (>= 24): written if <= out.length, else retry with that many bytes.
   */
  readBlock(stored: Uint8Array, out: Uint8Array): number;
  /** The memtable's batch link (native/skiplist-link.h): the new height (1..12) or a SkipListStatus (< 0). */
  linkStaged(links: Int32Array, staged: Int32Array, count: number, height: number, chunks: readonly Uint8Array[]): number;
  /** The memtable's batch stager (native/skiplist-stage.h): 1 done, 0 stopped, or a SkipListStatus (< 0). */
  stageBatch: NonNullable<Codec['stageBatch']>;
  /** True when stageBatch takes the memtable filter argument; a binary built before it lacks this. */
  readonly stageBatchFilters?: boolean;
  /** One forward merge step of a scan (native/scan-merge.h): a ScanStop; absent from older binaries. */
  readonly scanMerge?: Codec['scanMerge'];
  /** native/status.h CodecStatus, by the names used in codec.ts. */
  codecStatus: Record<string, number>;
}

/** Failures of the memtable calls. DO NOT CHANGE without native/skiplist-link.h (SkipListStatus). */
export const SkipListStatus = {
  BAD_ARGUMENTS: -101,
  BAD_STAGED_NODE: -102,
  BAD_LINKED_NODE: -103,
  BAD_BATCH: -104,
} as const;

const SKIPLIST_MESSAGES: Record<number, string> = {
  [SkipListStatus.BAD_ARGUMENTS]: 'expected (Int32Array, Int32Array, count, height 1..12, Uint8Array[])',
  [SkipListStatus.BAD_STAGED_NODE]: 'a staged node lies outside the link array or its chunk',
  [SkipListStatus.BAD_LINKED_NODE]: 'a linked node lies outside the link array or its chunk',
  [SkipListStatus.BAD_BATCH]: 'the batch payload is damaged',
};

/** Turns a SkipListStatus from memtable function `fn` into the error to throw. */
export function nativeSkipListError(fn: string, status: number): Error {
  const message = SKIPLIST_MESSAGES[status] ?? `unexpected status ${status}`;
  return new RangeError(`codec: native ${fn}: ${message}`);
}

const ARG_MESSAGES: Record<number, [typeof TypeError | typeof RangeError, string]> = {
  [NativeArgStatus.WRONG_ARGUMENT_COUNT]: [TypeError, 'wrong number of arguments'],
  [NativeArgStatus.NOT_UINT8_ARRAY]: [TypeError, 'expected a Uint8Array'],
  [NativeArgStatus.NOT_UINT32_ARRAY]: [TypeError, 'expected a Uint32Array of offsets'],
  [NativeArgStatus.NOT_INTEGER]: [TypeError, 'expected an integer'],
  [NativeArgStatus.BAD_COUNT]: [RangeError, 'count must be an integer >= 1 (>= 0 for bloomBuild)'],
  [NativeArgStatus.OFFSETS_TOO_SHORT]: [RangeError, 'offsets must have at least count + 1 elements'],
  [NativeArgStatus.BAD_OFFSETS]: [RangeError, 'offsets must be non-decreasing and within the byte array'],
  [NativeArgStatus.BAD_RESTART_INTERVAL]: [RangeError, 'restartInterval must be an integer >= 1'],
  [NativeArgStatus.BAD_BITS_PER_KEY]: [RangeError, 'bitsPerKey must be between 0 and 1000000'],
  [NativeArgStatus.BLOCK_TOO_LARGE]: [RangeError, 'output would exceed the format limit'],
  [NativeArgStatus.NOT_NUMBER]: [TypeError, 'expected a finite number'],
  [NativeArgStatus.OVERLAPPING_OUTPUT]: [RangeError, 'the output buffer overlaps the block'],
};

/** Turns a NativeArgStatus from function `fn` into the error to throw. */
export function nativeArgumentError(fn: string, status: number): Error {
  const entry = ARG_MESSAGES[status];
  if (entry === undefined) return new TypeError(`codec: native ${fn}: unexpected status ${status}`);
  return new entry[0](`codec: native ${fn}: ${entry[1]}`);
}

/**
 * A u32 the binding wrote in machine order at b[at]. Byte arithmetic rather than Buffer#readUInt32LE, whose range
 * checks showed at ~2% of a cache-missing point read (two reads per block); REQUIRES: at + 4 <= b.length.
 */
const readU32: (b: Buffer, at: number) => number =
  endianness() === 'LE'
    ? (b, at) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
    : (b, at) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Largest CodecStatus number; decoded sizes are always above it (the smallest is 20). */
const MAX_CODEC_STATUS = CodecStatus.BAD_CHECKSUM;

/**
 * Scratch output of decodeBlock (per thread: module state). A block decodes into it, and the used prefix is copied
 * into a Buffer.allocUnsafe slice: for the usual few-KiB block that comes from Node's pool, which is much cheaper
 * than a fresh ArrayBuffer per call (bench/codec.bench.ts "decodeBlock"). Larger results decode straight into an
 * exact-size buffer. Not re-entrant, and need not be: nothing runs JavaScript during the native call.
 */
const DECODE_SCRATCH_BYTES = 64 * 1024;
let decodeScratch: Buffer | undefined;

/**
 * Views over a decoded block laid out by the binding at out[at, end); `block` is the contents value offsets
 * point into. REQUIRES: (out.byteOffset + at) % 4 == 0.
 */
function wrapDecoded(out: Buffer, block: Buffer, at = 0, end = out.length): DecodedBlock {
  const count = readU32(out, at);
  const ab = out.buffer;
  const keyOffsetsAt = out.byteOffset + at + 4;
  const valueOffsetsAt = keyOffsetsAt + 4 * (count + 1);
  const keysAt = at + 4 + 4 * (count + 1) + 8 * count;
  return {
    count,
    keys: out.subarray(keysAt, end),
    keyOffsets: new Uint32Array(ab, keyOffsetsAt, count + 1),
    data: block,
    valueOffsets: new Uint32Array(ab, valueOffsetsAt, 2 * count),
  };
}

function decodeWith(binding: NativeBinding, block: Buffer): DecodedBlock | CodecStatus {
  decodeScratch ??= Buffer.allocUnsafeSlow(DECODE_SCRATCH_BYTES);
  const size = binding.decodeBlock(block, decodeScratch);
  if (size <= MAX_CODEC_STATUS) {
    if (size > 0) return size as CodecStatus;
    throw nativeArgumentError('decodeBlock', size);
  }
  if (size > decodeScratch.length) {
    const out = Buffer.allocUnsafeSlow(size);
    const again = binding.decodeBlock(block, out);
    if (again !== size) throw new Error(`codec: native decodeBlock: block changed during decoding (${again})`);
    return wrapDecoded(out, block);
  }
  // Pool slices are 8-byte aligned, so the Uint32Array views are valid.
  const out = Buffer.allocUnsafe(size);
  decodeScratch.copy(out, 0, 0, size);
  return wrapDecoded(out, block);
}

/** Output of writeBlock and snappyCompress (per thread, like decodeScratch); large ones use one-off buffers. */
const IO_SCRATCH_BYTES = 64 * 1024;
let ioScratch: Buffer | undefined;

function writeWith(binding: NativeBinding, e: BlockEntries, restartInterval: number, compress: boolean): Buffer {
  ioScratch ??= Buffer.allocUnsafeSlow(IO_SCRATCH_BYTES);
  let buf = ioScratch;
  const flag = compress ? 1 : 0;
  let size = binding.writeBlock(e.keys, e.keyOffsets, e.values, e.valueOffsets, e.count, restartInterval, flag, buf);
  if (size < 0) throw nativeArgumentError('writeBlock', size);
  if (size > buf.length) {
    buf = Buffer.allocUnsafeSlow(size);
    size = binding.writeBlock(e.keys, e.keyOffsets, e.values, e.valueOffsets, e.count, restartInterval, flag, buf);
    if (size < 0 || size > buf.length) throw new Error(`codec: native writeBlock: entries changed (${size})`);
  }
  const out = Buffer.allocUnsafe(size);
  buf.copy(out, 0, 0, size);
  return out;
}

/**
 * readBlock results are carved out of slabs (8-byte aligned): the binding writes each block straight into the
 * slab, so a block read costs no allocation and no copy of its own (before: a ~5 KiB Buffer.allocUnsafe, which is
 * a fresh ArrayBuffer above 4 KiB, plus a copy out of ioScratch). A slab's memory is freed once every block
 * carved from it is garbage, so a cache that keeps one block of a slab keeps all of it: at most SLAB_BYTES per
 * cached block in the worst case, about SLAB_BYTES / (decoded block size) blocks share a slab.
 */
const SLAB_BYTES = 64 * 1024;
/** A slab with less room than this is replaced before a read (the rest, < 1/5 of it, is never used). */
const SLAB_MIN_FREE = 12 * 1024;
let slab: Buffer | undefined;
let slabUsed = 0;

function readWith(binding: NativeBinding, stored: Buffer): DecodedBlock | CodecStatus {
  if (slab === undefined || slab.length - slabUsed < SLAB_MIN_FREE) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  let out = slab;
  let at = slabUsed;
  let size = binding.readBlock(stored, slab.subarray(at));
  // Larger than the slab's room: the decoded size is known only after decompressing, so a large block may need
  // two retries.
  while (size > out.length - at) {
    out = Buffer.allocUnsafeSlow(size);
    at = 0;
    size = binding.readBlock(stored, out);
  }
  if (size <= MAX_CODEC_STATUS) {
    if (size > 0) return size as CodecStatus;
    throw nativeArgumentError('readBlock', size);
  }
  if (out === slab) slabUsed = at + ((size + 7) & ~7);
  const contentsLength = readU32(out, at);
  const data =
    contentsLength === 0
      ? stored.subarray(0, stored.length - BLOCK_TRAILER_SIZE)
      : out.subarray(at + 4, at + 4 + contentsLength);
  return wrapDecoded(out, data, at + 4 + Math.ceil(contentsLength / 4) * 4, at + size);
}

/** The Codec over a loaded binding. REQUIRES: `binding` is the lsmkv addon (only loader.ts has one). */
export function createNativeCodec(binding: NativeBinding): Codec {
  return {
    kind: 'native',
    xxh32(data: Uint8Array, seed: number): number {
      if (data.length < NATIVE_XXH32_MIN_BYTES) return tsXxh32(data, seed);
      // `>>> 0` gives the same seed the TypeScript side derives with `| 0`, for any number.
      const h = binding.xxh32(data, seed >>> 0);
      if (h < 0) throw nativeArgumentError('xxh32', h);
      return h;
    },
    encodeBlock(entries: BlockEntries, restartInterval: number): Buffer {
      const out = binding.encodeBlock(
        entries.keys,
        entries.keyOffsets,
        entries.values,
        entries.valueOffsets,
        entries.count,
        restartInterval,
      );
      if (typeof out === 'number') throw nativeArgumentError('encodeBlock', out);
      return out;
    },
    decodeBlock(block: Buffer): DecodedBlock | CodecStatus {
      return decodeWith(binding, block);
    },
    bloomBuild(keys: Uint8Array, keyOffsets: Uint32Array, count: number, bitsPerKey: number): Buffer {
      const out = binding.bloomBuild(keys, keyOffsets, count, bitsPerKey);
      if (typeof out === 'number') throw nativeArgumentError('bloomBuild', out);
      return out;
    },
    bloomMayContain: tsCodec.bloomMayContain,
    snappyCompress(data: Uint8Array): Buffer {
      const bound = maxCompressedLength(data.length);
      ioScratch ??= Buffer.allocUnsafeSlow(IO_SCRATCH_BYTES);
      const buf = bound <= ioScratch.length ? ioScratch : Buffer.allocUnsafeSlow(bound);
      const n = binding.snappyCompress(data, buf);
      if (n < 0 || n > buf.length) throw nativeArgumentError('snappyCompress', n);
      const out = Buffer.allocUnsafe(n);
      buf.copy(out, 0, 0, n);
      return out;
    },
    snappyUncompress(data: Uint8Array): Buffer | CodecStatus {
      if (!readSnappyHeader(data, 0, data.length)) return CodecStatus.BAD_COMPRESSED_BLOCK;
      const out = Buffer.allocUnsafe(snappyHeader.length);
      const status = binding.snappyUncompress(data, out);
      if (status < 0) throw nativeArgumentError('snappyUncompress', status);
      return status === 0 ? out : (status as CodecStatus);
    },
    writeBlock(entries: BlockEntries, restartInterval: number, compress: boolean): Buffer {
      return writeWith(binding, entries, restartInterval, compress);
    },
    readBlock(stored: Buffer): DecodedBlock | CodecStatus {
      return readWith(binding, stored);
    },
    // Absent from a binary built before them (the memtable then stays in JS); the loader self-tests those present.
    linkStaged:
      typeof binding.linkStaged !== 'function'
        ? undefined
        : (links, staged, count, height, chunks): number => {
            const h = binding.linkStaged(links, staged, count, height, chunks);
            if (h < 0) throw nativeSkipListError('linkStaged', h);
            return h;
          },
    // A binary without the filter argument would leave keys out of the memtable filter: not used at all.
    stageBatch:
      typeof binding.stageBatch !== 'function' || binding.stageBatchFilters !== true
        ? undefined
        : (payload, state, links, staged, chunk, filter): number => {
            const r =
              filter === undefined
                ? binding.stageBatch(payload, state, links, staged, chunk)
                : binding.stageBatch(payload, state, links, staged, chunk, filter);
            if (r >= 0) return r;
            // A malformed payload: the memtable leaves it to forEachBatchOp, which reports where it is damaged.
            if (r === SkipListStatus.BAD_BATCH) return -1;
            throw nativeSkipListError('stageBatch', r);
          },
    // A direct binding (no wrapper: called once per block-sized step of a scan; src/db/native-scan.ts checks it).
    scanMerge: typeof binding.scanMerge !== 'function' ? undefined : binding.scanMerge,
  };
}
