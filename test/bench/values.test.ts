import snappy from 'snappy';
import { describe, expect, it } from 'vitest';
import { ValueSource } from '../../bench/db-bench/values.js';

/** Compressed / raw size of about one 4 KiB block's worth of values, averaged over many blocks. */
function snappyRatio(src: ValueSource, version: number): number {
  let raw = 0;
  let packed = 0;
  for (let block = 0; block < 200; block++) {
    const parts: Buffer[] = [];
    for (let j = 0; j < 40; j++) parts.push(src.value(block * 40 + j, version));
    const buf = Buffer.concat(parts);
    raw += buf.length;
    packed += snappy.compressSync(buf).length;
  }
  return packed / raw;
}

describe('db-bench value generator', () => {
  it('is half compressible by snappy, like db_bench values', () => {
    const r = snappyRatio(new ValueSource(301, 100), 0);
    expect(r).toBeGreaterThan(0.45);
    expect(r).toBeLessThan(0.62);
  });

  it('follows the requested ratio', () => {
    expect(snappyRatio(new ValueSource(301, 100, 1), 0)).toBeGreaterThan(0.95);
    expect(snappyRatio(new ValueSource(301, 100, 0.25), 0)).toBeLessThan(0.4);
  });

  it('is deterministic per (seed, index, version) and changes with the version', () => {
    const a = new ValueSource(301, 100);
    const b = new ValueSource(301, 100);
    let changed = 0;
    for (let i = 0; i < 1000; i++) {
      expect(a.value(i, 0).equals(b.value(i, 0))).toBe(true);
      expect(a.value(i, 0).length).toBe(100);
      if (!a.value(i, 0).equals(a.value(i, 1))) changed++;
    }
    expect(changed).toBeGreaterThan(990);
    expect(new ValueSource(302, 100).value(0, 0).equals(a.value(0, 0))).toBe(false);
  });

  it('supports other value sizes and rejects impossible ones', () => {
    expect(new ValueSource(1, 4000).value(3, 0).length).toBe(4000);
    expect(() => new ValueSource(1, 0)).toThrow(RangeError);
    expect(() => new ValueSource(1, 100, 0)).toThrow(RangeError);
  });
});
