/**
 * table-builder — writes one table file (docs/FORMAT.md "Table files") from internal keys added in order.
 *
 *   data blocks (cut when their encoded size reaches blockSize) → filter → properties → metaindex → index → footer
 *
 * Each block goes to the codec once (BlockBuilder keeps entries flat): Codec.writeBlock encodes it, snappy-compresses
 * it only if that saves at least 1/8, and appends its 5-byte trailer, in one call. The bloom filter covers the table's distinct user keys,
 * collected flat and built with one codec call at finish. Used by flush and compaction; one builder per file,
 * not shared. Does not sync or close the file: the caller decides durability.
 * Blocks are gathered in a PENDING_BYTES buffer and reach the file one append per ~256 KiB (a write syscall per
 * 4 KiB block was a tenth of a flush); finish() appends everything, so after it the file holds the whole table.
 * An append failure may therefore surface at a later add() or at finish().
 * REQUIRES: the file is empty when the builder is created (block offsets start at 0).
 */

import { ByteWriter, putFixed32 } from '../base/coding.js';
import { compareRanges, compareTrailers } from '../base/comparator.js';
import { TRAILER_SIZE, ValueKind, trailerKind, trailerSequence } from '../base/internal-key.js';
import type { WritableFile } from '../base/vfs.js';
import type { Codec } from '../codec/codec.js';
import { CHECKSUM_SEED } from '../codec/codec.js';
import { BlockBuilder } from './block-builder.js';
import { BLOCK_TRAILER_SIZE, BlockCompression, encodeBlockHandle } from './block-handle.js';
import { encodeFooter } from './footer.js';
import { METAINDEX_FILTER, METAINDEX_PROPERTIES } from './metaindex.js';
import { propertiesToEntries } from './table-properties.js';

/** Bytes of encoded blocks gathered before one file append. */
const PENDING_BYTES = 256 * 1024;

export interface TableBuilderOptions {
  blockSize: number;
  blockRestartInterval: number;
  /** 0 writes no filter block. */
  bloomBitsPerKey: number;
  compression: 'snappy' | 'none';
  /** lsmkv.creation-time to record (ms since epoch); default Date.now(). Fixed in golden-file tests. */
  creationTime?: number;
}

export interface TableInfo {
  /** File size after finish. */
  size: number;
  /** Copies of the first and last internal keys. */
  smallest: Buffer;
  largest: Buffer;
  numEntries: number;
  numDeletions: number;
  minSequence: number;
  maxSequence: number;
}

export class TableBuilder {
  private readonly data: BlockBuilder;
  private readonly index = new BlockBuilder(1);
  private offset = 0;
  private numEntries_ = 0;
  private numDeletions = 0;
  private minSequence = Number.MAX_SAFE_INTEGER;
  private maxSequence = 0;
  private rawKeySize = 0;
  private rawValueSize = 0;
  private numDataBlocks = 0;
  private smallest: Buffer | undefined;
  /** The previous key added (flat, reused). */
  private last = Buffer.alloc(64);
  private lastLength = 0;
  /** Distinct user keys for the filter, flat. */
  private readonly userKeys = new ByteWriter(4096);
  private userKeyOffsets = new Uint32Array(1024);
  private numUserKeys = 0;
  private finished = false;
  /** Encoded bytes not yet appended to the file: pending[0, pendingLength). */
  private readonly pending = Buffer.allocUnsafe(PENDING_BYTES);
  private pendingLength = 0;

  constructor(
    private readonly file: WritableFile,
    private readonly options: TableBuilderOptions,
    private readonly codec: Codec,
  ) {
    this.data = new BlockBuilder(options.blockRestartInterval);
  }

  get numEntries(): number {
    return this.numEntries_;
  }

  /** Bytes written so far plus the pending data block. */
  get estimatedSize(): number {
    return this.offset + (this.data.empty ? 0 : this.data.encodedSize + BLOCK_TRAILER_SIZE);
  }

  /** REQUIRES: ikey strictly greater (internal-key order) than the previous one; finish() not called. */
  add(ikey: Uint8Array, value: Uint8Array): void {
    if (this.finished) throw new Error('sstable: add after finish');
    if (ikey.length < TRAILER_SIZE) throw new RangeError('sstable: internal key shorter than its trailer');
    const userLen = ikey.length - TRAILER_SIZE;
    if (this.numEntries_ === 0) {
      this.smallest = Buffer.from(ikey);
      this.addUserKey(ikey, userLen);
    } else {
      const lastUser = this.lastLength - TRAILER_SIZE;
      const c = compareRanges(this.last, 0, lastUser, ikey, 0, userLen);
      if (c > 0 || (c === 0 && compareTrailers(this.last, lastUser, ikey, userLen) >= 0)) {
        throw new RangeError('sstable: keys must be added in strictly increasing internal-key order');
      }
      if (c !== 0) this.addUserKey(ikey, userLen);
    }
    this.setLast(ikey);

    const seq = trailerSequence(ikey, userLen);
    if (seq < this.minSequence) this.minSequence = seq;
    if (seq > this.maxSequence) this.maxSequence = seq;
    if (trailerKind(ikey, userLen) === ValueKind.Deletion) this.numDeletions++;
    this.numEntries_++;
    this.rawKeySize += ikey.length;
    this.rawValueSize += value.length;

    this.data.add(ikey, value);
    if (this.data.encodedSize >= this.options.blockSize) this.flushDataBlock();
  }

  /** Writes the remaining blocks, filter, properties, metaindex, index and footer. Does not sync or close. */
  finish(): TableInfo {
    if (this.finished) throw new Error('sstable: finish called twice');
    if (this.numEntries_ === 0) throw new RangeError('sstable: a table needs at least one entry');
    this.finished = true;
    if (!this.data.empty) this.flushDataBlock();
    const dataSize = this.offset;

    const meta = new BlockBuilder(1);
    let filterSize = 0;
    let filterHandle: Buffer | undefined;
    if (this.options.bloomBitsPerKey > 0) {
      const filter = this.codec.bloomBuild(this.userKeys.buf, this.userKeyOffsets, this.numUserKeys,
        this.options.bloomBitsPerKey);
      filterSize = filter.length;
      filterHandle = this.writeRaw(filter);
    }

    // The index is complete now; encode it first so the properties can record its size.
    const indexStored = this.index.finishStored(this.codec, this.compress);
    const indexSize = indexStored.length - BLOCK_TRAILER_SIZE;
    const largest = Buffer.from(this.last.subarray(0, this.lastLength));
    const props = propertiesToEntries({
      creationTime: this.options.creationTime ?? Date.now(),
      dataSize,
      filterSize,
      indexSize,
      largestKey: largest,
      maxSequence: this.maxSequence,
      minSequence: this.minSequence,
      numDataBlocks: this.numDataBlocks,
      numDeletions: this.numDeletions,
      numEntries: this.numEntries_,
      rawKeySize: this.rawKeySize,
      rawValueSize: this.rawValueSize,
      smallestKey: this.smallest!,
    });
    const propsHandle = this.append(this.codec.writeBlock(props, 1, this.compress));

    if (filterHandle !== undefined) meta.add(Buffer.from(METAINDEX_FILTER, 'latin1'), filterHandle);
    meta.add(Buffer.from(METAINDEX_PROPERTIES, 'latin1'), propsHandle);
    const metaOffset = this.offset;
    const metaStored = meta.finishStored(this.codec, this.compress);
    this.append(metaStored);

    const indexOffset = this.offset;
    this.append(indexStored);

    const footer = encodeFooter(this.codec, {
      metaindexOffset: metaOffset,
      metaindexSize: metaStored.length - BLOCK_TRAILER_SIZE,
      indexOffset,
      indexSize,
    });
    this.write(footer);
    this.offset += footer.length;
    this.flushPending();

    return {
      size: this.offset,
      smallest: this.smallest!,
      largest,
      numEntries: this.numEntries_,
      numDeletions: this.numDeletions,
      minSequence: this.minSequence,
      maxSequence: this.maxSequence,
    };
  }

  private setLast(ikey: Uint8Array): void {
    if (ikey.length > this.last.length) this.last = Buffer.alloc(Math.max(ikey.length, this.last.length * 2));
    this.last.set(ikey);
    this.lastLength = ikey.length;
  }

  private addUserKey(ikey: Uint8Array, userLen: number): void {
    const n = this.numUserKeys;
    if (n + 2 > this.userKeyOffsets.length) {
      const grown = new Uint32Array(this.userKeyOffsets.length * 2);
      grown.set(this.userKeyOffsets);
      this.userKeyOffsets = grown;
    }
    this.userKeys.bytes(ikey.subarray(0, userLen));
    this.numUserKeys = n + 1;
    this.userKeyOffsets[n + 1] = this.userKeys.length;
  }

  private flushDataBlock(): void {
    const handle = this.append(this.data.finishStored(this.codec, this.compress));
    this.index.add(this.data.lastKey(), handle);
    this.data.reset();
    this.numDataBlocks++;
  }

  private get compress(): boolean {
    return this.options.compression === 'snappy';
  }

  /** Appends a stored block with its trailer (from Codec.writeBlock); returns its encoded handle. */
  private append(storedWithTrailer: Buffer): Buffer {
    const offset = this.offset;
    this.write(storedWithTrailer);
    this.offset += storedWithTrailer.length;
    return encodeBlockHandle(offset, storedWithTrailer.length - BLOCK_TRAILER_SIZE);
  }

  /** Queues bytes for the file, appending the pending buffer first when they do not fit in it. */
  private write(bytes: Uint8Array): void {
    if (this.pendingLength + bytes.length > PENDING_BYTES) {
      this.flushPending();
      if (bytes.length >= PENDING_BYTES) {
        this.file.append(bytes);
        return;
      }
    }
    this.pending.set(bytes, this.pendingLength);
    this.pendingLength += bytes.length;
  }

  private flushPending(): void {
    if (this.pendingLength === 0) return;
    this.file.append(this.pending.subarray(0, this.pendingLength));
    this.pendingLength = 0;
  }

  /** Appends bytes that are not a block (the filter) uncompressed, with their trailer; returns the handle. */
  private writeRaw(contents: Buffer): Buffer {
    const out = Buffer.allocUnsafe(contents.length + BLOCK_TRAILER_SIZE);
    contents.copy(out, 0);
    out[contents.length] = BlockCompression.NONE;
    putFixed32(out, contents.length + 1, this.codec.xxh32(out.subarray(0, contents.length + 1), CHECKSUM_SEED));
    return this.append(out);
  }
}
