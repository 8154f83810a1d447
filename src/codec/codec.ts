/**
 * codec — THE native seam: every hot-path function of the on-disk format, behind one interface.
 *
 * Two implementations produce byte-identical output: the TypeScript codec (./ts-codec.ts) and the C++ addon
 * (./native-codec.ts wrapping native/). The loader (./loader.ts) is the only file that loads the addon; the rest
 * of the engine receives a Codec and never knows which side it has.
 *
 * Calls cross the boundary per block or per table, never per key. Inputs are flat: a block's entries arrive as
 * one byte array of concatenated keys plus an offsets array, and likewise for values.
 * Damaged input never throws from the codec: decoders return a CodecStatus number, and the caller (who knows the
 * file and offset) turns it into a CORRUPTION error. Byte layouts: docs/FORMAT.md.
 */

/** Status numbers returned by decoders. DO NOT CHANGE: mirrored in native/status.h (a test checks both agree). */
export const CodecStatus = {
  OK: 0,
  /** The block is too short for its restart array, or the restart count is impossible. */
  BAD_RESTART_ARRAY: 1,
  /** An entry header (varints) runs past the entries region. */
  BAD_ENTRY_HEADER: 2,
  /** An entry's shared prefix is longer than the previous key. */
  BAD_SHARED_PREFIX: 3,
  /** An entry's key or value runs past the entries region. */
  BAD_ENTRY_BOUNDS: 4,
  /** A restart offset does not point at an entry boundary with shared == 0. */
  BAD_RESTART_POINT: 5,
  /** The snappy data is damaged (./snappy.ts lists the rules), or a block's compression byte is not 0 or 1. */
  BAD_COMPRESSED_BLOCK: 6,
  /** A stored block's XXH32 does not match its trailer (or the input is shorter than the trailer). */
  BAD_CHECKSUM: 7,
} as const;
export type CodecStatus = (typeof CodecStatus)[keyof typeof CodecStatus];

/** Entries handed to encodeBlock: entry i has key keys[keyOffsets[i], keyOffsets[i+1]) and likewise the value. */
export interface BlockEntries {
  count: number;
  keys: Uint8Array;
  /** length >= count + 1, keyOffsets[0] = 0 */
  keyOffsets: Uint32Array;
  values: Uint8Array;
  /** length >= count + 1, valueOffsets[0] = 0 */
  valueOffsets: Uint32Array;
}

/** A fully decoded block: random access to every entry without re-parsing. */
export interface DecodedBlock {
  count: number;
  /** Every entry's full key, concatenated. */
  keys: Buffer;
  /** length count + 1: key i is keys[keyOffsets[i], keyOffsets[i+1]). */
  keyOffsets: Uint32Array;
  /** The block contents that value offsets point into (the input to decodeBlock). */
  data: Buffer;
  /** length 2 × count: value i is data[valueOffsets[2i], valueOffsets[2i+1]). */
  valueOffsets: Uint32Array;
}

export interface Codec {
  readonly kind: 'native' | 'typescript';
  /** XXH32 of data with the given seed, as an unsigned 32-bit number. */
  xxh32(data: Uint8Array, seed: number): number;
  /** Encodes a block (entries, restart array, restart count); no trailer. REQUIRES: keys sorted, count >= 1. */
  encodeBlock(entries: BlockEntries, restartInterval: number): Buffer;
  /** Decodes a block (contents without trailer). Returns a CodecStatus number other than OK for damaged input. */
  decodeBlock(block: Buffer): DecodedBlock | CodecStatus;
  /** Builds a bloom filter over `count` keys given flat (keys, keyOffsets). */
  bloomBuild(keys: Uint8Array, keyOffsets: Uint32Array, count: number, bitsPerKey: number): Buffer;
  /** True if key may be in the set the filter was built from; false means certainly not. */
  bloomMayContain(filter: Uint8Array, key: Uint8Array): boolean;
  /** Raw snappy compression (deterministic: the same bytes on both sides; ./snappy.ts has the rules). */
  snappyCompress(data: Uint8Array): Buffer;
  /** Decompresses any valid raw snappy stream; BAD_COMPRESSED_BLOCK for a damaged one. */
  snappyUncompress(data: Uint8Array): Buffer | CodecStatus;
  /**
   * Encodes a block and returns it as stored in a table: the block, snappy-compressed when `compress` is set and
   * that saves at least 1/8 (8 × compressed <= 7 × raw), followed by its 5-byte trailer (compression byte,
   * XXH32 of the stored bytes and that byte). REQUIRES: as encodeBlock.
   */
  writeBlock(entries: BlockEntries, restartInterval: number, compress: boolean): Buffer;
  /**
   * Verifies, decompresses and decodes a stored block followed by its 5-byte trailer. The result's `data` is the
   * (decompressed) contents. Check order: length < 5 or checksum mismatch → BAD_CHECKSUM; compression byte not
   * 0/1 or damaged snappy → BAD_COMPRESSED_BLOCK; then the statuses of decodeBlock.
   */
  readBlock(stored: Buffer): DecodedBlock | CodecStatus;
  /**
   * Native only: the memtable's batch link (StagedLinker in src/memtable/memtable.ts, which documents it; the
   * TypeScript twin is MemTable.linkStaged). Absent on the TypeScript codec.
   */
  readonly linkStaged?: (
    links: Int32Array,
    staged: Int32Array,
    count: number,
    height: number,
    chunks: readonly Uint8Array[],
  ) => number;
  /** Native only: the memtable's batch stager (BatchStager in src/memtable/memtable.ts, which documents it). */
  readonly stageBatch?: (
    payload: Uint8Array,
    state: Int32Array,
    links: Int32Array,
    staged: Int32Array,
    chunk: Uint8Array,
    filter?: Int32Array,
  ) => number;
  /**
   * Native only: one merge step of a scan (ScanMerger in src/db/native-scan.ts, which documents it; the
   * TypeScript twin is src/db/scan-merge-ts.ts, which the db uses with the TypeScript codec).
   */
  readonly scanMerge?: (
    srcs: unknown[],
    ctl: Int32Array,
    sequence: number,
    skip: Uint8Array,
    lower: Uint8Array,
    upper: Uint8Array,
    stage: Uint8Array,
    ends: Int32Array,
    candKey: Uint8Array,
    candValue: Uint8Array,
    cache?: object,
  ) => number;
}

/**
 * Size of the trailer after each stored table block (docs/FORMAT.md "Block trailer"): compression byte, fixed32
 * XXH32. DO NOT CHANGE: embedded in on-disk data.
 */
export const BLOCK_TRAILER_SIZE = 5;
/** Compression byte of a block trailer. DO NOT CHANGE: embedded in on-disk data. */
export const BlockCompression = {
  NONE: 0,
  SNAPPY: 1,
} as const;
/** Seed of the per-block and per-record checksum. DO NOT CHANGE: embedded in on-disk data. */
export const CHECKSUM_SEED = 0;
/** Seed of the bloom filter key hash. DO NOT CHANGE: embedded in on-disk data. */
export const BLOOM_SEED = 0xbc9f1d34;
