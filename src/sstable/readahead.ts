/**
 * readahead — one iterator's read-ahead over a table's data blocks: when the iterator loads blocks one after
 * another (forward or backward) and they miss the block cache, one pread fetches the next several stored blocks,
 * and the following misses are served from that buffer instead of a pread each.
 *
 * Policy (RocksDB's auto-readahead, by facts from its docs: start small, grow while the access stays sequential,
 * cap at 256 KiB): a miss on the block next to the one this iterator loaded last (hit or miss) reads a window of
 * INITIAL_BYTES in the direction of travel, and each further sequential window doubles up to MAX_BYTES. A miss that
 * is not sequential (a seek elsewhere) reads its block alone and resets the window, so point-like use (seek +
 * a few entries) reads no more than before. Windows never extend past the table's data blocks.
 * INITIAL_BYTES is 8 KiB, not 16: a seek + nextv(100) in db-bench's shape goes on into ~2 more blocks of a table
 * (~2.3 KiB stored each), so a 16 KiB window copied ~4 blocks it never used; bytes copied from the page cache cost
 * more than the extra pread a long walk pays (one per scan). Same-process CPU A/B (db-bench read shape, 32 MiB
 * cache, 40 alternating rounds of 2,000 seek + nextv(100), medians of the per-round ratios): 0.95x CPU
 * (quartiles 0.87-1.01) with the vfs read slab off; a 4 KiB start measured 0.995x, and reading a jump's block
 * together with the next adjacent one (one pread instead of two) 1.00x: neither kept.
 * Data blocks are laid out back to back: block i+1 starts at offset_i + size_i + BLOCK_TRAILER_SIZE (docs/FORMAT.md);
 * a table where that does not hold simply gets no read-ahead for that pair (the block is read alone).
 * What comes out is a stored block plus trailer, exactly what a pread of that block returns, so the checksum and
 * everything after it are unchanged. One iterator, one thread.
 * Memory: an iterator keeps its last window until it reads another or closes, as RocksDB's iterators do: at most
 * MAX_BYTES, since a window of up to 64 KiB is a slice of the vfs's 256 KiB read slab (src/vfs/node-vfs.ts) and
 * keeps that alive instead; the table reader copies uncompressed blocks out of it before they are cached.
 * Measured (same-process CPU A/B in db-bench's read shape: 62 MB memtable over 8 L1 tables, 32 MiB cache, 6 full
 * scans each way, alternating, medians): forward scan 2.03 -> 2.33 M entries/s (spreads 1.98-2.06 vs 2.19-2.34),
 * reverse 2.03 -> 2.22 M; seek + nextv(100) unchanged (13.8 K vs 14.4 K seeks/s, spreads overlapping: a seek
 * reads ~2 blocks per table, the first of them not sequential).
 */

import type { RandomAccessFile } from '../base/vfs.js';
import { BLOCK_TRAILER_SIZE } from './block-handle.js';

const INITIAL_BYTES = 8 * 1024;
const MAX_BYTES = 256 * 1024;
const EMPTY = Buffer.alloc(0);

export class Readahead {
  /** Bytes of the file at [start, start + buf.length), or empty. */
  private buf: Buffer = EMPTY;
  private start = 0;
  /** The block this iterator loaded last (-1: none) and the next window's size. */
  private last = -1;
  private window = INITIAL_BYTES;

  /** Records that the iterator is at block i (a cache hit): keeps the sequential run going. */
  touched(i: number): void {
    this.last = i;
  }

  /**
   * The stored bytes (block + trailer) of data block i, from the buffer or the file. Short only at the end of a
   * file (the caller reports a truncated block). REQUIRES: offsets/sizes are the table's data block handles.
   */
  read(file: RandomAccessFile, offsets: Float64Array, sizes: Float64Array, i: number): Buffer {
    const offset = offsets[i]!;
    const len = sizes[i]! + BLOCK_TRAILER_SIZE;
    const sequential = i === this.last + 1 || i === this.last - 1;
    const forward = i >= this.last;
    this.last = i;
    const rel = offset - this.start;
    if (rel >= 0 && rel + len <= this.buf.length) return this.buf.subarray(rel, rel + len);
    let lo = i;
    let hi = i;
    if (!sequential) {
      // A jump (a seek): the block alone, and the next sequential miss starts from a small window.
      this.window = INITIAL_BYTES;
    } else if (forward) {
      // Extend block by block while contiguous and inside the window.
      const limit = offset + this.window;
      while (adjacent(offsets, sizes, hi) && offsets[hi + 1]! + sizes[hi + 1]! + BLOCK_TRAILER_SIZE <= limit) hi++;
    } else {
      while (lo > 0 && adjacent(offsets, sizes, lo - 1) && offset + len - offsets[lo - 1]! <= this.window) lo--;
    }
    if (sequential) this.window = Math.min(MAX_BYTES, this.window * 2);
    if (lo === hi) {
      this.buf = EMPTY;
      return file.read(offset, len);
    }
    const begin = offsets[lo]!;
    this.buf = file.read(begin, offsets[hi]! + sizes[hi]! + BLOCK_TRAILER_SIZE - begin);
    this.start = begin;
    const at = offset - begin;
    return this.buf.subarray(at, Math.min(this.buf.length, at + len));
  }
}

/** True if data block i + 1 exists and is stored right after block i's trailer. */
function adjacent(offsets: Float64Array, sizes: Float64Array, i: number): boolean {
  return i + 1 < offsets.length && offsets[i + 1] === offsets[i]! + sizes[i]! + BLOCK_TRAILER_SIZE;
}
