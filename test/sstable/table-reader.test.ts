/**
 * TableReader: write/read round trips through TableBuilder — get at various sequences (versions, deletions),
 * iterators in both directions with seek/seekForPrev, compression and bloom on/off, values bigger than a block,
 * block cache use, verify(), and reference counting across close().
 */

import { describe, expect, it } from 'vitest';
import { compareInternalKeys } from '../../src/base/comparator.js';
import { KIND_FOR_SEEK, MAX_SEQUENCE, makeInternalKey } from '../../src/base/internal-key.js';
import type { InternalIterator } from '../../src/base/iterator.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { BlockCache } from '../../src/sstable/block-cache.js';
import type { TableBuilderOptions } from '../../src/sstable/table-builder.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import type { ModelEntry } from './helpers.js';
import { MemRandomAccessFile, buildTable, makeModel, modelGet, newStats, randomBytes, rng } from './helpers.js';

function open(bytes: Buffer, cache?: BlockCache, stats = newStats()): TableReader {
  return TableReader.open(new MemRandomAccessFile(bytes), 'test.sst', 7, tsCodec, cache, stats);
}

/** Entries as 'key:value' hex strings (cheap to compare, readable when they differ). */
function scanForward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToFirst(); it.valid(); it.next()) out.push(hexEntry(it.key(), it.value()));
  return out;
}

function scanBackward(it: InternalIterator): string[] {
  const out: string[] = [];
  for (it.seekToLast(); it.valid(); it.prev()) out.push(hexEntry(it.key(), it.value()));
  return out;
}

function hexEntry(k: Uint8Array, v: Uint8Array): string {
  return `${Buffer.from(k.buffer, k.byteOffset, k.length).toString('hex')}:${Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex')}`;
}

/** get() result in a form toBe/toEqual compares quickly. */
function hexOf(v: Buffer | null | undefined): string | null | undefined {
  return v === null || v === undefined ? v : v.toString('hex');
}

const CONFIGS: Array<[string, Partial<TableBuilderOptions>]> = [
  ['snappy + bloom, small blocks', { blockSize: 512, compression: 'snappy', bloomBitsPerKey: 10 }],
  ['no compression, no bloom', { blockSize: 512, compression: 'none', bloomBitsPerKey: 0 }],
  ['restart interval 1, 4 KiB blocks', { blockSize: 4096, blockRestartInterval: 1 }],
  ['one entry per block', { blockSize: 256, blockRestartInterval: 3 }],
];

describe('TableReader round trip', () => {
  for (const [name, options] of CONFIGS) {
    describe(name, () => {
      const r = rng(name.length * 7919);
      const model = makeModel(r, { userKeys: 400, maxVersions: 4, maxValue: 120, deletionRate: 0.2 });
      const { bytes, info } = buildTable(model, options);
      const expected = model.map((e) => hexEntry(e.ikey, e.value));

      it('reports the table info and properties', () => {
        expect(info.size).toBe(bytes.length);
        expect(info.numEntries).toBe(model.length);
        expect(info.numDeletions).toBe(model.filter((e) => e.kind === 0).length);
        expect(info.smallest).toEqual(model[0]!.ikey);
        expect(info.largest).toEqual(model[model.length - 1]!.ikey);
        expect(info.minSequence).toBe(Math.min(...model.map((e) => e.seq)));
        expect(info.maxSequence).toBe(Math.max(...model.map((e) => e.seq)));
        const t = open(bytes);
        const p = t.properties;
        expect(p.numEntries).toBe(info.numEntries);
        expect(p.numDeletions).toBe(info.numDeletions);
        expect(p.smallestKey).toEqual(info.smallest);
        expect(p.largestKey).toEqual(info.largest);
        expect(p.minSequence).toBe(info.minSequence);
        expect(p.maxSequence).toBe(info.maxSequence);
        expect(p.creationTime).toBe(1_700_000_000_000);
        expect(p.numDataBlocks).toBe(t.numBlocks);
        expect(p.rawKeySize).toBe(model.reduce((s, e) => s + e.ikey.length, 0));
        expect(p.rawValueSize).toBe(model.reduce((s, e) => s + e.value.length, 0));
        expect(p.filterSize > 0).toBe((options.bloomBitsPerKey ?? 10) > 0);
        expect(p.dataSize).toBeGreaterThan(0);
        expect(p.dataSize).toBeLessThan(bytes.length);
        expect(p.indexSize).toBeGreaterThan(0);
        t.verify();
      });

      it('get returns the newest version at or below the sequence', () => {
        const t = open(bytes);
        const seqs = model.map((e) => e.seq);
        const users = [...new Set(model.map((e) => e.userKey.toString('hex')))].map((h) => Buffer.from(h, 'hex'));
        for (const u of users) {
          for (const seq of [MAX_SEQUENCE, 0, ...Array.from({ length: 4 }, () => seqs[Math.floor(r() * seqs.length)]!)]) {
            expect(hexOf(t.get(u, seq)), `${u.toString('hex')}@${seq}`).toBe(hexOf(modelGet(model, u, seq)));
            if (seq > 0) expect(hexOf(t.get(u, seq - 1))).toBe(hexOf(modelGet(model, u, seq - 1)));
          }
        }
        for (let i = 0; i < 300; i++) {
          const u = Buffer.concat([Buffer.from(r() < 0.5 ? 'k' : 'j'), randomBytes(r, Math.floor(r() * 11), 5)]);
          expect(hexOf(t.get(u, MAX_SEQUENCE))).toBe(hexOf(modelGet(model, u, MAX_SEQUENCE)));
        }
        expect(t.get(Buffer.alloc(0), MAX_SEQUENCE)).toBeUndefined();
        expect(t.get(Buffer.from([0xff, 0xff]), MAX_SEQUENCE)).toBeUndefined();
      });

      it('get returns copies', () => {
        const t = open(bytes, new BlockCache(1 << 20));
        const e = model.find((x) => x.kind === 1 && x.value.length > 0)!;
        const v = t.get(e.userKey, e.seq)!;
        v.fill(0);
        expect(t.get(e.userKey, e.seq)).toEqual(e.value);
      });

      it('iterates forward and backward', () => {
        const t = open(bytes);
        const it = t.iterator();
        expect(scanForward(it)).toEqual(expected);
        expect(scanBackward(it)).toEqual([...expected].reverse());
        it.close();
      });

      it('seek and seekForPrev land where the model says, then step both ways', () => {
        const t = open(bytes, new BlockCache(1 << 20));
        const it = t.iterator();
        const targets: Buffer[] = [Buffer.from(Buffer.alloc(8)), makeInternalKey(Buffer.from([0xff]), 0, 0)];
        for (let i = 0; i < 200; i++) {
          const e = model[Math.floor(r() * model.length)]!;
          targets.push(e.ikey);
          targets.push(makeInternalKey(e.userKey, e.seq + (r() < 0.5 ? 1 : -1), KIND_FOR_SEEK));
          targets.push(makeInternalKey(Buffer.concat([e.userKey, randomBytes(r, 1, 5)]), MAX_SEQUENCE, 1));
        }
        for (const target of targets) {
          const ge = model.findIndex((e) => compareInternalKeys(e.ikey, target) >= 0);
          it.seek(target);
          if (ge < 0) {
            expect(it.valid()).toBe(false);
          } else {
            expect(hexEntry(it.key(), it.value())).toBe(expected[ge]);
            stepAndCheck(it, model, ge, r);
          }
          let le = -1;
          for (let i = 0; i < model.length && compareInternalKeys(model[i]!.ikey, target) <= 0; i++) le = i;
          it.seekForPrev(target);
          if (le < 0) {
            expect(it.valid()).toBe(false);
          } else {
            expect(hexEntry(it.key(), it.value())).toBe(expected[le]);
            stepAndCheck(it, model, le, r);
          }
        }
        it.close();
      });
    });
  }
});

/** Takes a few random next/prev steps from position pos and checks each against the model. */
function stepAndCheck(it: InternalIterator, model: ModelEntry[], pos: number, r: () => number): void {
  for (let s = 0; s < 6 && it.valid(); s++) {
    if (r() < 0.5) {
      it.next();
      pos++;
    } else {
      it.prev();
      pos--;
    }
    if (pos < 0 || pos >= model.length) {
      expect(it.valid()).toBe(false);
      return;
    }
    expect(hexEntry(it.key(), it.value())).toBe(hexEntry(model[pos]!.ikey, model[pos]!.value));
  }
}

describe('TableReader', () => {
  it('handles values bigger than a block', () => {
    const r = rng(5);
    const model = makeModel(r, { userKeys: 30, maxVersions: 2, maxValue: 10, deletionRate: 0.1 });
    for (const e of model) if (e.kind === 1 && r() < 0.5) e.value = randomBytes(r, 5000 + Math.floor(r() * 20000));
    for (const compression of ['snappy', 'none'] as const) {
      const { bytes } = buildTable(model, { blockSize: 1024, compression });
      const t = open(bytes);
      for (const e of model) expect(hexOf(t.get(e.userKey, e.seq))).toBe(e.kind === 1 ? e.value.toString('hex') : null);
      expect(scanForward(t.iterator())).toEqual(model.map((e) => hexEntry(e.ikey, e.value)));
      t.verify();
    }
  });

  it('compresses compressible blocks and stores incompressible ones raw', () => {
    const r = rng(6);
    const model = makeModel(r, { userKeys: 300, maxVersions: 1, maxValue: 1, deletionRate: 0 });
    for (const e of model) e.value = Buffer.alloc(200, 'a');
    const small = buildTable(model, { compression: 'snappy' }).bytes;
    const big = buildTable(model, { compression: 'none' }).bytes;
    expect(small.length).toBeLessThan(big.length / 4);
    for (const e of model) e.value = randomBytes(r, 200);
    const randomSnappy = buildTable(model, { compression: 'snappy' }).bytes;
    const randomNone = buildTable(model, { compression: 'none' }).bytes;
    // Data blocks of random values do not shrink by 1/8, so they are stored raw: the data sections match.
    const a = open(randomSnappy).properties;
    const b = open(randomNone).properties;
    expect(a.dataSize).toBe(b.dataSize);
    expect(randomSnappy.subarray(0, a.dataSize).equals(randomNone.subarray(0, b.dataSize))).toBe(true);
  });

  it('uses the bloom filter to skip absent keys', () => {
    const r = rng(8);
    const model = makeModel(r, { userKeys: 1000, maxVersions: 1, maxValue: 10, deletionRate: 0 });
    const stats = newStats();
    const t = open(buildTable(model, { bloomBitsPerKey: 10 }).bytes, undefined, stats);
    for (let i = 0; i < 1000; i++) t.get(Buffer.from(`absent-${i}`), MAX_SEQUENCE);
    expect(stats.bloomChecked).toBe(1000);
    expect(stats.bloomUseful).toBeGreaterThan(950);
    expect(stats.blockCacheMisses).toBe(1000 - stats.bloomUseful);
    for (const e of model) expect(hexOf(t.get(e.userKey, MAX_SEQUENCE))).toBe(e.value.toString('hex'));
    expect(stats.bloomUseful).toBeLessThanOrEqual(1000); // no present key was ruled out

    const noBloomStats = newStats();
    const n = open(buildTable(model, { bloomBitsPerKey: 0 }).bytes, undefined, noBloomStats);
    expect(n.get(Buffer.from('absent'), MAX_SEQUENCE)).toBeUndefined();
    expect(noBloomStats.bloomChecked).toBe(0);
    expect(n.properties.filterSize).toBe(0);
  });

  it('serves repeated reads from the block cache', () => {
    const r = rng(9);
    const model = makeModel(r, { userKeys: 200, maxVersions: 1, maxValue: 50, deletionRate: 0 });
    const stats = newStats();
    const cache = new BlockCache(1 << 20);
    const file = new MemRandomAccessFile(buildTable(model, { blockSize: 512, bloomBitsPerKey: 0 }).bytes);
    const t = TableReader.open(file, 'x.sst', 3, tsCodec, cache, stats);
    const readsAfterOpen = file.reads;
    const e = model[17]!;
    expect(t.get(e.userKey, MAX_SEQUENCE)).toEqual(e.value);
    expect(t.get(e.userKey, MAX_SEQUENCE)).toEqual(e.value);
    expect(stats.blockCacheMisses).toBe(1);
    expect(stats.blockCacheHits).toBe(1);
    expect(file.reads).toBe(readsAfterOpen + 1);
    scanForward(t.iterator());
    expect(stats.blockCacheMisses).toBe(t.numBlocks);
    expect(cache.size).toBe(t.numBlocks);

    const noCache = newStats();
    const u = open(buildTable(model, { blockSize: 512, bloomBitsPerKey: 0 }).bytes, new BlockCache(0), noCache);
    u.get(e.userKey, MAX_SEQUENCE);
    u.get(e.userKey, MAX_SEQUENCE);
    expect(noCache.blockCacheMisses).toBe(2);
    expect(noCache.blockCacheHits).toBe(0);
  });

  it('keeps the file open until the last iterator closes', () => {
    const r = rng(10);
    const model = makeModel(r, { userKeys: 100, maxVersions: 1, maxValue: 50, deletionRate: 0 });
    const file = new MemRandomAccessFile(buildTable(model, { blockSize: 256 }).bytes);
    const t = TableReader.open(file, 'x.sst', 3, tsCodec, undefined, newStats());
    const a = t.iterator();
    const b = t.iterator();
    t.close();
    expect(file.closed).toBe(false);
    a.seekToFirst();
    a.close();
    a.close();
    expect(file.closed).toBe(false);
    expect(scanForward(b).length).toBe(model.length);
    b.close();
    expect(file.closed).toBe(true);
    expect(() => t.iterator()).toThrow();
  });
});
