/**
 * block-builder — accumulates one block's entries in flat growing arrays (keys + offsets, values + offsets) and
 * hands them to codec.encodeBlock once per block, never per key.
 *
 * Tracks the exact encoded size as entries arrive (shared prefixes, varints, restart array) so the table builder
 * can cut blocks at blockSize. Owned by one TableBuilder; not shared.
 * REQUIRES: keys are added in the block's sort order (the table builder checks it).
 */

import { ByteWriter } from '../base/coding.js';
import type { BlockEntries, Codec } from '../codec/codec.js';

function varLen(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
}

export class BlockBuilder {
  private readonly keys = new ByteWriter(4096);
  private readonly values = new ByteWriter(4096);
  private keyOffsets = new Uint32Array(129);
  private valueOffsets = new Uint32Array(129);
  private count_ = 0;
  /** Encoded size of the entries so far (without the restart array). */
  private entriesSize = 0;

  constructor(private readonly restartInterval: number) {}

  get count(): number {
    return this.count_;
  }

  get empty(): boolean {
    return this.count_ === 0;
  }

  /** Exact size encodeBlock will produce for the entries added so far. */
  get encodedSize(): number {
    return this.entriesSize + 4 * Math.ceil(this.count_ / this.restartInterval) + 4;
  }

  /** The last key added. REQUIRES: !empty. The view is valid until the next add or reset. */
  lastKey(): Uint8Array {
    return this.keys.buf.subarray(this.keyOffsets[this.count_ - 1]!, this.keys.length);
  }

  add(key: Uint8Array, value: Uint8Array): void {
    const n = this.count_;
    if (n + 2 > this.keyOffsets.length) this.grow();
    let shared = 0;
    if (n % this.restartInterval !== 0) {
      const kb = this.keys.buf;
      const prev = this.keyOffsets[n - 1]!;
      const max = Math.min(key.length, this.keys.length - prev);
      while (shared < max && kb[prev + shared] === key[shared]) shared++;
    }
    const unshared = key.length - shared;
    this.entriesSize += varLen(shared) + varLen(unshared) + varLen(value.length) + unshared + value.length;
    this.keys.bytes(key);
    this.values.bytes(value);
    this.count_ = n + 1;
    this.keyOffsets[n + 1] = this.keys.length;
    this.valueOffsets[n + 1] = this.values.length;
  }

  /** Encodes the block. REQUIRES: !empty. Call reset() before reusing the builder. */
  finish(codec: Codec): Buffer {
    return codec.encodeBlock(this.entries(), this.restartInterval);
  }

  /**
   * Encodes the block as stored in a table: maybe snappy-compressed, followed by its 5-byte trailer (one codec
   * call: Codec.writeBlock). REQUIRES: !empty. Call reset() before reusing the builder.
   */
  finishStored(codec: Codec, compress: boolean): Buffer {
    return codec.writeBlock(this.entries(), this.restartInterval, compress);
  }

  private entries(): BlockEntries {
    return {
      count: this.count_,
      keys: this.keys.buf,
      keyOffsets: this.keyOffsets,
      values: this.values.buf,
      valueOffsets: this.valueOffsets,
    };
  }

  reset(): void {
    this.keys.reset();
    this.values.reset();
    this.count_ = 0;
    this.entriesSize = 0;
  }

  private grow(): void {
    const k = new Uint32Array(this.keyOffsets.length * 2);
    k.set(this.keyOffsets);
    this.keyOffsets = k;
    const v = new Uint32Array(this.valueOffsets.length * 2);
    v.set(this.valueOffsets);
    this.valueOffsets = v;
  }
}
