import { describe, expect, it } from 'vitest';
import { compareRanges as compareByteRanges } from '../../src/base/comparator.js';
import { prng as seededRandom } from '../helpers/model.js';

describe('compareRanges (hand loop and Buffer#compare paths)', () => {
  it('agrees in sign with Buffer.compare on short, long, prefix-sharing and unequal-length ranges', () => {
    const rnd = seededRandom(7);
    const pool = Buffer.alloc(4096);
    for (let i = 0; i < pool.length; i++) pool[i] = rnd() < 0.5 ? 0x61 : Math.floor(rnd() * 256);
    for (let i = 0; i < 20000; i++) {
      const len = Math.floor(rnd() * 120);
      const a = Buffer.alloc(8 + len);
      const aStart = 3;
      for (let j = 0; j < len; j++) a[aStart + j] = pool[(i * 7 + j) % pool.length]!;
      // b shares a prefix of random length with a, then diverges or ends.
      const shared = Math.floor(rnd() * (len + 1));
      const bLen = shared + Math.floor(rnd() * 40);
      const b = new Uint8Array(bLen + 5);
      const bStart = 5;
      for (let j = 0; j < bLen; j++) b[bStart + j] = j < shared ? a[aStart + j]! : Math.floor(rnd() * 256);
      const got = Math.sign(compareByteRanges(a, aStart, aStart + len, b, bStart, bStart + bLen));
      const want = Math.sign(
        Buffer.compare(a.subarray(aStart, aStart + len), Buffer.from(b.buffer, bStart, bLen)),
      );
      expect(got).toBe(want);
    }
  });

  it('orders a proper prefix first and equal ranges as zero, beyond the hand-loop length too', () => {
    const long = Buffer.alloc(100, 0x41);
    expect(compareByteRanges(long, 0, 50, long, 0, 100)).toBeLessThan(0);
    expect(compareByteRanges(long, 0, 100, long, 0, 50)).toBeGreaterThan(0);
    expect(compareByteRanges(long, 0, 100, Buffer.alloc(100, 0x41), 0, 100)).toBe(0);
    const other = Buffer.alloc(100, 0x41);
    other[80] = 0x42;
    expect(compareByteRanges(long, 0, 100, other, 0, 100)).toBeLessThan(0);
    expect(compareByteRanges(other, 0, 100, long, 0, 100)).toBeGreaterThan(0);
    expect(compareByteRanges(long, 0, 0, other, 0, 0)).toBe(0);
  });
});
