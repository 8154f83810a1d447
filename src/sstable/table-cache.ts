/**
 * table-cache — open TableReaders (file handle + parsed index, filter and properties) by file number, LRU-bounded
 * by a count of open tables.
 *
 * A miss opens dir/NNNNNN.sst through the vfs; a reader evicted for capacity is closed (its file closes once its
 * open iterators are closed, see TableReader). evict(n) is for tables that were deleted: it also drops their
 * blocks from the block cache. One thread; owned by the database.
 *
 * LRU by use stamps: a hit only stamps its slot (every point lookup passes here, and moving a Map entry to the end
 * cost more than the rest of a cached lookup's table work); the rare eviction scans for the oldest stamp.
 */

import { tableFileName } from '../base/file-names.js';
import type { Vfs } from '../base/vfs.js';
import type { Codec } from '../codec/codec.js';
import type { BlockCache } from './block-cache.js';
import type { ReadStats } from './table-reader.js';
import { TableReader } from './table-reader.js';

interface Slot {
  reader: TableReader;
  /** Value of `clock` at the last use. */
  used: number;
}

export class TableCache {
  private readonly tables = new Map<number, Slot>();
  private clock = 0;

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
      cached.used = ++this.clock;
      return cached.reader;
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
    this.tables.set(fileNumber, { reader, used: ++this.clock });
    if (this.tables.size > this.capacity) this.evictOldest();
    return reader;
  }

  /** Closes and forgets the least recently used reader. */
  private evictOldest(): void {
    let oldest = -1;
    let oldestUsed = Infinity;
    for (const [n, slot] of this.tables) {
      if (slot.used < oldestUsed) {
        oldest = n;
        oldestUsed = slot.used;
      }
    }
    const victim = this.tables.get(oldest);
    if (victim === undefined) return;
    this.tables.delete(oldest);
    victim.reader.close();
  }

  /** Forgets table `fileNumber` (closing its reader) and drops its blocks from the block cache. */
  evict(fileNumber: number): void {
    const slot = this.tables.get(fileNumber);
    if (slot !== undefined) {
      this.tables.delete(fileNumber);
      slot.reader.close();
    }
    this.blockCache?.evictFile(fileNumber);
  }

  /** Closes every open reader. */
  close(): void {
    for (const slot of this.tables.values()) slot.reader.close();
    this.tables.clear();
  }
}
