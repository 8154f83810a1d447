/**
 * log-writer — appends records to a log file (WAL or MANIFEST) in the framing of ./log-format.ts.
 *
 * Each addRecords call frames all its payloads into one buffer and hands it to the file with exactly one append,
 * so a group of records reaches the OS together (or, after a crash, as a prefix) and no record is ever interleaved
 * with another writer's bytes. Not safe to share: one writer per file.
 * The buffer is this writer's scratch, reused by the next call (up to SCRATCH_KEEP bytes; a larger group gets a
 * buffer of its own): a fresh allocation per append cost more than the framing itself (a 128 KiB batch touched
 * 32 new pages, a one-put record paid a pool slice and two views).
 * REQUIRES: file.append copies or writes `data` before it returns and keeps no reference to it (every WritableFile
 * does: the vfs contract is that appended bytes are in the OS when append returns).
 *
 * REQUIRES: nothing else appends to `file` while this writer is in use (the block position is tracked here).
 * REQUIRES: initialOffset, when given, is the file's current size (appending to an existing log).
 */

import type { WritableFile } from '../base/vfs.js';
import { CHECKSUM_SEED, type Codec } from '../codec/codec.js';
import { putFixed32 } from '../base/coding.js';
import { xxh32Range } from '../codec/xxh32.js';
import { BLOCK_SIZE, HEADER_SIZE, LENGTH_OFFSET, RecordType, TYPE_OFFSET } from './log-format.js';

export class LogWriter {
  readonly file: WritableFile;
  private readonly codec: Codec;
  /** Position within the current block where the next fragment (or padding) goes. */
  private blockOffset: number;
  /** Reused output buffer of addRecords (see the header). */
  private scratch: Buffer = Buffer.allocUnsafe(0);
  /** The last view of scratch handed to append, and the scratch it views: same-sized appends (one put each) reuse it. */
  private scratchView: Buffer | undefined;
  private scratchViewOf: Buffer | undefined;

  constructor(file: WritableFile, codec: Codec, initialOffset: number = file.size) {
    this.file = file;
    this.codec = codec;
    this.blockOffset = initialOffset % BLOCK_SIZE;
  }

  /** Frames payloads as consecutive records and appends them with exactly one file.append call. */
  addRecords(payloads: readonly Uint8Array[]): void {
    if (payloads.length === 0) return;
    let bound = 0;
    for (const p of payloads) bound += maxFramedSize(p.length);
    let out = this.scratch;
    if (bound > out.length) {
      out = Buffer.allocUnsafe(bound);
      if (bound <= SCRATCH_KEEP) this.scratch = out;
    }
    let o = 0;
    let pos = this.blockOffset;
    for (const p of payloads) {
      const end = frameRecord(out, pos, p, this.codec, o);
      o += end.bytes;
      pos = end.blockOffset;
    }
    let view = this.scratchView;
    if (view === undefined || view.length !== o || out !== this.scratch || this.scratchViewOf !== out) {
      view = out.subarray(0, o);
      if (out === this.scratch) {
        this.scratchView = view;
        this.scratchViewOf = out;
      }
    }
    this.file.append(view);
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

/** Largest scratch buffer a writer keeps between appends (a WAL group of 1000 db_bench puts is ~120 KiB). */
const SCRATCH_KEEP = 1 << 20;

/** Fragments shorter than this are hashed in JavaScript without a view (the native hash wins from ~200 bytes). */
const JS_HASH_MAX = 200;

/**
 * An upper bound on the framed size of a len-byte record at any block position: every fragment but the last
 * fills the rest of a block, so there are at most floor(len / (BLOCK_SIZE - HEADER_SIZE)) + 2 fragments, each
 * with a header and, before it, at most HEADER_SIZE - 1 bytes of block padding.
 */
function maxFramedSize(len: number): number {
  return len + (Math.floor(len / (BLOCK_SIZE - HEADER_SIZE)) + 2) * 2 * HEADER_SIZE;
}

/** Result holder of frameRecord; reused so that framing allocates nothing per record. */
const framed = { bytes: 0, blockOffset: 0 };

/**
 * Frames one record starting at block position blockOffset: writes the padding, headers and payload into out at
 * outOffset. Returns the bytes produced and the new block position.
 * REQUIRES: out has maxFramedSize(payload.length) bytes from outOffset.
 */
function frameRecord(
  out: Buffer,
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
      out.fill(0, o, o + leftover);
      o += leftover;
      blockOffset = 0;
    }
    const avail = BLOCK_SIZE - blockOffset - HEADER_SIZE;
    const n = left < avail ? left : avail;
    const end = n === left;
    const type = begin && end ? RecordType.FULL : begin ? RecordType.FIRST : end ? RecordType.LAST : RecordType.MIDDLE;
    out[o + LENGTH_OFFSET] = n & 0xff;
    out[o + LENGTH_OFFSET + 1] = n >>> 8;
    out[o + TYPE_OFFSET] = type;
    out.set(n === payload.length ? payload : payload.subarray(src, src + n), o + HEADER_SIZE);
    const from = o + TYPE_OFFSET;
    const to = o + HEADER_SIZE + n;
    putFixed32(
      out,
      o,
      n < JS_HASH_MAX ? xxh32Range(out, from, to, CHECKSUM_SEED) : codec.xxh32(out.subarray(from, to), CHECKSUM_SEED),
    );
    o = to;
    blockOffset += HEADER_SIZE + n;
    src += n;
    left -= n;
    begin = false;
  } while (left > 0);
  framed.bytes = o - outOffset;
  framed.blockOffset = blockOffset;
  return framed;
}
