/**
 * table-cache — open TableReaders (file handle + parsed index, filter and properties) by file number, LRU-bounded
 * by a count of open tables.
 *
 * A miss opens dir/NNNNNN.sst through the vfs; a reader evicted for capacity is closed (its file closes once its
 * open iterators are closed, see TableReader). evict(n) is for tables that were deleted: it also drops their
 * blocks from the block cache. One thread; owned by the database.
 */

import { tableFileName } from '../base/file-names.js';
import type { Vfs } from '../base/vfs.js';
import type { Codec } from '../codec/codec.js';
import type { BlockCache } from './block-cache.js';
import type { ReadStats } from './table-reader.js';
import { TableReader } from './table-reader.js';

export class TableCache {
  /** Map iteration order is the LRU order: least recently used first. */
  private readonly tables = new Map<number, TableReader>();

  /** REQUIRES: capacity >= 1. */
  constructor(
    private readonly vfs: Vfs,
    private readonly dir: string,
    private readonly codec: Codec,
    private readonly blockCache: BlockCache | undefined,
    private readonly capacity: number,
    private readonly stats: ReadStats,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`table-cache: capacity must be a positive integer, got ${capacity}`);
    }
  }

  /** Number of open tables. */
  get size(): number {
    return this.tables.size;
  }

  /** The reader of table `fileNumber`, opening it on a miss. Throws CORRUPTION / IO_ERROR / NOT_FOUND. */
  get(fileNumber: number): TableReader {
    const cached = this.tables.get(fileNumber);
    if (cached !== undefined) {
      this.tables.delete(fileNumber);
      this.tables.set(fileNumber, cached);
      return cached;
    }
    const path = `${this.dir}/${tableFileName(fileNumber)}`;
    const file = this.vfs.openReadable(path);
    let reader: TableReader;
    try {
      reader = TableReader.open(file, path, fileNumber, this.codec, this.blockCache, this.stats);
    } catch (e) {
      file.close();
      throw e;
    }
    this.tables.set(fileNumber, reader);
    if (this.tables.size > this.capacity) {
      const [oldest, victim] = this.tables.entries().next().value as [number, TableReader];
      this.tables.delete(oldest);
      victim.close();
    }
    return reader;
  }

  /** Forgets table `fileNumber` (closing its reader) and drops its blocks from the block cache. */
  evict(fileNumber: number): void {
    const reader = this.tables.get(fileNumber);
    if (reader !== undefined) {
      this.tables.delete(fileNumber);
      reader.close();
    }
    this.blockCache?.evictFile(fileNumber);
  }

  /** Closes every open reader. */
  close(): void {
    for (const reader of this.tables.values()) reader.close();
    this.tables.clear();
  }
}
