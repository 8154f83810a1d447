/**
 * read-block — reads one stored block from a table file and turns it into verified contents and a DecodedBlock.
 *
 *   read stored bytes + 5-byte trailer → Codec.readBlock: verify XXH32(stored ‖ compression byte), decompress
 *   (snappy), decode — one codec call (one native call) per block
 *
 * Every failure is a CORRUPTION error naming the file and the block's offset: a checksum mismatch, an unknown
 * compression type, bad snappy data, or the codec's status name for a block that does not decode. Used by
 * TableReader only; callers do their own caching.
 */

import { getFixed32 } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import type { LsmkvError } from '../base/errors.js';
import { TRAILER_SIZE } from '../base/internal-key.js';
import type { RandomAccessFile } from '../base/vfs.js';
import type { Codec, DecodedBlock } from '../codec/codec.js';
import { CHECKSUM_SEED, CodecStatus } from '../codec/codec.js';
import { BLOCK_TRAILER_SIZE, BlockCompression } from './block-handle.js';

const STATUS_NAMES = new Map<number, string>(Object.entries(CodecStatus).map(([name, v]) => [v, name]));

/** Reads the stored block at [offset, offset + size) and its trailer; throws CORRUPTION when the file is short. */
function readStored(file: RandomAccessFile, fileName: string, offset: number, size: number): Buffer {
  const raw = file.read(offset, size + BLOCK_TRAILER_SIZE);
  checkStoredLength(raw, fileName, offset, size);
  return raw;
}

/** Throws CORRUPTION unless `raw` holds the whole block and trailer (a short read: the file is truncated). */
function checkStoredLength(raw: Buffer, fileName: string, offset: number, size: number): void {
  if (raw.length !== size + BLOCK_TRAILER_SIZE) {
    throw corruption('sstable', `truncated block: read ${raw.length} of ${size + BLOCK_TRAILER_SIZE} bytes`,
      fileName, offset);
  }
}

/** The CORRUPTION error for a CodecStatus from reading the stored block `raw` (block + trailer). */
function statusError(status: number, raw: Buffer, fileName: string, offset: number): LsmkvError {
  const type = raw[raw.length - BLOCK_TRAILER_SIZE]!;
  if (status === CodecStatus.BAD_CHECKSUM) return corruption('sstable', 'block checksum mismatch', fileName, offset);
  if (status === CodecStatus.BAD_COMPRESSED_BLOCK && type !== BlockCompression.NONE && type !== BlockCompression.SNAPPY) {
    return corruption('sstable', `unknown block compression type ${type}`, fileName, offset);
  }
  if (status === CodecStatus.BAD_COMPRESSED_BLOCK) return corruption('sstable', 'bad snappy data', fileName, offset);
  return corruption('sstable', `bad block (${STATUS_NAMES.get(status) ?? `status ${status}`})`, fileName, offset);
}

/**
 * Reads, verifies and decompresses the block at [offset, offset + size) (+ trailer) without decoding it: for the
 * filter (not a block) and for checking meta blocks.
 */
export function readBlockContents(
  file: RandomAccessFile,
  fileName: string,
  codec: Codec,
  offset: number,
  size: number,
): Buffer {
  const raw = readStored(file, fileName, offset, size);
  const type = raw[size]!;
  if (codec.xxh32(raw.subarray(0, size + 1), CHECKSUM_SEED) !== getFixed32(raw, size + 1)) {
    throw statusError(CodecStatus.BAD_CHECKSUM, raw, fileName, offset);
  }
  const contents = raw.subarray(0, size);
  if (type === BlockCompression.NONE) return contents;
  const out = type === BlockCompression.SNAPPY ? codec.snappyUncompress(contents) : CodecStatus.BAD_COMPRESSED_BLOCK;
  if (typeof out === 'number') throw statusError(out, raw, fileName, offset);
  return out;
}

/**
 * Checks, when `internalKeys` is set, that every key is long enough to hold a trailer (data and index blocks),
 * which the iterators rely on.
 */
function checkKeys(d: DecodedBlock, fileName: string, offset: number, internalKeys: boolean): DecodedBlock {
  if (internalKeys) {
    const ko = d.keyOffsets;
    for (let i = 0; i < d.count; i++) {
      if (ko[i + 1]! - ko[i]! < TRAILER_SIZE) {
        throw corruption('sstable', `key ${i} is shorter than an internal key trailer`, fileName, offset);
      }
    }
  }
  return d;
}

/** Reads, verifies, decompresses and decodes the block at [offset, offset + size) (+ trailer): one codec call. */
export function readBlock(
  file: RandomAccessFile,
  fileName: string,
  codec: Codec,
  offset: number,
  size: number,
  internalKeys: boolean,
): DecodedBlock {
  return decodeStoredBlock(file.read(offset, size + BLOCK_TRAILER_SIZE), fileName, codec, offset, size, internalKeys);
}

/**
 * readBlock for stored bytes already read (`raw`: what a read of the block + trailer at `offset` returned, e.g.
 * from a read-ahead buffer, ./readahead.ts). Throws CORRUPTION for a short read as readBlock does.
 */
export function decodeStoredBlock(
  raw: Buffer,
  fileName: string,
  codec: Codec,
  offset: number,
  size: number,
  internalKeys: boolean,
): DecodedBlock {
  checkStoredLength(raw, fileName, offset, size);
  const d = codec.readBlock(raw);
  if (typeof d === 'number') throw statusError(d, raw, fileName, offset);
  return checkKeys(d, fileName, offset, internalKeys);
}
