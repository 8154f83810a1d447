/**
 * internal-key: the trailer's byte layout (fixed64 LE of seq << 8 | kind), sequences up to 2^53 - 1, and the
 * accessors that read them back.
 */
import { describe, expect, it } from 'vitest';
import {
  KIND_FOR_SEEK,
  MAX_SEQUENCE,
  TRAILER_SIZE,
  ValueKind,
  kindOf,
  makeInternalKey,
  putTrailer,
  sequenceOf,
  trailerKind,
  trailerSequence,
  userKeyOf,
} from '../../src/base/internal-key.js';
import { prng } from '../helpers/model.js';

/** The trailer as FORMAT.md defines it, computed with BigInt. */
function referenceTrailer(seq: number, kind: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(seq) << 8n) | BigInt(kind));
  return b;
}

describe('internal key trailer', () => {
  it('declares the format constants', () => {
    expect(TRAILER_SIZE).toBe(8);
    expect(ValueKind).toEqual({ Deletion: 0, Value: 1 });
    expect(KIND_FOR_SEEK).toBe(ValueKind.Value);
    expect(MAX_SEQUENCE).toBe(2 ** 53 - 1);
  });

  it('lays the trailer out as fixed64 LE (seq << 8 | kind) after the user key', () => {
    const k = makeInternalKey(Buffer.from('abc'), 0x010203, ValueKind.Value);
    expect([...k]).toEqual([0x61, 0x62, 0x63, 0x01, 0x03, 0x02, 0x01, 0, 0, 0, 0]);
    const d = makeInternalKey(Buffer.from('abc'), 1, ValueKind.Deletion);
    expect([...d.subarray(3)]).toEqual([0x00, 0x01, 0, 0, 0, 0, 0, 0]);
  });

  it('matches a BigInt reference for boundary and random sequences, both kinds', () => {
    const seqs = [0, 1, 0xff, 0x100, 0xffffff, 0x1000000, 0xffffffff, 2 ** 32, 2 ** 40 + 7, 2 ** 52, MAX_SEQUENCE - 1, MAX_SEQUENCE];
    const r = prng(7);
    for (let i = 0; i < 200; i++) seqs.push(Math.floor(r() * MAX_SEQUENCE));
    for (const seq of seqs) {
      for (const kind of [ValueKind.Deletion, ValueKind.Value]) {
        const k = makeInternalKey(Buffer.from([0x00, 0xff]), seq, kind);
        expect(k.subarray(2)).toEqual(referenceTrailer(seq, kind));
        expect(sequenceOf(k)).toBe(seq);
        expect(kindOf(k)).toBe(kind);
        expect(trailerSequence(k, 2)).toBe(seq);
        expect(trailerKind(k, 2)).toBe(kind);
      }
    }
  });

  it('the largest sequence fills the top 53 bits of the trailer exactly', () => {
    const t = Buffer.alloc(8);
    putTrailer(t, 0, MAX_SEQUENCE, ValueKind.Value);
    expect([...t]).toEqual([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
  });

  it('putTrailer writes at an offset and touches nothing else', () => {
    const b = Buffer.alloc(12, 0xaa);
    putTrailer(b, 2, 300, ValueKind.Deletion);
    expect([...b.subarray(0, 2)]).toEqual([0xaa, 0xaa]);
    expect([...b.subarray(10)]).toEqual([0xaa, 0xaa]);
    expect(trailerSequence(b, 2)).toBe(300);
    expect(trailerKind(b, 2)).toBe(ValueKind.Deletion);
  });

  it('userKeyOf is a view of the user key (empty user keys included)', () => {
    const k = makeInternalKey(Buffer.from('key'), 5, ValueKind.Value);
    const u = userKeyOf(k);
    expect(Buffer.from(u).toString()).toBe('key');
    expect(u.buffer).toBe(k.buffer);
    const e = makeInternalKey(Buffer.alloc(0), 9, ValueKind.Value);
    expect(e.length).toBe(TRAILER_SIZE);
    expect(userKeyOf(e).length).toBe(0);
    expect(sequenceOf(e)).toBe(9);
  });

  it('makeInternalKey copies the user key (later changes to the source do not leak in)', () => {
    const src = Buffer.from('abc');
    const k = makeInternalKey(src, 1, ValueKind.Value);
    src[0] = 0x7a;
    expect(Buffer.from(userKeyOf(k)).toString()).toBe('abc');
  });
});
