/**
 * TableCache: opens tables by number through the vfs, LRU-evicts (closing) beyond capacity, evict() closes and
 * drops cached blocks, iterators outlive eviction, open failures close the file and propagate.
 */

import { describe, expect, it } from 'vitest';
import { ErrorCode, isLsmkvError } from '../../src/base/errors.js';
import { MAX_SEQUENCE } from '../../src/base/internal-key.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { BlockCache } from '../../src/sstable/block-cache.js';
import { TableCache } from '../../src/sstable/table-cache.js';
import { MemVfs, buildTable, makeModel, newStats, rng } from './helpers.js';

function setup(tables: number): { vfs: MemVfs; models: ReturnType<typeof makeModel>[] } {
  const vfs = new MemVfs();
  const models = [];
  for (let n = 1; n <= tables; n++) {
    const model = makeModel(rng(n), { userKeys: 50, maxVersions: 1, maxValue: 20, deletionRate: 0 });
    vfs.files.set(`/db/${String(n).padStart(6, '0')}.sst`, buildTable(model, { blockSize: 256 }).bytes);
    models.push(model);
  }
  return { vfs, models };
}

describe('TableCache', () => {
  it('opens on a miss, reuses on a hit, and LRU-evicts beyond capacity', () => {
    const { vfs, models } = setup(3);
    const cache = new TableCache(vfs, '/db', tsCodec, undefined, 2, newStats());
    const t1 = cache.get(1);
    expect(t1.fileName).toBe('/db/000001.sst');
    expect(t1.fileNumber).toBe(1);
    expect(cache.get(1)).toBe(t1);
    expect(vfs.opened.length).toBe(1);
    cache.get(2);
    cache.get(1); // 2 is now least recently used
    cache.get(3);
    expect(cache.size).toBe(2);
    expect(vfs.opened[1]!.closed).toBe(true); // table 2
    expect(vfs.opened[0]!.closed).toBe(false);
    const again = cache.get(2);
    expect(vfs.opened.length).toBe(4);
    const e = models[1]![10]!;
    expect(again.get(e.userKey, MAX_SEQUENCE)?.equals(e.value)).toBe(true);
    cache.close();
    expect(vfs.opened.every((f) => f.closed)).toBe(true);
    expect(cache.size).toBe(0);
  });

  it('evict closes the table and drops its blocks from the block cache', () => {
    const { vfs, models } = setup(2);
    const blocks = new BlockCache(1 << 20);
    const cache = new TableCache(vfs, '/db', tsCodec, blocks, 10, newStats());
    for (const n of [1, 2]) for (const e of models[n - 1]!) cache.get(n).get(e.userKey, MAX_SEQUENCE);
    const before = blocks.size;
    expect(before).toBeGreaterThan(2);
    const blocksOf2 = cache.get(2).numBlocks;
    cache.evict(2);
    expect(vfs.opened[1]!.closed).toBe(true);
    expect(blocks.size).toBe(before - blocksOf2);
    expect(cache.size).toBe(1);
  });

  it('lets an open iterator finish after its table was evicted', () => {
    const { vfs, models } = setup(2);
    const cache = new TableCache(vfs, '/db', tsCodec, undefined, 1, newStats());
    const it = cache.get(1).iterator();
    it.seekToFirst();
    cache.get(2); // evicts table 1
    let n = 0;
    for (; it.valid(); it.next()) n++;
    expect(n).toBe(models[0]!.length);
    expect(vfs.opened[0]!.closed).toBe(false);
    it.close();
    expect(vfs.opened[0]!.closed).toBe(true);
  });

  it('closes the file when a table fails to open', () => {
    const { vfs } = setup(1);
    vfs.files.set('/db/000009.sst', Buffer.alloc(200, 1));
    const cache = new TableCache(vfs, '/db', tsCodec, undefined, 4, newStats());
    let err: unknown;
    try {
      cache.get(9);
    } catch (e) {
      err = e;
    }
    expect(isLsmkvError(err, ErrorCode.CORRUPTION)).toBe(true);
    expect((err as { file: string }).file).toBe('/db/000009.sst');
    expect(vfs.opened[0]!.closed).toBe(true);
    expect(cache.size).toBe(0);
    expect(() => new TableCache(vfs, '/db', tsCodec, undefined, 0, newStats())).toThrow(RangeError);
  });
});
