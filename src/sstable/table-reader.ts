/**
 * table-reader — reads one immutable table file: point lookups through the bloom filter, the index and one data
 * block, and two-level iterators.
 *
 * open() reads and verifies the footer, the index (kept decoded, its block handles parsed into flat arrays), the
 * metaindex, the filter and the properties; any damage is a CORRUPTION error naming the file and offset. Data
 * blocks are read on demand through the shared block cache. Values returned by get() are copies; iterator values
 * are views into (possibly cached) blocks. A reader is reference counted by its iterators: close() closes the file
 * once the last open iterator is closed, so the table cache may evict a reader that an iterator still uses.
 * One thread; not safe to share across threads.
 */

import { compareInternalKeys, compareRanges } from '../base/comparator.js';
import { corruption } from '../base/errors.js';
import { KIND_FOR_SEEK, TRAILER_SIZE, ValueKind, putTrailer } from '../base/internal-key.js';
import type { InternalIterator } from '../base/iterator.js';
import type { RandomAccessFile } from '../base/vfs.js';
import { bloomMayContainHash } from '../codec/bloom-probe.js';
import type { Codec, DecodedBlock } from '../codec/codec.js';
import type { BlockCache } from './block-cache.js';
import { BLOCK_TRAILER_SIZE, BlockCompression, decodeBlockHandle, decodedHandle } from './block-handle.js';
import { lowerBound } from './block-iterator.js';
import { FOOTER_SIZE, decodeFooter } from './footer.js';
import type { KeyWords } from './key-words.js';
import { buildKeyWords, lowerBoundWords } from './key-words.js';
import { METAINDEX_FILTER, METAINDEX_PROPERTIES } from './metaindex.js';
import { decodeStoredBlock, readBlock, readBlockContents } from './read-block.js';
import { Readahead } from './readahead.js';
import { TableIterator } from './table-iterator.js';
import type { TableProperties } from './table-properties.js';
import { propertiesFromBlock } from './table-properties.js';

export interface ReadStats {
  /** Lookups that probed a bloom filter. */
  bloomChecked: number;
  /** Probes that ruled the key out (saved a block read). */
  bloomUseful: number;
  blockCacheHits: number;
  /** Data blocks read from the file (cache miss or no cache). */
  blockCacheMisses: number;
}

interface TableMeta {
  index: DecodedBlock;
  blockOffsets: Float64Array;
  blockSizes: Float64Array;
  filter: Buffer | undefined;
  properties: TableProperties;
  /** Handles of the non-data blocks, for verify(). */
  metaBlocks: Array<[offset: number, size: number]>;
}

export class TableReader {
  readonly properties: TableProperties;
  private readonly index: DecodedBlock;
  /** The index's user keys as words, for get()'s binary search (./key-words.ts). */
  private readonly indexWords: KeyWords;
  private readonly blockOffsets: Float64Array;
  private readonly blockSizes: Float64Array;
  private readonly filter: Buffer | undefined;
  private seekScratch = Buffer.alloc(64);
  /** seekScratch's prefix of the last seek key's length (keys of one length need no new view per lookup). */
  private seekView = this.seekScratch.subarray(0, 0);
  private refs = 0;
  private closing = false;
  private fileClosed = false;

  private constructor(
    private readonly file: RandomAccessFile,
    readonly fileName: string,
    readonly fileNumber: number,
    private readonly codec: Codec,
    private readonly cache: BlockCache | undefined,
    private readonly stats: ReadStats,
    meta: TableMeta,
  ) {
    this.properties = meta.properties;
    this.index = meta.index;
    this.indexWords = buildKeyWords(meta.index);
    this.blockOffsets = meta.blockOffsets;
    this.blockSizes = meta.blockSizes;
    this.filter = meta.filter;
  }

  /**
   * Reads and verifies footer (checksum, magic, version, checksum type), index, filter and properties.
   * Any damage → LsmkvError CORRUPTION naming fileName and the offset. On failure the file is left open.
   */
  static open(
    file: RandomAccessFile,
    fileName: string,
    fileNumber: number,
    codec: Codec,
    cache: BlockCache | undefined,
    stats: ReadStats,
  ): TableReader {
    return new TableReader(file, fileName, fileNumber, codec, cache, stats, readMeta(file, fileName, codec));
  }

  /** Number of data blocks. */
  get numBlocks(): number {
    return this.index.count;
  }

  /**
   * Newest entry for userKey with sequence <= seq in this table: undefined (none), null (deletion) or a copy of
   * the value. Probes the bloom filter first, with `hash` when given (bloomHash(userKey), computed once by a caller
   * that probes several tables).
   */
  get(userKey: Uint8Array, seq: number, hash?: number): Buffer | null | undefined {
    const filter = this.filter;
    if (filter !== undefined) {
      this.stats.bloomChecked++;
      const may = hash === undefined ? this.codec.bloomMayContain(filter, userKey) : bloomMayContainHash(filter, hash);
      if (!may) {
        this.stats.bloomUseful++;
        return undefined;
      }
    }
    const target = this.seekKey(userKey, seq);
    const bi = lowerBoundWords(this.index, this.indexWords, userKey, target);
    if (bi === this.index.count) return undefined;
    const block = this.dataBlock(bi);
    const i = lowerBound(block, target);
    if (i === block.count) return undefined;
    const ks = block.keyOffsets[i]!;
    const ke = block.keyOffsets[i + 1]! - TRAILER_SIZE;
    if (compareRanges(block.keys, ks, ke, userKey, 0, userKey.length) !== 0) return undefined;
    const kind = block.keys[ke]!;
    if (kind === ValueKind.Deletion) return null;
    if (kind !== ValueKind.Value) {
      throw corruption('sstable', `unknown value kind ${kind}`, this.fileName, this.blockOffsets[bi]!);
    }
    const vs = block.valueOffsets[2 * i]!;
    const ve = block.valueOffsets[2 * i + 1]!;
    const out = Buffer.allocUnsafe(ve - vs);
    block.data.copy(out, 0, vs, ve);
    return out;
  }

  /** Two-level iterator over the whole table. Holds a reference on the reader until closed. */
  iterator(): InternalIterator {
    if (this.fileClosed) throw new Error(`sstable: iterator on closed table ${this.fileName}`);
    this.refs++;
    // Each iterator reads ahead when it walks blocks in order and they miss the cache (./readahead.ts).
    const ra = new Readahead();
    return new TableIterator(
      this.index,
      (i) => this.dataBlock(i, ra),
      () => this.unref(),
      (target) => this.indexSeek(target),
    );
  }

  /** Reads every block (bypassing the cache), checks every checksum and the key order. Throws CORRUPTION. */
  verify(): void {
    const meta = readMeta(this.file, this.fileName, this.codec);
    let prev: Uint8Array | undefined;
    for (let b = 0; b < meta.index.count; b++) {
      const offset = meta.blockOffsets[b]!;
      const block = readBlock(this.file, this.fileName, this.codec, offset, meta.blockSizes[b]!, true);
      for (let i = 0; i < block.count; i++) {
        const key = block.keys.subarray(block.keyOffsets[i]!, block.keyOffsets[i + 1]!);
        if (prev !== undefined && compareInternalKeys(prev, key) >= 0) {
          throw corruption('sstable', `keys out of order in block ${b}`, this.fileName, offset);
        }
        prev = key;
      }
      const indexKey = meta.index.keys.subarray(meta.index.keyOffsets[b]!, meta.index.keyOffsets[b + 1]!);
      if (prev === undefined || compareInternalKeys(prev, indexKey) !== 0) {
        throw corruption('sstable', `index key of block ${b} is not its last key`, this.fileName, offset);
      }
    }
    for (const [offset, size] of meta.metaBlocks) readBlockContents(this.file, this.fileName, this.codec, offset, size);
  }

  /** Closes the file now, or when the last open iterator is closed. Idempotent. */
  close(): void {
    this.closing = true;
    if (this.refs === 0) this.closeFile();
  }

  /** Data block i, from the cache or the file (through the iterator's read-ahead when given). */
  private dataBlock(i: number, ra?: Readahead): DecodedBlock {
    const offset = this.blockOffsets[i]!;
    const cache = this.cache;
    if (cache !== undefined && cache.capacity > 0) {
      const hit = cache.get(this.fileNumber, offset);
      if (hit !== undefined) {
        this.stats.blockCacheHits++;
        ra?.touched(i);
        return hit;
      }
    }
    this.stats.blockCacheMisses++;
    const size = this.blockSizes[i]!;
    const raw = ra === undefined ? this.file.read(offset, size + BLOCK_TRAILER_SIZE)
      : ra.read(this.file, this.blockOffsets, this.blockSizes, i);
    const block = decodeKept(raw, this.fileName, this.codec, offset, size);
    cache?.insert(this.fileNumber, offset, block);
    return block;
  }

  /** The first data block whose last key >= target (an internal key), through the index's words. */
  private indexSeek(target: Uint8Array): number {
    const ul = target.length - TRAILER_SIZE;
    if (ul < 0) return lowerBound(this.index, target);
    return lowerBoundWords(this.index, this.indexWords, target, target, ul);
  }

  /** userKey ‖ trailer(seq, KIND_FOR_SEEK) in a reused buffer; the view is valid until the next call. */
  private seekKey(userKey: Uint8Array, seq: number): Buffer {
    const len = userKey.length + TRAILER_SIZE;
    if (len > this.seekScratch.length) this.seekScratch = Buffer.alloc(Math.max(len, 2 * this.seekScratch.length));
    if (this.seekView.length !== len || this.seekView.buffer !== this.seekScratch.buffer) {
      this.seekView = this.seekScratch.subarray(0, len);
    }
    const view = this.seekView;
    view.set(userKey, 0);
    putTrailer(view, userKey.length, seq, KIND_FOR_SEEK);
    return view;
  }

  private unref(): void {
    this.refs--;
    if (this.closing && this.refs === 0) this.closeFile();
  }

  private closeFile(): void {
    if (this.fileClosed) return;
    this.fileClosed = true;
    this.file.close();
  }
}

/** Reads footer, index, metaindex, filter and properties, verifying each. */
function readMeta(file: RandomAccessFile, fileName: string, codec: Codec): TableMeta {
  const fileSize = file.size;
  if (fileSize < FOOTER_SIZE) {
    throw corruption('sstable', `file is ${fileSize} bytes, too short for a table footer`, fileName, 0);
  }
  const footerOffset = fileSize - FOOTER_SIZE;
  const footer = decodeFooter(codec, file.read(footerOffset, FOOTER_SIZE), fileName, footerOffset);
  const checkHandle = (offset: number, size: number, what: string, where: number): void => {
    if (offset + size + BLOCK_TRAILER_SIZE > footerOffset) {
      throw corruption('sstable', `${what} block handle (${offset}, ${size}) runs past the blocks`, fileName, where);
    }
  };
  checkHandle(footer.indexOffset, footer.indexSize, 'index', footerOffset + 16);
  checkHandle(footer.metaindexOffset, footer.metaindexSize, 'metaindex', footerOffset);

  const indexRaw = file.read(footer.indexOffset, footer.indexSize + BLOCK_TRAILER_SIZE);
  const index = decodeKept(indexRaw, fileName, codec, footer.indexOffset, footer.indexSize);
  const blockOffsets = new Float64Array(index.count);
  const blockSizes = new Float64Array(index.count);
  for (let i = 0; i < index.count; i++) {
    const vs = index.valueOffsets[2 * i]!;
    const ve = index.valueOffsets[2 * i + 1]!;
    if (decodeBlockHandle(index.data, vs, ve) !== ve) {
      throw corruption('sstable', `bad block handle in index entry ${i}`, fileName, footer.indexOffset);
    }
    checkHandle(decodedHandle.offset, decodedHandle.size, `data block ${i}`, footer.indexOffset);
    blockOffsets[i] = decodedHandle.offset;
    blockSizes[i] = decodedHandle.size;
  }

  const metaindex = readBlock(file, fileName, codec, footer.metaindexOffset, footer.metaindexSize, false);
  const metaBlocks: Array<[number, number]> = [
    [footer.indexOffset, footer.indexSize],
    [footer.metaindexOffset, footer.metaindexSize],
  ];
  let filter: Buffer | undefined;
  let properties: TableProperties | undefined;
  for (let i = 0; i < metaindex.count; i++) {
    const name = metaindex.keys.toString('latin1', metaindex.keyOffsets[i]!, metaindex.keyOffsets[i + 1]!);
    if (name !== METAINDEX_FILTER && name !== METAINDEX_PROPERTIES) continue;
    const vs = metaindex.valueOffsets[2 * i]!;
    const ve = metaindex.valueOffsets[2 * i + 1]!;
    if (decodeBlockHandle(metaindex.data, vs, ve) !== ve) {
      throw corruption('sstable', `bad block handle for ${name}`, fileName, footer.metaindexOffset);
    }
    const { offset, size } = decodedHandle;
    checkHandle(offset, size, name, footer.metaindexOffset);
    metaBlocks.push([offset, size]);
    if (name === METAINDEX_FILTER) {
      filter = ownBytes(readBlockContents(file, fileName, codec, offset, size));
    } else {
      const block = readBlock(file, fileName, codec, offset, size, false);
      properties = propertiesFromBlock(block, fileName, offset);
    }
  }
  if (properties === undefined) {
    throw corruption('sstable', 'metaindex has no properties block', fileName, footer.metaindexOffset);
  }
  return { index, blockOffsets, blockSizes, filter, properties, metaBlocks };
}

/**
 * `b`, or a copy of it when it is a view into a much larger buffer (a read-ahead window, or a slab of the vfs's
 * reads: src/vfs/node-vfs.ts), so that what a table keeps (cached blocks, the index, the filter) does not keep
 * that whole buffer alive. Views into Node's 8 KiB pool are kept as they are.
 */
function ownBytes(b: Buffer): Buffer {
  const whole = b.buffer.byteLength;
  return whole > POOL_BYTES && whole > 2 * b.length ? Buffer.from(b) : b;
}

/** Node's Buffer pool size (Buffer.poolSize's default). */
const POOL_BYTES = 8 * 1024;

/**
 * decodeStoredBlock of a data or index block that the table keeps (cache, index): an uncompressed block may be
 * decoded as views of its stored bytes (both codecs do), so its bytes are first made its own (ownBytes).
 */
function decodeKept(raw: Buffer, fileName: string, codec: Codec, offset: number, size: number): DecodedBlock {
  const own = raw[size] === BlockCompression.NONE ? ownBytes(raw) : raw;
  return decodeStoredBlock(own, fileName, codec, offset, size, true);
}
