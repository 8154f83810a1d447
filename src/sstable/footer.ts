/**
 * footer — the fixed 52-byte end of every table file (docs/FORMAT.md "Footer"): the handles of the metaindex and
 * index blocks, the format version, the checksum type, a checksum of the first 40 bytes and the magic.
 *
 *   0 fixed64 metaindex offset   8 fixed64 metaindex size   16 fixed64 index offset   24 fixed64 index size
 *   32 fixed32 version (1)       36 u8 checksum type (1)    37..39 zero               40 fixed32 XXH32(bytes 0..39)
 *   44 magic "lsmkvSST"
 *
 * DO NOT CHANGE: embedded in on-disk data. decodeFooter throws CORRUPTION naming the file and the offset of the
 * bad field; the builder and reader are the only callers.
 */

import { getFixed32, getFixed64, putFixed32, putFixed64 } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import type { Codec } from '../codec/codec.js';
import { CHECKSUM_SEED } from '../codec/codec.js';

export const FOOTER_SIZE = 52;
export const TABLE_FORMAT_VERSION = 1;
export const CHECKSUM_TYPE_XXH32 = 1;
/** "lsmkvSST". DO NOT CHANGE. */
export const TABLE_MAGIC: Readonly<Uint8Array> = Buffer.from('lsmkvSST', 'latin1');

const CHECKSUMMED_BYTES = 40;
const CHECKSUM_OFFSET = 40;
const MAGIC_OFFSET = 44;
/** High half of the largest fixed64 that is a safe integer. */
const MAX_FIXED64_HIGH = 0x1f_ffff;

export interface Footer {
  metaindexOffset: number;
  metaindexSize: number;
  indexOffset: number;
  indexSize: number;
}

export function encodeFooter(codec: Codec, f: Footer): Buffer {
  const out = Buffer.alloc(FOOTER_SIZE);
  putFixed64(out, 0, f.metaindexOffset);
  putFixed64(out, 8, f.metaindexSize);
  putFixed64(out, 16, f.indexOffset);
  putFixed64(out, 24, f.indexSize);
  putFixed32(out, 32, TABLE_FORMAT_VERSION);
  out[36] = CHECKSUM_TYPE_XXH32;
  putFixed32(out, CHECKSUM_OFFSET, codec.xxh32(out.subarray(0, CHECKSUMMED_BYTES), CHECKSUM_SEED));
  out.set(TABLE_MAGIC, MAGIC_OFFSET);
  return out;
}

/**
 * Parses and verifies a footer. `bytes` is the 52-byte footer found at `fileOffset` in `fileName`.
 * Checks, in order: magic, checksum, version, checksum type, fixed64 ranges.
 */
export function decodeFooter(codec: Codec, bytes: Uint8Array, fileName: string, fileOffset: number): Footer {
  if (bytes.length !== FOOTER_SIZE) {
    throw corruption('sstable', `footer is ${bytes.length} bytes, expected ${FOOTER_SIZE}`, fileName, fileOffset);
  }
  for (let i = 0; i < TABLE_MAGIC.length; i++) {
    if (bytes[MAGIC_OFFSET + i] !== TABLE_MAGIC[i]) {
      throw corruption('sstable', 'bad magic number: not a table file', fileName, fileOffset + MAGIC_OFFSET);
    }
  }
  const stored = getFixed32(bytes, CHECKSUM_OFFSET);
  const actual = codec.xxh32(bytes.subarray(0, CHECKSUMMED_BYTES), CHECKSUM_SEED);
  if (stored !== actual) {
    throw corruption('sstable', 'footer checksum mismatch', fileName, fileOffset + CHECKSUM_OFFSET);
  }
  const version = getFixed32(bytes, 32);
  if (version !== TABLE_FORMAT_VERSION) {
    throw corruption('sstable', `unsupported table format version ${version}`, fileName, fileOffset + 32);
  }
  if (bytes[36] !== CHECKSUM_TYPE_XXH32) {
    throw corruption('sstable', `unsupported checksum type ${bytes[36]}`, fileName, fileOffset + 36);
  }
  const fields: number[] = [];
  for (let i = 0; i < 4; i++) {
    if (getFixed32(bytes, 8 * i + 4) > MAX_FIXED64_HIGH) {
      throw corruption('sstable', 'footer block handle exceeds 2^53', fileName, fileOffset + 8 * i);
    }
    fields.push(getFixed64(bytes, 8 * i));
  }
  return { metaindexOffset: fields[0]!, metaindexSize: fields[1]!, indexOffset: fields[2]!, indexSize: fields[3]! };
}
