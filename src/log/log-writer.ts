/**
 * log-writer — appends records to a log file (WAL or MANIFEST) in the framing of ./log-format.ts.
 *
 * Each addRecords call frames all its payloads into one freshly allocated buffer and hands it to the file with
 * exactly one append, so a group of records reaches the OS together (or, after a crash, as a prefix) and no
 * record is ever interleaved with another writer's bytes. Not safe to share: one writer per file.
 *
 * REQUIRES: nothing else appends to `file` while this writer is in use (the block position is tracked here).
 * REQUIRES: initialOffset, when given, is the file's current size (appending to an existing log).
 */

import type { WritableFile } from '../base/vfs.js';
import { CHECKSUM_SEED, type Codec } from '../codec/codec.js';
import { putFixed32 } from '../base/coding.js';
import { BLOCK_SIZE, HEADER_SIZE, LENGTH_OFFSET, RecordType, TYPE_OFFSET } from './log-format.js';

export class LogWriter {
  readonly file: WritableFile;
  private readonly codec: Codec;
  /** Position within the current block where the next fragment (or padding) goes. */
  private blockOffset: number;

  constructor(file: WritableFile, codec: Codec, initialOffset: number = file.size) {
    this.file = file;
    this.codec = codec;
    this.blockOffset = initialOffset % BLOCK_SIZE;
  }

  /** Frames payloads as consecutive records and appends them with exactly one file.append call. */
  addRecords(payloads: readonly Uint8Array[]): void {
    if (payloads.length === 0) return;
    let total = 0;
    let pos = this.blockOffset;
    for (const p of payloads) {
      const end = frameRecord(undefined, pos, p, this.codec, 0);
      total += end.bytes;
      pos = end.blockOffset;
    }
    const out = Buffer.allocUnsafe(total);
    let written = 0;
    pos = this.blockOffset;
    for (const p of payloads) {
      const end = frameRecord(out, pos, p, this.codec, written);
      written += end.bytes;
      pos = end.blockOffset;
    }
    this.file.append(out);
    this.blockOffset = pos;
  }

  addRecord(payload: Uint8Array): void {
    this.addRecords([payload]);
  }

  /**
   * Appends one single-fragment record of a skippable type (bit 7 set): readers that do not know the type skip
   * it (docs/FORMAT.md). Pads to the next block when the fragment does not fit in this one.
   * REQUIRES: (type & SKIPPABLE_TYPE_BIT) !== 0 and payload.length <= BLOCK_SIZE - HEADER_SIZE.
   */
  addSkippableRecord(type: number, payload: Uint8Array): void {
    const pad = BLOCK_SIZE - this.blockOffset < HEADER_SIZE + payload.length ? BLOCK_SIZE - this.blockOffset : 0;
    const out = Buffer.alloc(pad + HEADER_SIZE + payload.length);
    const o = pad;
    out[o + LENGTH_OFFSET] = payload.length & 0xff;
    out[o + LENGTH_OFFSET + 1] = payload.length >>> 8;
    out[o + TYPE_OFFSET] = type;
    out.set(payload, o + HEADER_SIZE);
    putFixed32(out, o, this.codec.xxh32(out.subarray(o + TYPE_OFFSET), CHECKSUM_SEED));
    this.file.append(out);
    this.blockOffset = (pad > 0 ? 0 : this.blockOffset) + HEADER_SIZE + payload.length;
  }
}

/** Result holder of frameRecord; reused so that framing allocates nothing per record. */
const framed = { bytes: 0, blockOffset: 0 };

/**
 * Frames one record starting at block position blockOffset. With out undefined only measures; otherwise writes
 * the padding, headers and payload into out at outOffset. Returns the bytes produced and the new block position.
 */
function frameRecord(
  out: Buffer | undefined,
  blockOffset: number,
  payload: Uint8Array,
  codec: Codec,
  outOffset: number,
): typeof framed {
  let o = outOffset;
  let left = payload.length;
  let src = 0;
  let begin = true;
  do {
    const leftover = BLOCK_SIZE - blockOffset;
    if (leftover < HEADER_SIZE) {
      if (out) out.fill(0, o, o + leftover);
      o += leftover;
      blockOffset = 0;
    }
    const avail = BLOCK_SIZE - blockOffset - HEADER_SIZE;
    const n = left < avail ? left : avail;
    const end = n === left;
    if (out) {
      const type = begin && end ? RecordType.FULL : begin ? RecordType.FIRST : end ? RecordType.LAST : RecordType.MIDDLE;
      out[o + LENGTH_OFFSET] = n & 0xff;
      out[o + LENGTH_OFFSET + 1] = n >>> 8;
      out[o + TYPE_OFFSET] = type;
      out.set(n === payload.length ? payload : payload.subarray(src, src + n), o + HEADER_SIZE);
      putFixed32(out, o, codec.xxh32(out.subarray(o + TYPE_OFFSET, o + HEADER_SIZE + n), CHECKSUM_SEED));
    }
    o += HEADER_SIZE + n;
    blockOffset += HEADER_SIZE + n;
    src += n;
    left -= n;
    begin = false;
  } while (left > 0);
  framed.bytes = o - outOffset;
  framed.blockOffset = blockOffset;
  return framed;
}
