/**
 * read-block — reads one stored block from a table file and turns it into verified contents and a DecodedBlock.
 *
 *   read stored bytes + 5-byte trailer → verify XXH32(stored ‖ compression byte) → decompress (snappy) → decode
 *
 * Every failure is a CORRUPTION error naming the file and the block's offset (the codec's status name for a block
 * that does not decode). Used by TableReader only; callers do their own caching.
 */

import snappy from 'snappy';
import { getFixed32 } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import { TRAILER_SIZE } from '../base/internal-key.js';
import type { RandomAccessFile } from '../base/vfs.js';
import type { Codec, DecodedBlock } from '../codec/codec.js';
import { CHECKSUM_SEED, CodecStatus } from '../codec/codec.js';
import { BLOCK_TRAILER_SIZE, BlockCompression } from './block-handle.js';

const STATUS_NAMES = new Map<number, string>(Object.entries(CodecStatus).map(([name, v]) => [v, name]));

/** Reads, verifies and decompresses the block at [offset, offset + size) (+ trailer). */
export function readBlockContents(
  file: RandomAccessFile,
  fileName: string,
  codec: Codec,
  offset: number,
  size: number,
): Buffer {
  const raw = file.read(offset, size + BLOCK_TRAILER_SIZE);
  if (raw.length !== size + BLOCK_TRAILER_SIZE) {
    throw corruption('sstable', `truncated block: read ${raw.length} of ${size + BLOCK_TRAILER_SIZE} bytes`,
      fileName, offset);
  }
  const type = raw[size]!;
  const stored = getFixed32(raw, size + 1);
  if (codec.xxh32(raw.subarray(0, size + 1), CHECKSUM_SEED) !== stored) {
    throw corruption('sstable', 'block checksum mismatch', fileName, offset);
  }
  const contents = raw.subarray(0, size);
  if (type === BlockCompression.NONE) return contents;
  if (type === BlockCompression.SNAPPY) return uncompress(contents, fileName, offset);
  throw corruption('sstable', `unknown block compression type ${type}`, fileName, offset);
}

function uncompress(contents: Buffer, fileName: string, offset: number): Buffer {
  let out: string | Buffer;
  try {
    out = snappy.uncompressSync(contents);
  } catch (e) {
    throw corruption('sstable', `bad snappy data: ${(e as Error).message}`, fileName, offset);
  }
  if (typeof out === 'string') out = Buffer.from(out, 'latin1');
  return out;
}

/**
 * Decodes block contents. With `internalKeys`, also checks that every key is long enough to hold a trailer
 * (data and index blocks), which the iterators rely on.
 */
export function decodeBlockContents(
  codec: Codec,
  contents: Buffer,
  fileName: string,
  offset: number,
  internalKeys: boolean,
): DecodedBlock {
  const d = codec.decodeBlock(contents);
  if (typeof d === 'number') {
    throw corruption('sstable', `bad block (${STATUS_NAMES.get(d) ?? `status ${d}`})`, fileName, offset);
  }
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

/** readBlockContents then decodeBlockContents. */
export function readBlock(
  file: RandomAccessFile,
  fileName: string,
  codec: Codec,
  offset: number,
  size: number,
  internalKeys: boolean,
): DecodedBlock {
  return decodeBlockContents(codec, readBlockContents(file, fileName, codec, offset, size), fileName, offset,
    internalKeys);
}
