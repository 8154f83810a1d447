/**
 * comparator: bytewise user-key order (against Buffer.compare as the reference), including 0x00/0xff bytes,
 * prefixes and common prefixes longer than the 32 bytes compared by hand; and internal-key order (user key
 * ascending, then sequence descending, then kind descending).
 */
import { describe, expect, it } from 'vitest';
import {
  COMPARATOR_NAME,
  compareBytes,
  compareInternalKeys,
  compareRanges,
  compareTrailers,
  compareUserKeysOf,
} from '../../src/base/comparator.js';
import { MAX_SEQUENCE, ValueKind, makeInternalKey } from '../../src/base/internal-key.js';
import { prng, randInt } from '../helpers/model.js';

const sign = (n: number): number => Math.sign(n);
const b = (...bytes: number[]): Uint8Array => new Uint8Array(bytes);

describe('compareBytes', () => {
  it('has the name recorded in every MANIFEST', () => {
    expect(COMPARATOR_NAME).toBe('lsmkv.BytewiseComparator');
  });

  it('orders bytes unsigned, prefixes first, empty lowest', () => {
    const sorted = [b(), b(0x00), b(0x00, 0x00), b(0x00, 0xff), b(0x01), b(0x7f), b(0x80), b(0xfe), b(0xff), b(0xff, 0x00), b(0xff, 0xff)];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        expect(sign(compareBytes(sorted[i]!, sorted[j]!)), `${i} vs ${j}`).toBe(sign(i - j));
      }
    }
  });

  it('agrees with Buffer.compare across the 32-byte hand-loop boundary (Buffer and plain Uint8Array inputs)', () => {
    const r = prng(42);
    for (const prefix of [0, 1, 31, 32, 33, 40, 64, 200]) {
      for (let n = 0; n < 60; n++) {
        const common = Buffer.alloc(prefix);
        for (let i = 0; i < prefix; i++) common[i] = [0x00, 0xff, randInt(r, 256)][randInt(r, 3)]!;
        const tail = (): Buffer => {
          const t = Buffer.alloc(randInt(r, 4));
          for (let i = 0; i < t.length; i++) t[i] = [0x00, 0xff, 0x80, randInt(r, 256)][randInt(r, 4)]!;
          return t;
        };
        const x = Buffer.concat([common, tail()]);
        const y = Buffer.concat([common, tail()]);
        const expected = sign(Buffer.compare(x, y));
        expect(sign(compareBytes(x, y))).toBe(expected);
        expect(sign(compareBytes(new Uint8Array(x), new Uint8Array(y)))).toBe(expected);
        expect(sign(compareBytes(y, x))).toBe(-expected || 0);
        expect(compareBytes(x, Buffer.from(x))).toBe(0);
      }
    }
  });

  it('a long common prefix then 0x00 vs 0xff, and a long key vs its own prefix', () => {
    const p = Buffer.alloc(100, 0x61);
    expect(compareBytes(Buffer.concat([p, b(0x00)]), Buffer.concat([p, b(0xff)]))).toBeLessThan(0);
    expect(compareBytes(Buffer.concat([p, b(0xff)]), Buffer.concat([p, b(0x00)]))).toBeGreaterThan(0);
    expect(compareBytes(p, Buffer.concat([p, b(0x00)]))).toBeLessThan(0);
    expect(compareBytes(Buffer.concat([p, b(0x00)]), p)).toBeGreaterThan(0);
    expect(compareBytes(p.subarray(0, 32), p.subarray(0, 33))).toBeLessThan(0);
    expect(compareBytes(p.subarray(0, 33), p.subarray(0, 32))).toBeGreaterThan(0);
  });

  it('compareRanges compares sub-ranges at offsets inside larger arrays (views into a shared buffer too)', () => {
    const big = Buffer.alloc(200);
    for (let i = 0; i < 200; i++) big[i] = i % 50;
    // [0,50) and [50,100) hold the same bytes.
    expect(compareRanges(big, 0, 50, big, 50, 100)).toBe(0);
    expect(compareRanges(big, 0, 49, big, 50, 100)).toBeLessThan(0);
    expect(compareRanges(big, 1, 50, big, 50, 100)).toBeGreaterThan(0);
    const view = new Uint8Array(big.buffer, big.byteOffset + 50, 100);
    expect(compareRanges(view, 0, 50, big, 0, 50)).toBe(0);
    const other = Buffer.from(big.subarray(0, 50));
    other[45] = 0xff;
    expect(compareRanges(big, 100, 150, other, 0, 50)).toBeLessThan(0);
    expect(compareRanges(other, 0, 50, view, 50, 100)).toBeGreaterThan(0);
  });
});

describe('internal key order', () => {
  it('user key ascending, then sequence descending, then kind descending', () => {
    const ik = (k: string, seq: number, kind: number): Buffer => makeInternalKey(Buffer.from(k, 'latin1'), seq, kind);
    const sorted = [
      ik('', 5, ValueKind.Value),
      ik('a', MAX_SEQUENCE, ValueKind.Value),
      ik('a', MAX_SEQUENCE, ValueKind.Deletion),
      ik('a', 2 ** 32, ValueKind.Value),
      ik('a', 256, ValueKind.Deletion),
      ik('a', 255, ValueKind.Value),
      ik('a', 1, ValueKind.Value),
      ik('a', 1, ValueKind.Deletion),
      ik('a', 0, ValueKind.Value),
      ik('a\x00', 9, ValueKind.Value),
      ik('ab', 100, ValueKind.Value),
      ik('b', 1, ValueKind.Value),
      ik('\xff', 1, ValueKind.Value),
    ];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        expect(sign(compareInternalKeys(sorted[i]!, sorted[j]!)), `${i} vs ${j}`).toBe(sign(i - j));
      }
    }
  });

  it('a shorter user key sorts first even when its trailer bytes would sort it later bytewise', () => {
    // 'a' + trailer(seq 0xffff...) vs 'a\x00' + trailer: raw bytes would put 'a'+0x01.. after 'a\x00'.
    const short = makeInternalKey(Buffer.from('a'), MAX_SEQUENCE, ValueKind.Value);
    const long = makeInternalKey(Buffer.from('a\x00'), 0, ValueKind.Deletion);
    expect(Buffer.compare(short, long)).toBeGreaterThan(0);
    expect(compareInternalKeys(short, long)).toBeLessThan(0);
  });

  it('long user keys (> 32 shared bytes) still order by the user key, then the trailer', () => {
    const p = 'x'.repeat(80);
    const a1 = makeInternalKey(Buffer.from(p + 'a'), 1, ValueKind.Value);
    const a9 = makeInternalKey(Buffer.from(p + 'a'), 9, ValueKind.Value);
    const b1 = makeInternalKey(Buffer.from(p + 'b'), 1, ValueKind.Value);
    expect(compareInternalKeys(a9, a1)).toBeLessThan(0);
    expect(compareInternalKeys(a1, b1)).toBeLessThan(0);
    expect(compareInternalKeys(b1, a9)).toBeGreaterThan(0);
    expect(compareUserKeysOf(a1, a9)).toBe(0);
    expect(compareUserKeysOf(a9, b1)).toBeLessThan(0);
  });

  it('compareTrailers reads trailers at offsets', () => {
    const x = makeInternalKey(Buffer.from('zz'), 10, ValueKind.Value);
    const y = makeInternalKey(Buffer.from('q'), 10, ValueKind.Deletion);
    expect(compareTrailers(x, 2, y, 1)).toBeLessThan(0);
    expect(compareTrailers(y, 1, x, 2)).toBeGreaterThan(0);
    expect(compareTrailers(x, 2, x, 2)).toBe(0);
  });

  it('agrees with a reference order on random keys', () => {
    const r = prng(3);
    const keys: Array<{ k: Buffer; s: number; t: number; ik: Buffer }> = [];
    for (let i = 0; i < 400; i++) {
      const k = Buffer.alloc(randInt(r, 3) === 0 ? 40 + randInt(r, 3) : randInt(r, 4));
      for (let j = 0; j < k.length; j++) k[j] = j < 36 && k.length >= 40 ? 0x41 : [0, 0xff, 0x41][randInt(r, 3)]!;
      const s = randInt(r, 4) === 0 ? randInt(r, 5) : Math.floor(r() * MAX_SEQUENCE);
      const t = randInt(r, 2);
      keys.push({ k, s, t, ik: makeInternalKey(k, s, t) });
    }
    const ref = [...keys].sort((p, q) => Buffer.compare(p.k, q.k) || q.s - p.s || q.t - p.t);
    const got = [...keys].sort((p, q) => compareInternalKeys(p.ik, q.ik));
    expect(got.map((e) => e.ik.toString('hex'))).toEqual(ref.map((e) => e.ik.toString('hex')));
  });
});
