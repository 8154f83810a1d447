/**
 * ts-codec tests: XXH32 against the reference C implementation (xxhash-addon), block round trips, damaged blocks
 * (never throw, always a status), and the bloom filter's false-positive rate.
 */

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { putFixed32 } from '../../src/base/coding.js';
import { BLOOM_SEED, CodecStatus } from '../../src/codec/codec.js';
import type { BlockEntries, DecodedBlock } from '../../src/codec/codec.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { xxh32, xxh32Range } from '../../src/codec/xxh32.js';

interface XXHash32Ctor {
  new (seed: Buffer): { update(data: Buffer): void; digest(): Buffer };
  hash(data: Buffer): Buffer;
}
const XXHash32 = (createRequire(import.meta.url)('xxhash-addon') as { XXHash32: XXHash32Ctor }).XXHash32;

function oracle(data: Buffer, seed: number): number {
  if (seed === 0) return XXHash32.hash(data).readUInt32BE(0);
  const s = Buffer.alloc(4);
  s.writeUInt32BE(seed >>> 0);
  const h = new XXHash32(s);
  h.update(data);
  return h.digest().readUInt32BE(0);
}

/** Small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(r: () => number, n: number, alphabet = 256): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * alphabet);
  return b;
}

function toEntries(pairs: Array<[Buffer, Buffer]>): BlockEntries {
  const keys = Buffer.concat(pairs.map((p) => p[0]));
  const values = Buffer.concat(pairs.map((p) => p[1]));
  const keyOffsets = new Uint32Array(pairs.length + 1);
  const valueOffsets = new Uint32Array(pairs.length + 1);
  pairs.forEach((p, i) => {
    keyOffsets[i + 1] = keyOffsets[i]! + p[0].length;
    valueOffsets[i + 1] = valueOffsets[i]! + p[1].length;
  });
  return { count: pairs.length, keys, keyOffsets, values, valueOffsets };
}

function entriesOf(d: DecodedBlock): Array<[Buffer, Buffer]> {
  const out: Array<[Buffer, Buffer]> = [];
  for (let i = 0; i < d.count; i++) {
    out.push([
      Buffer.from(d.keys.subarray(d.keyOffsets[i]!, d.keyOffsets[i + 1]!)),
      Buffer.from(d.data.subarray(d.valueOffsets[2 * i]!, d.valueOffsets[2 * i + 1]!)),
    ]);
  }
  return out;
}

/** Random sorted distinct keys with shared prefixes (small alphabet) and random values. */
function randomPairs(r: () => number, n: number): Array<[Buffer, Buffer]> {
  const set = new Map<string, Buffer>();
  while (set.size < n) {
    const k = randomBytes(r, 1 + Math.floor(r() * 12), 3);
    set.set(k.toString('hex'), k);
  }
  return [...set.values()]
    .sort(Buffer.compare)
    .map((k) => [k, randomBytes(r, Math.floor(r() * 40))] as [Buffer, Buffer]);
}

describe('xxh32', () => {
  it('matches the reference implementation for lengths 0..300 and several seeds', () => {
    const r = rng(1);
    for (let len = 0; len <= 300; len++) {
      const data = randomBytes(r, len);
      for (const seed of [0, 1, BLOOM_SEED, 0xffffffff, 0x9e3779b1]) {
        expect(xxh32(data, seed), `len ${len} seed ${seed}`).toBe(oracle(data, seed));
      }
    }
  });

  it('matches on unaligned views and large inputs', () => {
    const r = rng(2);
    const big = randomBytes(r, 100_003);
    for (let i = 0; i < 50; i++) {
      const start = Math.floor(r() * 1000);
      const end = start + Math.floor(r() * 99_000);
      const view = big.subarray(start, end);
      expect(xxh32(view, 0)).toBe(oracle(Buffer.from(view), 0));
      expect(xxh32Range(big, start, end, BLOOM_SEED)).toBe(oracle(Buffer.from(view), BLOOM_SEED));
    }
  });

  it('has a known answer for the empty input', () => {
    expect(xxh32(new Uint8Array(0), 0)).toBe(0x02cc5d05);
  });
});

describe('block encode/decode', () => {
  for (const interval of [1, 2, 16]) {
    it(`round-trips random sorted keys (restart interval ${interval})`, () => {
      const r = rng(10 + interval);
      for (let round = 0; round < 60; round++) {
        const pairs = randomPairs(r, 1 + Math.floor(r() * 200));
        const block = tsCodec.encodeBlock(toEntries(pairs), interval);
        const expectedRestarts = Math.ceil(pairs.length / interval);
        expect(block.readUInt32LE(block.length - 4)).toBe(expectedRestarts);
        const d = tsCodec.decodeBlock(block);
        if (typeof d === 'number') throw new Error(`status ${d}`);
        expect(d.count).toBe(pairs.length);
        expect(entriesOf(d)).toEqual(pairs);
        expect(d.data).toBe(block);
      }
    });
  }

  it('prefix-compresses keys between restart points', () => {
    const pairs: Array<[Buffer, Buffer]> = [
      [Buffer.from('apple'), Buffer.from('1')],
      [Buffer.from('applesauce'), Buffer.from('2')],
      [Buffer.from('apply'), Buffer.from('')],
    ];
    const block = tsCodec.encodeBlock(toEntries(pairs), 16);
    // entry0: 0,5,1 "apple" "1"; entry1: 5,5,1 "sauce" "2"; entry2: 4,1,0 "y"; restarts [0]; count 1
    const expected = Buffer.concat([
      Buffer.from([0, 5, 1]), Buffer.from('apple1'),
      Buffer.from([5, 5, 1]), Buffer.from('sauce2'),
      Buffer.from([4, 1, 0]), Buffer.from('y'),
      Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]),
    ]);
    expect(block).toEqual(expected);
  });

  it('handles keys and values longer than one varint byte', () => {
    const pairs: Array<[Buffer, Buffer]> = [
      [Buffer.alloc(300, 1), Buffer.alloc(70_000, 7)],
      [Buffer.concat([Buffer.alloc(300, 1), Buffer.from([2])]), Buffer.alloc(129, 9)],
    ];
    const d = tsCodec.decodeBlock(tsCodec.encodeBlock(toEntries(pairs), 16));
    if (typeof d === 'number') throw new Error(`status ${d}`);
    expect(entriesOf(d)).toEqual(pairs);
  });

  it('rejects specific malformations with the documented status', () => {
    const ok = tsCodec.encodeBlock(toEntries([[Buffer.from('ab'), Buffer.from('x')], [Buffer.from('ac'), Buffer.from('y')]]), 16);
    expect(tsCodec.decodeBlock(Buffer.alloc(3))).toBe(CodecStatus.BAD_RESTART_ARRAY);
    expect(tsCodec.decodeBlock(Buffer.from([0, 0, 0, 0]))).toBe(CodecStatus.BAD_RESTART_ARRAY);
    // r = 1 and nothing before the restart array: an empty block
    expect(tsCodec.decodeBlock(Buffer.from([0, 0, 0, 0, 1, 0, 0, 0]))).toBe(CodecStatus.BAD_RESTART_ARRAY);
    const hugeR = Buffer.from(ok);
    putFixed32(hugeR, hugeR.length - 4, 1000);
    expect(tsCodec.decodeBlock(hugeR)).toBe(CodecStatus.BAD_RESTART_ARRAY);
    // first restart not 0
    const badRestart = Buffer.from(ok);
    putFixed32(badRestart, badRestart.length - 8, 3);
    expect(tsCodec.decodeBlock(badRestart)).toBe(CodecStatus.BAD_RESTART_POINT);
    // a restart pointing at an entry with shared != 0 (the second entry starts at 6, shared 1)
    const two = Buffer.concat([ok.subarray(0, ok.length - 8), Buffer.from([0, 0, 0, 0, 6, 0, 0, 0, 2, 0, 0, 0])]);
    expect(tsCodec.decodeBlock(two)).toBe(CodecStatus.BAD_RESTART_POINT);
    // a restart pointing inside an entry
    const inside = Buffer.concat([ok.subarray(0, ok.length - 8), Buffer.from([0, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0, 0])]);
    expect(tsCodec.decodeBlock(inside)).toBe(CodecStatus.BAD_RESTART_POINT);
    // shared > previous key length
    const shared = Buffer.from(ok);
    shared[6] = 3;
    expect(tsCodec.decodeBlock(shared)).toBe(CodecStatus.BAD_SHARED_PREFIX);
    // value length past the entries region
    const bounds = Buffer.from(ok);
    bounds[8] = 50;
    expect(tsCodec.decodeBlock(bounds)).toBe(CodecStatus.BAD_ENTRY_BOUNDS);
    // header varint runs off the entries region
    const header = Buffer.from(ok);
    header[6] = 0x80;
    header[7] = 0x80;
    header[8] = 0x80;
    header[9] = 0x80;
    header[10] = 0x80; // entries end at 11: the varint never ends inside them
    expect(tsCodec.decodeBlock(header)).toBe(CodecStatus.BAD_ENTRY_HEADER);
  });

  it('never throws on damaged blocks and returns a status or a well-formed block', () => {
    const r = rng(99);
    const statuses = new Set<number>();
    const check = (b: Buffer): void => {
      const d = tsCodec.decodeBlock(b);
      if (typeof d === 'number') {
        expect(d).toBeGreaterThan(0);
        expect(d).toBeLessThanOrEqual(CodecStatus.BAD_RESTART_POINT);
        statuses.add(d);
        return;
      }
      // a decoded block is internally consistent and every value lies inside the entries region
      expect(d.keyOffsets.length).toBe(d.count + 1);
      expect(d.keyOffsets[d.count]).toBe(d.keys.length);
      for (let i = 0; i < d.count; i++) {
        expect(d.keyOffsets[i]!).toBeLessThanOrEqual(d.keyOffsets[i + 1]!);
        expect(d.valueOffsets[2 * i]!).toBeLessThanOrEqual(d.valueOffsets[2 * i + 1]!);
        expect(d.valueOffsets[2 * i + 1]!).toBeLessThanOrEqual(b.length - 4);
      }
    };
    for (let round = 0; round < 400; round++) {
      const pairs = randomPairs(r, 1 + Math.floor(r() * 40));
      const block = tsCodec.encodeBlock(toEntries(pairs), 1 + Math.floor(r() * 4));
      const flipped = Buffer.from(block);
      const flips = 1 + Math.floor(r() * 3);
      for (let f = 0; f < flips; f++) flipped[Math.floor(r() * flipped.length)] ^= 1 << Math.floor(r() * 8);
      check(flipped);
      check(block.subarray(0, Math.floor(r() * block.length)));
      check(randomBytes(r, Math.floor(r() * 64)));
      const tail = Buffer.from(block);
      putFixed32(tail, tail.length - 4, Math.floor(r() * 0xffffffff));
      check(tail);
    }
    expect(statuses.size).toBeGreaterThanOrEqual(4);
  });
});

describe('bloom filter', () => {
  function buildFor(keys: Buffer[], bitsPerKey: number): Buffer {
    const e = toEntries(keys.map((k) => [k, Buffer.alloc(0)]));
    return tsCodec.bloomBuild(e.keys, e.keyOffsets, e.count, bitsPerKey);
  }

  it('has no false negatives and a 0.3%..2% false-positive rate at 10 bits/key on 20k keys', () => {
    const n = 20_000;
    const keys: Buffer[] = [];
    for (let i = 0; i < n; i++) keys.push(Buffer.from(`key${i.toString().padStart(8, '0')}`));
    const filter = buildFor(keys, 10);
    expect(filter.length).toBe(n * 10 / 8 + 1);
    expect(filter[filter.length - 1]).toBe(7);
    for (const k of keys) expect(tsCodec.bloomMayContain(filter, k)).toBe(true);
    let fp = 0;
    const probes = 20_000;
    for (let i = 0; i < probes; i++) {
      if (tsCodec.bloomMayContain(filter, Buffer.from(`other${i.toString().padStart(8, '0')}`))) fp++;
    }
    const rate = fp / probes;
    expect(rate).toBeGreaterThan(0.003);
    expect(rate).toBeLessThan(0.02);
  });

  it('sizes small filters to 64 bits and clamps k', () => {
    expect(buildFor([Buffer.from('a')], 10).length).toBe(9);
    expect(buildFor([Buffer.from('a')], 1)[8]).toBe(1);
    expect(buildFor([Buffer.from('a')], 64)[8]).toBe(30);
    expect(buildFor([], 10)).toEqual(Buffer.concat([Buffer.alloc(8), Buffer.from([7])]));
  });

  it('sets exactly the documented bits', () => {
    const key = Buffer.from('hello');
    const f = buildFor([key], 3); // m = 64, k = round(2.07) = 2
    const expected = Buffer.alloc(9);
    expected[8] = 2;
    let h = xxh32(key, BLOOM_SEED);
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let i = 0; i < 2; i++) {
      const b = h % 64;
      expected[b >> 3]! |= 1 << (b & 7);
      h = (h + delta) >>> 0;
    }
    expect(f).toEqual(expected);
  });

  it('treats reserved or truncated filters as matching everything', () => {
    const f = buildFor([Buffer.from('a')], 10);
    f[f.length - 1] = 31;
    expect(tsCodec.bloomMayContain(f, Buffer.from('zzz'))).toBe(true);
    expect(tsCodec.bloomMayContain(new Uint8Array(1), Buffer.from('zzz'))).toBe(true);
    expect(tsCodec.bloomMayContain(new Uint8Array(0), Buffer.from('zzz'))).toBe(true);
  });
});
