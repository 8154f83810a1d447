/**
 * Damaged tables: a flipped bit anywhere in a table yields either a CORRUPTION error naming the file and an offset
 * inside it, or correct data, never a wrong value; verify() detects every flip; truncated files never open.
 */

import { describe, expect, it } from 'vitest';
import { ErrorCode, isLsmkvError } from '../../src/base/errors.js';
import { MAX_SEQUENCE } from '../../src/base/internal-key.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { BlockCache } from '../../src/sstable/block-cache.js';
import type { TableBuilderOptions } from '../../src/sstable/table-builder.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import type { ModelEntry } from './helpers.js';
import { MemRandomAccessFile, buildTable, makeModel, modelGet, newStats, rng } from './helpers.js';

const FILE = '000042.sst';

function expectCorruption(e: unknown, size: number): void {
  if (!isLsmkvError(e, ErrorCode.CORRUPTION)) throw e;
  expect(e.file).toBe(FILE);
  expect(e.message).toContain(FILE);
  expect(e.offset).toBeGreaterThanOrEqual(0);
  expect(e.offset).toBeLessThan(size);
}

/** Reads everything through get and a full scan; every answer must match the model. */
function readAll(t: TableReader, model: ModelEntry[]): void {
  for (const e of model) {
    const got = t.get(e.userKey, e.seq);
    const want = modelGet(model, e.userKey, e.seq);
    expect(got === null || got === undefined ? got : got.toString('hex')).toBe(
      want === null || want === undefined ? want : want.toString('hex'),
    );
  }
  const it = t.iterator();
  let i = 0;
  for (it.seekToFirst(); it.valid(); it.next(), i++) {
    expect(Buffer.from(it.key()).equals(model[i]!.ikey)).toBe(true);
    expect(Buffer.from(it.value()).equals(model[i]!.value)).toBe(true);
  }
  expect(i).toBe(model.length);
  it.close();
}

const CONFIGS: Array<[string, Partial<TableBuilderOptions>]> = [
  ['snappy + bloom', { blockSize: 256, compression: 'snappy', bloomBitsPerKey: 10 }],
  ['raw, no bloom', { blockSize: 256, compression: 'none', bloomBitsPerKey: 0 }],
];

describe('damaged tables', () => {
  for (const [name, options] of CONFIGS) {
    it(`a flipped bit at every offset gives CORRUPTION or correct data (${name})`, () => {
      const r = rng(name.length);
      const model = makeModel(r, { userKeys: 25, maxVersions: 2, maxValue: 30, deletionRate: 0.2 });
      for (const e of model) if (e.kind === 1 && r() < 0.3) e.value = Buffer.alloc(40, 'z'); // compressible
      const { bytes } = buildTable(model, options);
      let detectedByReads = 0;
      for (let off = 0; off < bytes.length; off++) {
        const damaged = Buffer.from(bytes);
        damaged[off] ^= 1 << Math.floor(r() * 8);
        let t: TableReader | undefined;
        try {
          t = TableReader.open(new MemRandomAccessFile(damaged), FILE, 42, tsCodec, new BlockCache(1 << 20), newStats());
          readAll(t, model);
        } catch (e) {
          expectCorruption(e, bytes.length);
          detectedByReads++;
        }
        // Every byte is covered by a checksum, so verify() (or open) always notices.
        let verified = false;
        try {
          TableReader.open(new MemRandomAccessFile(damaged), FILE, 42, tsCodec, undefined, newStats()).verify();
          verified = true;
        } catch (e) {
          expectCorruption(e, bytes.length);
        }
        expect(verified, `flip at ${off} of ${bytes.length} went unnoticed by verify()`).toBe(false);
      }
      // Reads touch every block here, so they detect every flip too.
      expect(detectedByReads).toBe(bytes.length);
    });
  }

  it('reports the offset of the damaged data block', () => {
    const r = rng(3);
    const model = makeModel(r, { userKeys: 200, maxVersions: 1, maxValue: 30, deletionRate: 0 });
    const { bytes } = buildTable(model, { blockSize: 256, bloomBitsPerKey: 0, compression: 'none' });
    const healthy = TableReader.open(new MemRandomAccessFile(bytes), FILE, 1, tsCodec, undefined, newStats());
    expect(healthy.numBlocks).toBeGreaterThan(5);
    // Damage byte 1000: the error must name the start of the block holding it (at most one block before).
    const damaged = Buffer.from(bytes);
    damaged[1000] ^= 0x10;
    const t = TableReader.open(new MemRandomAccessFile(damaged), FILE, 1, tsCodec, undefined, newStats());
    let err: unknown;
    try {
      for (const e of model) t.get(e.userKey, MAX_SEQUENCE);
    } catch (e) {
      err = e;
    }
    expectCorruption(err, bytes.length);
    const off = (err as { offset: number }).offset;
    expect(off).toBeLessThanOrEqual(1000);
    expect(1000 - off).toBeLessThan(256 + 200);
    expect((err as Error).message).toContain('checksum');
  });

  it('never opens a truncated table', () => {
    const r = rng(4);
    const model = makeModel(r, { userKeys: 50, maxVersions: 2, maxValue: 30, deletionRate: 0.2 });
    const { bytes } = buildTable(model, { blockSize: 256 });
    for (let len = 0; len < bytes.length; len++) {
      let opened = false;
      try {
        TableReader.open(new MemRandomAccessFile(bytes.subarray(0, len)), FILE, 1, tsCodec, undefined, newStats());
        opened = true;
      } catch (e) {
        if (!isLsmkvError(e, ErrorCode.CORRUPTION)) throw e;
        expect(e.file).toBe(FILE);
        expect(e.offset).toBeGreaterThanOrEqual(0);
      }
      expect(opened, `opened a table truncated to ${len} bytes`).toBe(false);
    }
  });

  it('turns an undecodable block with a valid checksum into CORRUPTION naming the codec status', () => {
    const { bytes } = buildTable(makeModel(rng(6), { userKeys: 40, maxVersions: 1, maxValue: 5, deletionRate: 0 }),
      { compression: 'none', bloomBitsPerKey: 0 });
    // The first data block starts at 0; overwrite its restart count with an impossible one and re-checksum.
    const t0 = TableReader.open(new MemRandomAccessFile(bytes), FILE, 1, tsCodec, undefined, newStats());
    const it = t0.iterator();
    it.seekToFirst();
    const firstKey = Buffer.from(it.key());
    it.close();
    const blockSize = t0.properties.dataSize - 5; // one data block: 40 small entries fit in 4 KiB
    expect(t0.numBlocks).toBe(1);
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32LE(0xffff, blockSize - 4);
    damaged.writeUInt32LE(tsCodec.xxh32(damaged.subarray(0, blockSize + 1), 0), blockSize + 1);
    const t = TableReader.open(new MemRandomAccessFile(damaged), FILE, 1, tsCodec, undefined, newStats());
    let err: unknown;
    try {
      t.get(firstKey.subarray(0, firstKey.length - 8), MAX_SEQUENCE);
    } catch (e) {
      err = e;
    }
    expectCorruption(err, bytes.length);
    expect((err as Error).message).toContain('BAD_RESTART_ARRAY');
    expect((err as { offset: number }).offset).toBe(0);
  });

  it('rejects a file that is not a table, and a newer format version', () => {
    const notTable = Buffer.alloc(100, 7);
    expect(() => TableReader.open(new MemRandomAccessFile(notTable), FILE, 1, tsCodec, undefined, newStats()))
      .toThrow(/bad magic/);
    const { bytes } = buildTable(makeModel(rng(5), { userKeys: 5, maxVersions: 1, maxValue: 5, deletionRate: 0 }));
    const v2 = Buffer.from(bytes);
    const footer = v2.length - 52;
    v2.writeUInt32LE(2, footer + 32);
    v2.writeUInt32LE(tsCodec.xxh32(v2.subarray(footer, footer + 40), 0), footer + 40);
    expect(() => TableReader.open(new MemRandomAccessFile(v2), FILE, 1, tsCodec, undefined, newStats()))
      .toThrow(/unsupported table format version 2/);
  });
});
