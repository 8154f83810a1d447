import { describe, expect, it } from 'vitest';
import { ValueKind, makeInternalKey } from '../../src/base/internal-key.js';
import { Version } from '../../src/manifest/version.js';
import { fm, numbers } from './manifest-fixtures.js';

const k = (s: string) => Buffer.from(s);

describe('Version', () => {
  // L0 newest first; L1 sorted and disjoint.
  const l0 = [fm(20, 'm', 'p'), fm(19, 'a', 'c'), fm(18, 'o', 'r'), fm(17, 'q', 'u'), fm(16, 'x', 'z')];
  const l1 = [fm(5, 'b', 'd', 10), fm(6, 'f', 'h', 20), fm(7, 'h', 'k', 30), fm(8, 'n', 'p', 40)];
  const v = new Version([l0, l1, []]);

  it('counts files and bytes per level and lists every file number', () => {
    expect(v.numFiles(0)).toBe(5);
    expect(v.numFiles(1)).toBe(4);
    expect(v.numFiles(2)).toBe(0);
    expect(v.levelBytes(1)).toBe(100);
    expect(v.levelBytes(2)).toBe(0);
    expect(v.allFileNumbers().sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 16, 17, 18, 19, 20]);
    expect(() => v.numFiles(3)).toThrowError(RangeError);
  });

  it('overlappingFiles in L1+ uses user-key ranges, inclusive, undefined meaning unbounded', () => {
    expect(numbers(v.overlappingFiles(1, k('e'), k('e')))).toEqual([]);
    expect(numbers(v.overlappingFiles(1, k('d'), k('f')))).toEqual([5, 6]);
    expect(numbers(v.overlappingFiles(1, k('h'), k('h')))).toEqual([6, 7]);
    expect(numbers(v.overlappingFiles(1, undefined, k('c')))).toEqual([5]);
    expect(numbers(v.overlappingFiles(1, k('i'), undefined))).toEqual([7, 8]);
    expect(numbers(v.overlappingFiles(1, undefined, undefined))).toEqual([5, 6, 7, 8]);
    expect(numbers(v.overlappingFiles(1, k('q'), k('z')))).toEqual([]);
    expect(numbers(v.overlappingFiles(1, k('a'), k('aa')))).toEqual([]);
  });

  it('overlappingFiles in L0 expands the range transitively', () => {
    // [n, n] hits 20 (m-p) → range m-p → hits 18 (o-r) → m-r → hits 17 (q-u) → m-u. 16 (x-z) stays out.
    expect(numbers(v.overlappingFiles(0, k('n'), k('n')))).toEqual([20, 18, 17]);
    // Expansion downwards: [s, s] → 17 (q-u) → q-u → 18 (o-r) → o-u → 20 (m-p) → m-u.
    expect(numbers(v.overlappingFiles(0, k('s'), k('s')))).toEqual([20, 18, 17]);
    expect(numbers(v.overlappingFiles(0, k('b'), k('b')))).toEqual([19]);
    expect(numbers(v.overlappingFiles(0, k('d'), k('l')))).toEqual([]);
    expect(numbers(v.overlappingFiles(0, undefined, k('a')))).toEqual([19]);
    expect(numbers(v.overlappingFiles(0, k('y'), undefined))).toEqual([16]);
    expect(numbers(v.overlappingFiles(0, undefined, undefined))).toEqual([20, 19, 18, 17, 16]);
  });

  it('overlappingFiles in L1+ matches a linear scan on random levels', () => {
    const files = Array.from({ length: 50 }, (_, i) =>
      fm(i + 1, String(1000 + i * 10), String(1000 + i * 10 + 5)),
    );
    const lv = new Version([[], files]);
    for (let lo = 990; lo < 1510; lo += 3) {
      for (const width of [0, 4, 17, 100]) {
        const a = k(String(lo));
        const b = k(String(lo + width));
        const expected = files.filter(
          (f) => Buffer.compare(f.largest.subarray(0, 4), a) >= 0 && Buffer.compare(f.smallest.subarray(0, 4), b) <= 0,
        );
        expect(numbers(lv.overlappingFiles(1, a, b))).toEqual(numbers(expected));
      }
    }
  });

  it('findFile finds the first file whose largest internal key is >= the target', () => {
    const ik = (s: string, seq: number) => makeInternalKey(k(s), seq, ValueKind.Value);
    expect(v.findFile(1, ik('a', 1))).toBe(0);
    expect(v.findFile(1, ik('d', 100))).toBe(0); // equal to file 5's largest
    expect(v.findFile(1, ik('d', 99))).toBe(1); // older than file 5's largest: after it
    expect(v.findFile(1, ik('h', 200))).toBe(1);
    expect(v.findFile(1, ik('j', 1))).toBe(2);
    expect(v.findFile(1, ik('p', 1))).toBe(4);
    expect(v.findFile(1, ik('zz', 1))).toBe(4);
    expect(v.findFile(2, ik('a', 1))).toBe(0);
    expect(() => v.findFile(0, ik('a', 1))).toThrowError(RangeError);
  });

  it('ref counting calls onRelease once when the last ref goes, and a released version cannot be revived', () => {
    const released: Version[] = [];
    const r = new Version([[fm(1, 'a', 'b')]], (x) => released.push(x));
    r.ref();
    r.ref();
    r.unref();
    expect(released).toEqual([]);
    expect(r.refCount).toBe(1);
    r.unref();
    expect(released).toEqual([r]);
    expect(() => r.unref()).toThrowError(/unref without a matching ref/);
    expect(() => r.ref()).toThrowError(/released/);
  });

  it('Version.empty has empty levels', () => {
    const e = Version.empty(7);
    expect(e.levels.length).toBe(7);
    expect(e.allFileNumbers()).toEqual([]);
    expect(e.overlappingFiles(0, undefined, undefined)).toEqual([]);
  });
});
