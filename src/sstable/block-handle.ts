/**
 * block-handle — where a stored block lives in a table file, and the 5-byte block trailer that follows it
 * (docs/FORMAT.md "Block handle", "Block trailer").
 *
 *   handle  = varint offset ‖ varint size      (size of the stored block, without its trailer)
 *   trailer = compression u8 ‖ fixed32 XXH32(stored block ‖ compression byte, CHECKSUM_SEED)
 *
 * DO NOT CHANGE: embedded in on-disk data. Used by the table builder and reader only.
 */

import { getVarint, putVarint, varintLength, varintValue } from '../base/coding.js';

/** The trailer's size and compression byte are declared with the codec, which writes and checks trailers. */
export { BLOCK_TRAILER_SIZE, BlockCompression } from '../codec/codec.js';

/** Longest encoded handle: two varints of at most 8 bytes (values < 2^53). */
export const MAX_BLOCK_HANDLE_LENGTH = 16;

/** Encodes a handle into a new buffer. */
export function encodeBlockHandle(offset: number, size: number): Buffer {
  const out = Buffer.allocUnsafe(varintLength(offset) + varintLength(size));
  putVarint(out, putVarint(out, 0, offset), size);
  return out;
}

/** Decoded handle result holder, reused so that decoding allocates nothing. */
export const decodedHandle = { offset: 0, size: 0 };

/**
 * Decodes a handle from buf[off, end) into decodedHandle. Returns the offset after it, or -1 when the input is
 * truncated or a varint is too long.
 */
export function decodeBlockHandle(buf: Uint8Array, off: number, end: number): number {
  let p = getVarint(buf, off, end);
  if (p < 0) return -1;
  const offset = varintValue.v;
  p = getVarint(buf, p, end);
  if (p < 0) return -1;
  decodedHandle.offset = offset;
  decodedHandle.size = varintValue.v;
  return p;
}
