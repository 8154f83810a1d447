import { describe, expect, it } from 'vitest';
import {
  ByteWriter,
  getFixed32,
  getFixed64,
  getVarint,
  putFixed32,
  putFixed64,
  putVarint,
  varintLength,
  varintValue,
} from '../../src/base/coding.js';

describe('coding', () => {
  it('round-trips fixed32 and fixed64 at the edges', () => {
    const buf = new Uint8Array(8);
    for (const v of [0, 1, 0x7fffffff, 0x80000000, 0xffffffff]) {
      putFixed32(buf, 0, v);
      expect(getFixed32(buf, 0)).toBe(v);
    }
    for (const v of [0, 1, 2 ** 32, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      putFixed64(buf, 0, v);
      expect(getFixed64(buf, 0)).toBe(v);
    }
  });

  it('writes fixed32 little-endian', () => {
    const buf = new Uint8Array(4);
    putFixed32(buf, 0, 0x01020304);
    expect([...buf]).toEqual([4, 3, 2, 1]);
  });

  it('rejects fixed64 values above 2^53', () => {
    const buf = new Uint8Array(8).fill(0xff);
    expect(() => getFixed64(buf, 0)).toThrow(RangeError);
  });

  it('round-trips varints and reports their length', () => {
    const buf = new Uint8Array(10);
    for (const v of [0, 1, 127, 128, 300, 16383, 16384, 2 ** 31, 2 ** 32, 2 ** 40 + 3, Number.MAX_SAFE_INTEGER]) {
      const end = putVarint(buf, 0, v);
      expect(end).toBe(varintLength(v));
      expect(getVarint(buf, 0, end)).toBe(end);
      expect(varintValue.v).toBe(v);
    }
  });

  it('encodes 300 as ac 02', () => {
    const buf = new Uint8Array(2);
    putVarint(buf, 0, 300);
    expect([...buf]).toEqual([0xac, 0x02]);
  });

  it('returns -1 for truncated or overlong varints', () => {
    const buf = new Uint8Array([0x80, 0x80]);
    expect(getVarint(buf, 0, 2)).toBe(-1);
    expect(getVarint(new Uint8Array(9).fill(0x80), 0, 9)).toBe(-1);
  });

  it('ByteWriter grows and returns exactly what was written', () => {
    const w = new ByteWriter(1);
    w.byte(7);
    w.varint(300);
    w.fixed32(0xdeadbeef);
    w.lengthPrefixed(new Uint8Array([1, 2, 3]));
    const out = w.finish();
    expect([...out]).toEqual([7, 0xac, 0x02, 0xef, 0xbe, 0xad, 0xde, 3, 1, 2, 3]);
  });
});
