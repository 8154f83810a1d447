/**
 * BlockCache: LRU order, byte bound, hit/miss counters, per-file eviction, capacity 0 disabled.
 */

import { describe, expect, it } from 'vitest';
import type { DecodedBlock } from '../../src/codec/codec.js';
import { BlockCache, blockCharge } from '../../src/sstable/block-cache.js';

function block(bytes: number): DecodedBlock {
  return {
    count: 1,
    keys: Buffer.alloc(8),
    keyOffsets: new Uint32Array([0, 8]),
    data: Buffer.alloc(bytes),
    valueOffsets: new Uint32Array([0, bytes]),
  };
}

describe('BlockCache', () => {
  it('evicts the least recently used block when over capacity', () => {
    const one = blockCharge(block(1000));
    const cache = new BlockCache(3 * one);
    const a = block(1000);
    cache.insert(1, 0, a);
    cache.insert(1, 100, block(1000));
    cache.insert(2, 0, block(1000));
    expect(cache.size).toBe(3);
    expect(cache.usage).toBe(3 * one);
    expect(cache.get(1, 0)).toBe(a); // now (1,0) is most recent; (1,100) is least
    cache.insert(3, 0, block(1000));
    expect(cache.size).toBe(3);
    expect(cache.get(1, 100)).toBeUndefined();
    expect(cache.get(1, 0)).toBe(a);
    expect(cache.get(2, 0)).toBeDefined();
    expect(cache.get(3, 0)).toBeDefined();
    expect(cache.hits).toBe(4);
    expect(cache.misses).toBe(1);
  });

  it('keys blocks by file number and offset', () => {
    const cache = new BlockCache(1 << 20);
    const a = block(10);
    const b = block(10);
    cache.insert(1, 50, a);
    cache.insert(2, 50, b);
    expect(cache.get(1, 50)).toBe(a);
    expect(cache.get(2, 50)).toBe(b);
    expect(cache.get(1, 51)).toBeUndefined();
    const c = block(20);
    cache.insert(1, 50, c); // replaces, charge updated (regression: replacing a file's only block lost it)
    expect(cache.get(1, 50)).toBe(c);
    expect(cache.size).toBe(2);
    expect(cache.usage).toBe(blockCharge(b) + blockCharge(c));
  });

  it('drops every block of a file', () => {
    const cache = new BlockCache(1 << 20);
    for (let off = 0; off < 10; off++) cache.insert(7, off * 100, block(10));
    cache.insert(8, 0, block(10));
    cache.evictFile(7);
    expect(cache.size).toBe(1);
    expect(cache.get(7, 0)).toBeUndefined();
    expect(cache.get(8, 0)).toBeDefined();
    expect(cache.usage).toBe(blockCharge(block(10)));
    cache.evictFile(99);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.usage).toBe(0);
  });

  it('does not cache blocks bigger than its capacity, and capacity 0 keeps nothing', () => {
    const cache = new BlockCache(500);
    cache.insert(1, 0, block(1000));
    expect(cache.size).toBe(0);
    const off = new BlockCache(0);
    off.insert(1, 0, block(1));
    expect(off.get(1, 0)).toBeUndefined();
    expect(off.usage).toBe(0);
    expect(() => new BlockCache(-1)).toThrow(RangeError);
  });

  it('stays within its byte bound under random use', () => {
    const cache = new BlockCache(50_000);
    let seed = 1;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 5000; i++) {
      const file = next() % 5;
      const offset = (next() % 50) * 4096;
      if (cache.get(file, offset) === undefined) cache.insert(file, offset, block(next() % 3000));
      expect(cache.usage).toBeLessThanOrEqual(50_000);
    }
    expect(cache.hits + cache.misses).toBe(5000);
    expect(cache.hits).toBeGreaterThan(0);
  });

  it('matches a reference LRU under random gets, inserts, re-inserts, file evictions and clears', () => {
    const capacity = 40_000;
    const cache = new BlockCache(capacity);
    /** Reference: entries in LRU order, most recent last. */
    let model: Array<{ file: number; offset: number; block: DecodedBlock; charge: number }> = [];
    const used = (): number => model.reduce((n, e) => n + e.charge, 0);
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    let hits = 0;
    for (let i = 0; i < 6000; i++) {
      const op = next() % 100;
      const file = next() % 4;
      const offset = (next() % 40) * 512;
      const at = model.findIndex((e) => e.file === file && e.offset === offset);
      if (op < 60) {
        const got = cache.get(file, offset);
        if (at < 0) expect(got).toBeUndefined();
        else {
          hits++;
          const [e] = model.splice(at, 1);
          expect(got).toBe(e!.block);
          model.push(e!);
        }
      } else if (op < 97) {
        const b = block(next() % (op < 62 ? 50_000 : 4000));
        cache.insert(file, offset, b);
        const charge = blockCharge(b);
        if (charge <= capacity) {
          if (at >= 0) model.splice(at, 1);
          model.push({ file, offset, block: b, charge });
          while (used() > capacity) model.shift();
        }
      } else if (op < 99) {
        cache.evictFile(file);
        model = model.filter((e) => e.file !== file);
      } else {
        cache.clear();
        model = [];
      }
      expect(cache.size).toBe(model.length);
      expect(cache.usage).toBe(used());
    }
    expect(cache.hits).toBe(hits);
    for (const e of model) expect(cache.get(e.file, e.offset)).toBe(e.block);
  });

  it('matches a Map-ordered LRU through growth, hash collisions and offsets past 2^32', () => {
    // ~2,000 blocks fit; 3,000 keys in use, so the slot arrays and the hash table grow several times and entries
    // are evicted, re-inserted and dropped by file all along (backward-shift deletion inside probe runs).
    const one = blockCharge(block(100));
    const cache = new BlockCache(2000 * one);
    const model = new Map<string, DecodedBlock>(); // insertion order = LRU order, least recent first
    let seed = 11;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const key = (file: number, offset: number): string => `${file}:${offset}`;
    const offsetOf = (k: number): number => (k % 3 === 0 ? 2 ** 32 + k * 4096 : k * 4096 + (k % 7));
    for (let i = 0; i < 40_000; i++) {
      const r = next() % 3000;
      const file = 1 + (r % 5);
      const offset = offsetOf(r);
      const k = key(file, offset);
      const op = next() % 1000;
      if (op < 997) {
        const want = model.get(k);
        const got = cache.get(file, offset);
        expect(got).toBe(want);
        if (want !== undefined) {
          model.delete(k);
          model.set(k, want);
        } else {
          const b = block(100);
          cache.insert(file, offset, b);
          model.set(k, b);
          if (model.size > 2000) model.delete(model.keys().next().value!);
        }
      } else {
        cache.evictFile(file);
        for (const mk of [...model.keys()]) if (mk.startsWith(`${file}:`)) model.delete(mk);
      }
      expect(cache.size).toBe(model.size);
    }
    expect(cache.usage).toBe(model.size * one);
    for (const [k, b] of model) {
      const [file, offset] = k.split(':').map(Number);
      expect(cache.get(file!, offset!)).toBe(b);
    }
  });
});
