import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { BlockCache } from '../../src/sstable/block-cache.js';
import { BLOCK_TRAILER_SIZE } from '../../src/sstable/block-handle.js';
import { Readahead } from '../../src/sstable/readahead.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { nodeVfs } from '../../src/vfs/node-vfs.js';
import { MemRandomAccessFile, buildTable, makeModel, newStats, rng } from './helpers.js';

/** n contiguous "blocks" of the given sizes (stored size, trailer added) in one file of distinct bytes. */
function layout(sizes: number[], gapAfter = -1): { file: MemRandomAccessFile; offsets: Float64Array; sizes: Float64Array } {
  const offsets = new Float64Array(sizes.length);
  let at = 0;
  for (let i = 0; i < sizes.length; i++) {
    offsets[i] = at;
    at += sizes[i]! + BLOCK_TRAILER_SIZE + (i === gapAfter ? 7 : 0);
  }
  const data = Buffer.alloc(at + 100);
  for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
  return { file: new MemRandomAccessFile(data), offsets, sizes: Float64Array.from(sizes) };
}

function direct(file: MemRandomAccessFile, offsets: Float64Array, sizes: Float64Array, i: number): Buffer {
  const before = file.reads;
  const length = file.lastLength;
  const b = file.read(offsets[i]!, sizes[i]! + BLOCK_TRAILER_SIZE);
  file.reads = before;
  file.lastLength = length;
  return b;
}

describe('Readahead', () => {
  it('returns exactly the bytes of each block, and reads ahead only while the walk is sequential', () => {
    const { file, offsets, sizes } = layout(Array.from({ length: 200 }, (_, i) => 500 + ((i * 37) % 900)));
    const ra = new Readahead();
    for (let i = 0; i < 200; i++) expect(ra.read(file, offsets, sizes, i).equals(direct(file, offsets, sizes, i))).toBe(true);
    // ~230 KB in 200 blocks: the first read is alone, then windows of 8, 16, ... 256 KiB.
    expect(file.reads).toBeGreaterThan(1);
    expect(file.reads).toBeLessThan(12);

    const back = new Readahead();
    file.reads = 0;
    for (let i = 199; i >= 0; i--) expect(back.read(file, offsets, sizes, i).equals(direct(file, offsets, sizes, i))).toBe(true);
    expect(file.reads).toBeLessThan(12);
  });

  it('reads a block alone after a jump, and restarts from a window of at most 8 KiB that doubles', () => {
    const { file, offsets, sizes } = layout(Array.from({ length: 100 }, () => 1000));
    const ra = new Readahead();
    for (const i of [50, 10, 80, 3, 60]) {
      const before = file.reads;
      expect(ra.read(file, offsets, sizes, i).equals(direct(file, offsets, sizes, i))).toBe(true);
      expect(file.reads).toBe(before + 1);
      expect(file.lastLength).toBe(1000 + BLOCK_TRAILER_SIZE);
    }
    // 61 is sequential: one window of 8 KiB (8 blocks here: a seek's nextv rarely needs more), then 16 KiB.
    let before = file.reads;
    ra.read(file, offsets, sizes, 61);
    expect(file.lastLength).toBe(8 * (1000 + BLOCK_TRAILER_SIZE));
    for (let i = 62; i < 69; i++) ra.read(file, offsets, sizes, i);
    expect(file.reads).toBe(before + 1);
    ra.read(file, offsets, sizes, 69);
    expect(file.reads).toBe(before + 2);
    expect(file.lastLength).toBe(16 * (1000 + BLOCK_TRAILER_SIZE));
    // A cache hit on block 81 keeps the run going: 82 is sequential and reads a window of several blocks.
    ra.read(file, offsets, sizes, 80);
    ra.touched(81);
    before = file.reads;
    ra.read(file, offsets, sizes, 82);
    for (let i = 83; i < 90; i++) ra.read(file, offsets, sizes, i);
    expect(file.reads).toBe(before + 1);
  });

  it('never reads past the last block, and stops a window at a gap between blocks', () => {
    const { file, offsets, sizes } = layout([100, 100, 100, 100, 100, 100], 2);
    const ra = new Readahead();
    const got: Buffer[] = [];
    for (let i = 0; i < 6; i++) got.push(ra.read(file, offsets, sizes, i));
    for (let i = 0; i < 6; i++) expect(got[i]!.equals(direct(file, offsets, sizes, i))).toBe(true);
    // Blocks 0 (alone), 1-2 (window ends at the gap), 3 (after the gap: alone, then sequential), 4-5.
    expect(file.reads).toBeLessThanOrEqual(4);
  });

  it('passes on a short read at the end of a truncated file, for the caller to report', () => {
    const { offsets, sizes } = layout([100, 100, 100]);
    const truncated = new MemRandomAccessFile(Buffer.alloc(offsets[2]! + 50));
    const ra = new Readahead();
    ra.read(truncated, offsets, sizes, 0);
    ra.read(truncated, offsets, sizes, 1);
    expect(ra.read(truncated, offsets, sizes, 2).length).toBe(50);
  });
});

describe('TableReader iterators read ahead', () => {
  it('scan a table in far fewer reads than blocks, both ways, with the same entries as a cached scan', () => {
    const r = rng(21);
    const model = makeModel(r, { userKeys: 3000, maxVersions: 2, maxValue: 120, deletionRate: 0.1 });
    const bytes = buildTable(model, { blockSize: 512, bloomBitsPerKey: 0 }).bytes;
    const file = new MemRandomAccessFile(bytes);
    const t = TableReader.open(file, 'ra.sst', 1, tsCodec, new BlockCache(0), newStats());
    expect(t.numBlocks).toBeGreaterThan(200);
    const forward: string[] = [];
    let before = file.reads;
    const it = t.iterator();
    for (it.seekToFirst(); it.valid(); it.next()) forward.push(`${it.key().toString('hex')}=${it.value().toString('hex')}`);
    it.close();
    expect(file.reads - before).toBeLessThan(t.numBlocks / 10);
    const backward: string[] = [];
    before = file.reads;
    const rev = t.iterator();
    for (rev.seekToLast(); rev.valid(); rev.prev()) backward.push(`${rev.key().toString('hex')}=${rev.value().toString('hex')}`);
    rev.close();
    expect(file.reads - before).toBeLessThan(t.numBlocks / 10);
    expect(backward.reverse()).toEqual(forward);
    expect(forward.map((e) => e.split('=')[0])).toEqual(model.map((e) => e.ikey.toString('hex')));
  });

  it('still reports a damaged block it read ahead as CORRUPTION naming the table and the block', () => {
    const r = rng(22);
    const model = makeModel(r, { userKeys: 2000, maxVersions: 1, maxValue: 80, deletionRate: 0 });
    const bytes = Buffer.from(buildTable(model, { blockSize: 512, bloomBitsPerKey: 0 }).bytes);
    const t0 = TableReader.open(new MemRandomAccessFile(bytes), 'ok.sst', 1, tsCodec, undefined, newStats());
    expect(t0.numBlocks).toBeGreaterThan(20);
    // Flip a byte in the middle of the data blocks (far from block 0, so it arrives in a read-ahead window).
    const at = Math.floor(bytes.length / 3);
    bytes[at] = bytes[at]! ^ 0x40;
    const t = TableReader.open(new MemRandomAccessFile(bytes), 'bad.sst', 2, tsCodec, undefined, newStats());
    const it = t.iterator();
    let err: unknown;
    try {
      for (it.seekToFirst(); it.valid(); it.next());
    } catch (e) {
      err = e;
    }
    it.close();
    expect(String(err)).toMatch(/CORRUPTION|corrupt/i);
    expect(String(err)).toContain('bad.sst');
  });

  it('keeps no read-ahead window alive through a cached uncompressed block', () => {
    const r = rng(23);
    const model = makeModel(r, { userKeys: 2000, maxVersions: 1, maxValue: 80, deletionRate: 0 });
    const bytes = buildTable(model, { blockSize: 512, bloomBitsPerKey: 0, compression: 'none' }).bytes;
    const cache = new BlockCache(1 << 24);
    const t = TableReader.open(new MemRandomAccessFile(bytes), 'plain.sst', 3, tsCodec, cache, newStats());
    expect(scanCount(t)).toBe(model.length);
    // The TypeScript codec decodes an uncompressed block as views of its input: each cached block must view a
    // copy of its own bytes (a small block's copy comes from Node's 8 KiB pool), not the read-ahead window.
    const largest = largestCachedBuffer(t, cache, 3);
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(8 * 1024); // a 16-256 KiB window would show here
  });
});

describe('TableReader over NodeVfs', () => {
  const title = 'keeps no vfs read slab alive through a cached uncompressed block, the index or the filter (%i B)';
  it.each([1024, 6 * 1024])(title, (blockSize) => {
    const r = rng(24);
    const model = makeModel(r, { userKeys: 3000, maxVersions: 1, maxValue: 200, deletionRate: 0 });
    const bytes = buildTable(model, { blockSize, bloomBitsPerKey: 10, compression: 'none' }).bytes;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-ra-'));
    try {
      const p = path.join(dir, '000001.sst');
      fs.writeFileSync(p, bytes);
      const cache = new BlockCache(1 << 24);
      const t = TableReader.open(nodeVfs.openReadable(p), p, 1, tsCodec, cache, newStats());
      // Gets read single blocks (>= 4 KiB: from the vfs's slab); a scan reads windows.
      for (let k = 0; k < model.length; k += 97) expect(t.get(model[k]!.userKey, 2 ** 40)).not.toBeUndefined();
      expect(scanCount(t)).toBe(model.length);
      const largest = largestCachedBuffer(t, cache, 1);
      const index = (t as unknown as { index: { data: Buffer } }).index;
      const filter = (t as unknown as { filter: Buffer }).filter;
      expect(largest).toBeGreaterThan(blockSize);
      expect(largest).toBeLessThanOrEqual(16 * 1024); // a 256 KiB slab would show here
      expect(index.data.buffer.byteLength).toBeLessThanOrEqual(2 * index.data.length + 8 * 1024);
      expect(filter.buffer.byteLength).toBeLessThanOrEqual(2 * filter.length + 8 * 1024);
      t.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The table's data block offsets (a private field, read for the test). */
function blockOffsetsOf(t: TableReader): number[] {
  return Array.from((t as unknown as { blockOffsets: Float64Array }).blockOffsets);
}

/** Entries of a forward scan of the whole table. */
function scanCount(t: TableReader): number {
  const it = t.iterator();
  let n = 0;
  for (it.seekToFirst(); it.valid(); it.next()) n++;
  it.close();
  return n;
}

/** The largest ArrayBuffer behind a cached block's data or keys (what a cached block keeps alive). */
function largestCachedBuffer(t: TableReader, cache: BlockCache, fileNumber: number): number {
  let largest = 0;
  for (const off of blockOffsetsOf(t)) {
    const b = cache.get(fileNumber, off);
    if (b !== undefined) largest = Math.max(largest, b.data.buffer.byteLength, b.keys.buffer.byteLength);
  }
  return largest;
}
