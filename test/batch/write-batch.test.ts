import { describe, expect, it } from 'vitest';
import { putFixed32, putFixed64 } from '../../src/base/coding.js';
import { ErrorCode, LsmkvError } from '../../src/base/errors.js';
import {
  BATCH_HEADER_SIZE,
  WriteBatch,
  batchCount,
  batchFirstSequence,
  forEachBatchOp,
} from '../../src/batch/write-batch.js';
import { prng } from '../helpers/model.js';
import { expectCorruption } from '../log/expect-corruption.js';

type Op = [kind: number, key: string, value: string, seq: number];

function ops(payload: Uint8Array): Op[] {
  const out: Op[] = [];
  forEachBatchOp(payload, (kind, key, value, seq) =>
    out.push([kind, Buffer.from(key).toString('hex'), Buffer.from(value).toString('hex'), seq]),
  );
  return out;
}

function hex(s: string): string {
  return Buffer.from(s).toString('hex');
}

function corruptionOf(payload: Uint8Array): LsmkvError {
  return expectCorruption(() => forEachBatchOp(payload, () => {}, '000009.log', 4096), '000009.log', 4096);
}

describe('WriteBatch encoding', () => {
  it('encodes the documented layout byte for byte', () => {
    const b = new WriteBatch().put(Buffer.from('k'), Buffer.from('vv')).delete(Buffer.from('dd'));
    const p = Buffer.from(b.payload(0x1_0000_0002));
    expect(p.toString('hex')).toBe(
      '0200000001000000' + // fixed64 first sequence
        '02000000' + // fixed32 count
        '01' + '01' + '6b' + '02' + '7676' + // put k -> vv
        '00' + '02' + '6464', // delete dd
    );
    expect(b.byteLength).toBe(p.length);
    expect(batchFirstSequence(p)).toBe(0x1_0000_0002);
    expect(batchCount(p)).toBe(2);
  });

  it('an empty batch is just the header', () => {
    const b = new WriteBatch();
    expect(b.count).toBe(0);
    expect(b.byteLength).toBe(BATCH_HEADER_SIZE);
    expect(forEachBatchOp(b.payload(7), () => {})).toEqual({ firstSeq: 7, count: 0 });
  });

  it('round-trips random batches, growing the buffer, with sequence firstSeq + i per op', () => {
    const rnd = prng(11);
    for (let round = 0; round < 50; round++) {
      const b = new WriteBatch(16);
      const expected: Op[] = [];
      const first = Math.floor(rnd() * 2 ** 52);
      const n = Math.floor(rnd() * 40);
      for (let i = 0; i < n; i++) {
        const key = Buffer.from(Array.from({ length: Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256)));
        if (rnd() < 0.3) {
          b.delete(key);
          expected.push([0, key.toString('hex'), '', first + i]);
        } else {
          const value = Buffer.alloc(Math.floor(rnd() * (rnd() < 0.1 ? 20000 : 50)), i);
          b.put(key, value);
          expected.push([1, key.toString('hex'), value.toString('hex'), first + i]);
        }
      }
      expect(b.count).toBe(n);
      const p = b.payload(first);
      expect(p.length).toBe(b.byteLength);
      expect(ops(p)).toEqual(expected);
    }
  });

  it('copies keys and values in: later mutation of the caller buffers changes nothing', () => {
    const k = Buffer.from('key');
    const v = Buffer.from('value');
    const b = new WriteBatch().put(k, v);
    k.fill(0);
    v.fill(0);
    expect(ops(b.payload(1))).toEqual([[1, hex('key'), hex('value'), 1]]);
  });

  it('payload patches the header in place and stays a view until the batch changes', () => {
    const b = new WriteBatch().put(Buffer.from('a'), Buffer.from('1'));
    const p1 = b.payload(5);
    expect(batchFirstSequence(p1)).toBe(5);
    b.payload(9);
    expect(batchFirstSequence(p1)).toBe(9);
  });

  it('payload reflects every change made after an earlier payload call', () => {
    const b = new WriteBatch(16).put(Buffer.from('a'), Buffer.from('1'));
    expect(ops(b.payload(1))).toHaveLength(1);
    b.delete(Buffer.from('b'));
    expect(ops(b.payload(1))).toHaveLength(2);
    b.append(new WriteBatch().put(Buffer.from('c'), Buffer.alloc(64)));
    expect(ops(b.payload(1))).toHaveLength(3);
    b.clear();
    expect(ops(b.payload(1))).toHaveLength(0);
    b.put(Buffer.from('d'), Buffer.from('4'));
    expect(ops(b.payload(1))).toEqual([[1, hex('d'), hex('4'), 1]]);
  });

  it('a reused batch of the same length returns the right payload, also when its buffer grew in between', () => {
    // db.put reuses one batch: same length put after put, so payload() hands back its last view. Here the
    // second fill has the same length but needed a bigger buffer (append reserves exactly, put reserves 17 bytes
    // of varint room).
    const b = new WriteBatch(256);
    b.append(new WriteBatch().put(Buffer.from('k1'), Buffer.alloc(100, 1)).put(Buffer.from('k2'), Buffer.alloc(127, 2)));
    expect(b.byteLength).toBe(249);
    const first = b.payload(1);
    expect(ops(first).map((o) => o[1])).toEqual([hex('k1'), hex('k2')]);
    b.clear();
    b.put(Buffer.from('k3'), Buffer.alloc(231, 3));
    expect(b.byteLength).toBe(249);
    expect(ops(b.payload(7))).toEqual([[1, hex('k3'), Buffer.alloc(231, 3).toString('hex'), 7]]);
    for (let i = 0; i < 3; i++) {
      b.clear();
      b.put(Buffer.from(`k${4 + i}`), Buffer.alloc(231, 4 + i));
      expect(ops(b.payload(10 + i))).toEqual([[1, hex(`k${4 + i}`), Buffer.alloc(231, 4 + i).toString('hex'), 10 + i]]);
    }
  });

  it('clear empties the batch and allows reuse', () => {
    const b = new WriteBatch().put(Buffer.from('a'), Buffer.from('1')).delete(Buffer.from('b'));
    b.clear();
    expect(b.count).toBe(0);
    expect(b.byteLength).toBe(BATCH_HEADER_SIZE);
    b.delete(Buffer.from('c'));
    expect(ops(b.payload(3))).toEqual([[0, hex('c'), '', 3]]);
  });

  it('append concatenates the ops of another batch and leaves it unchanged', () => {
    const a = new WriteBatch(16).put(Buffer.from('a'), Buffer.from('1'));
    const other = new WriteBatch().delete(Buffer.from('b')).put(Buffer.from('c'), Buffer.alloc(100, 7));
    a.append(other);
    a.append(new WriteBatch());
    expect(a.count).toBe(3);
    expect(ops(a.payload(10))).toEqual([
      [1, hex('a'), hex('1'), 10],
      [0, hex('b'), '', 11],
      [1, hex('c'), Buffer.alloc(100, 7).toString('hex'), 12],
    ]);
    expect(ops(other.payload(1))).toEqual([
      [0, hex('b'), '', 1],
      [1, hex('c'), Buffer.alloc(100, 7).toString('hex'), 2],
    ]);
  });

  it('accepts empty keys and values', () => {
    const b = new WriteBatch().put(new Uint8Array(0), new Uint8Array(0)).delete(new Uint8Array(0));
    expect(ops(b.payload(1))).toEqual([
      [1, '', '', 1],
      [0, '', '', 2],
    ]);
  });
});

describe('forEachBatchOp rejects malformed payloads with CORRUPTION naming file and offset', () => {
  const good = Buffer.from(new WriteBatch().put(Buffer.from('key'), Buffer.from('value')).delete(Buffer.from('k2')).payload(100));

  it('a payload shorter than the header', () => {
    for (let n = 0; n < BATCH_HEADER_SIZE; n++) {
      expect(corruptionOf(good.subarray(0, n)).message).toContain('12-byte header');
    }
  });

  it('every truncation of the ops', () => {
    for (let n = BATCH_HEADER_SIZE; n < good.length; n++) corruptionOf(good.subarray(0, n));
  });

  it('trailing bytes after the counted ops', () => {
    expect(corruptionOf(Buffer.concat([good, Buffer.from([0])])).message).toContain('1 bytes after the last of 2 ops');
  });

  it('a count larger or smaller than the ops present', () => {
    const more = Buffer.from(good);
    putFixed32(more, 8, 3);
    expect(corruptionOf(more).message).toContain('batch holds 2 ops, header says 3');
    const fewer = Buffer.from(good);
    putFixed32(fewer, 8, 1);
    corruptionOf(fewer);
  });

  it('an unknown op kind', () => {
    const bad = Buffer.from(good);
    bad[BATCH_HEADER_SIZE] = 2;
    expect(corruptionOf(bad).message).toContain('unknown op kind 2');
  });

  it('a key or value length running past the end (including an overlong varint)', () => {
    const key = Buffer.from(good);
    key[BATCH_HEADER_SIZE + 1] = 0x7f;
    expect(corruptionOf(key).message).toContain('key length');
    const value = Buffer.from(good);
    value[BATCH_HEADER_SIZE + 5] = 0x40;
    expect(corruptionOf(value).message).toContain('value length');
    const overlong = Buffer.concat([good.subarray(0, 12), Buffer.from([0]), Buffer.alloc(9, 0xff)]);
    putFixed32(overlong, 8, 1);
    corruptionOf(overlong);
  });

  it('sequence numbers beyond 2^53', () => {
    const hi = Buffer.from(good);
    putFixed32(hi, 4, 0x20_0000);
    expect(corruptionOf(hi).message).toContain('exceeds 2^53');
    const range = Buffer.from(good);
    putFixed64(range, 0, Number.MAX_SAFE_INTEGER);
    expect(corruptionOf(range).message).toContain('overflows');
    const edge = Buffer.from(good);
    putFixed64(edge, 0, Number.MAX_SAFE_INTEGER - 1);
    expect(forEachBatchOp(edge, () => {})).toEqual({ firstSeq: Number.MAX_SAFE_INTEGER - 1, count: 2 });
  });

  it('random single-byte damage never throws anything but CORRUPTION', () => {
    const rnd = prng(5);
    for (let i = 0; i < 500; i++) {
      const bad = Buffer.from(good);
      bad[Math.floor(rnd() * bad.length)] = Math.floor(rnd() * 256);
      try {
        forEachBatchOp(bad, () => {});
      } catch (e) {
        expect((e as LsmkvError).code).toBe(ErrorCode.CORRUPTION);
      }
    }
  });
});
