/**
 * Parity of the native memtable link (Codec.linkStaged, native/skiplist-link.cc) with its TypeScript twin
 * (MemTable.linkStaged): two memtables fed the same ops, one linking natively, must end byte-identical (link
 * array, arena chunks, height, count) for seeded random batches, sequential and reversed keys, duplicate user keys
 * with different sequences, long keys sharing 16-byte prefixes, empty keys and tiny chunks. Damaged link arrays
 * and wrong arguments give the mirrored status as a RangeError, never a crash. The status numbers in
 * skiplist-link.h match SkipListStatus in native-codec.ts. Likewise the native batch stager (Codec.stageBatch)
 * against stage() per op: the whole memtable byte-identical, also with tiny chunks that make it stop and resume
 * and with dedicated chunks; a malformed payload stages nothing.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_SEQUENCE, ValueKind } from '../../src/base/internal-key.js';
import { forEachBatchOp, WriteBatch } from '../../src/batch/write-batch.js';
import { type NativeBinding, SkipListStatus, createNativeCodec } from '../../src/codec/native-codec.js';
import { MemTable, type MemTableImage, type MemTableOptions } from '../../src/memtable/memtable.js';
import { prng } from '../helpers/model.js';
import { loadNativeForTests } from './load-native.js';

const native = loadNativeForTests('skiplist parity');
const linker = native?.linkStaged;

interface Op {
  seq: number;
  kind: number;
  key: Uint8Array;
  value: Uint8Array;
}

/** Applies batches (each staged then linked; a batch of one op is sometimes add()ed instead) to a memtable. */
function apply(batches: readonly Op[][], options: MemTableOptions, addSingles: boolean): MemTable {
  const mt = new MemTable(options);
  for (const b of batches) {
    if (addSingles && b.length === 1) {
      const o = b[0]!;
      mt.add(o.seq, o.kind, o.key, o.value);
      continue;
    }
    for (const o of b) mt.stage(o.seq, o.kind, o.key, o.value);
    mt.linkStaged();
  }
  mt.freeze();
  return mt;
}

function bytesOf(image: MemTableImage): { links: Buffer; chunks: Buffer[]; rest: number[] } {
  return {
    links: Buffer.from(new Uint8Array(image.links, 0, image.linksUsed * 4)),
    chunks: image.arena.chunks.map((c) => Buffer.from(new Uint8Array(c))),
    rest: [image.linksUsed, image.height, image.count, image.arena.usedBytes],
  };
}

/** The two memtables (TypeScript link, native link) over the same batches; asserts they are byte-identical. */
function expectParity(batches: readonly Op[][], chunkSize?: number, addSingles = false): MemTable {
  const ts = apply(batches, { chunkSize }, addSingles);
  const nat = apply(batches, { chunkSize, linker: linker! }, addSingles);
  expectSameBytes(ts, nat);
  return nat;
}

/** Frozen memtables a and b hold the same bytes: link array in use, arena chunks, height, count, sizes. */
function expectSameBytes(ts: MemTable, nat: MemTable): void {
  const a = bytesOf(ts.image());
  const b = bytesOf(nat.image());
  expect(b.rest).toEqual(a.rest);
  expect(b.links.equals(a.links)).toBe(true);
  expect(b.chunks.length).toBe(a.chunks.length);
  b.chunks.forEach((c, i) => expect(c.equals(a.chunks[i]!)).toBe(true));
}

/** Splits ops into batches of random sizes in [1, maxBatch]. */
function batched(ops: Op[], rnd: () => number, maxBatch: number): Op[][] {
  const out: Op[][] = [];
  for (let i = 0; i < ops.length; ) {
    const n = 1 + Math.floor(rnd() * maxBatch);
    out.push(ops.slice(i, i + n));
    i += n;
  }
  return out;
}

function randomKey(rnd: () => number, prefix: Uint8Array, maxExtra: number, alphabet: number): Uint8Array {
  const len = Math.floor(rnd() * (maxExtra + 1));
  const k = new Uint8Array(prefix.length + len);
  k.set(prefix);
  for (let i = 0; i < len; i++) k[prefix.length + i] = Math.floor(rnd() * alphabet) * (256 / alphabet);
  return k;
}

/** n ops with keys from makeKey, sequences 1.. in order, some deletions, values of 0..30 bytes. */
function ops(n: number, rnd: () => number, makeKey: (i: number) => Uint8Array, firstSeq = 1): Op[] {
  const out: Op[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd() < 0.15 ? ValueKind.Deletion : ValueKind.Value;
    const value = kind === ValueKind.Value ? Buffer.alloc(Math.floor(rnd() * 31), i & 0xff) : new Uint8Array(0);
    out.push({ seq: firstSeq + i, kind, key: makeKey(i), value });
  }
  return out;
}

const dec = (i: number): Buffer => Buffer.from(String(i).padStart(16, '0'));

describe.skipIf(linker === undefined)('native linkStaged parity with MemTable.linkStaged', () => {
  it('seeded random keys (short, long, empty, shared prefixes) in random batch sizes, with and without add()', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const rnd = prng(seed);
      const prefixes = [new Uint8Array(0), Buffer.from('0000000000000000'), Buffer.from('k'), Buffer.alloc(20, 7)];
      const all = ops(3000, rnd, () => randomKey(rnd, prefixes[Math.floor(rnd() * 4)]!, 24, seed % 2 ? 4 : 256));
      expectParity(batched(all, rnd, seed < 4 ? 300 : 5), undefined, seed % 2 === 0);
    }
  });

  it('sequential and reversed db_bench keys, in batches of 1000 and of 1', () => {
    const rnd = prng(7);
    const seq = ops(5000, rnd, dec);
    const rev = ops(5000, rnd, (i) => dec(5000 - i));
    expectParity(batched(seq, () => 0.999, 1000));
    expectParity(batched(rev, () => 0.999, 1000));
    expectParity(batched(seq.slice(0, 500), () => 0, 1));
  });

  it('duplicate user keys with different sequences, inside one batch and across batches', () => {
    const rnd = prng(8);
    const all = ops(4000, rnd, () => dec(Math.floor(rnd() * 50)));
    const mt = expectParity(batched(all, rnd, 400));
    // The newest version of each key wins in the natively linked memtable.
    const newest = new Map<string, Op>();
    for (const o of all) newest.set(Buffer.from(o.key).toString(), o);
    for (const [k, o] of newest) {
      const want = o.kind === ValueKind.Deletion ? null : Buffer.from(o.value);
      expect(mt.get(Buffer.from(k), MAX_SEQUENCE)).toEqual(want);
    }
  });

  it('long keys sharing their first 16 bytes (and prefixes of each other), and empty keys', () => {
    const rnd = prng(9);
    const base = Buffer.from('same-16-byte-pre');
    const all = ops(3000, rnd, (i) => (i % 17 === 0 ? new Uint8Array(0) : randomKey(rnd, base, 6, 2)));
    expectParity(batched(all, rnd, 250));
  });

  it('tiny chunks (1 KiB) and values big enough for dedicated chunks', () => {
    const rnd = prng(10);
    const all = ops(2000, rnd, () => randomKey(rnd, new Uint8Array(0), 30, 16));
    for (let i = 0; i < all.length; i += 97) all[i] = { ...all[i]!, kind: ValueKind.Value, value: Buffer.alloc(600, 1) };
    expectParity(batched(all, rnd, 64), 1024);
  });

  it('sequences above 2^32 (trailer high word) order as in TypeScript', () => {
    const rnd = prng(11);
    const all = ops(2000, rnd, () => dec(Math.floor(rnd() * 30)), 2 ** 40);
    expectParity(batched(all, rnd, 200));
  });
});

describe.skipIf(linker === undefined)('native linkStaged on damaged input', () => {
  /** A memtable with `n` staged nodes and its internals, for corrupting. */
  function staged(n: number, reversed = false): { links: Int32Array; staged: Int32Array; chunks: Uint8Array[] } {
    const mt = new MemTable();
    for (let i = 0; i < 50; i++) mt.add(i + 1, ValueKind.Value, dec(i * 2), Buffer.from('v'));
    for (let i = 0; i < n; i++) {
      mt.stage(100 + i, ValueKind.Value, dec((reversed ? n - i : i) * 2 + 1), Buffer.from('w'));
    }
    const inner = mt as unknown as { links: Int32Array; staged: Int32Array; arena: { chunks: Uint8Array[] } };
    return { links: inner.links, staged: inner.staged, chunks: inner.arena.chunks };
  }
  const fail = (fn: () => unknown, status: number): void => {
    const messages: Record<number, RegExp> = {
      [SkipListStatus.BAD_ARGUMENTS]: /expected/,
      [SkipListStatus.BAD_STAGED_NODE]: /staged node/,
      [SkipListStatus.BAD_LINKED_NODE]: /linked node/,
    };
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(messages[status]!);
  };

  it('rejects wrong argument types, counts and heights', () => {
    const s = staged(5);
    fail(() => linker!(new Float64Array(4) as never, s.staged, 5, 1, s.chunks), SkipListStatus.BAD_ARGUMENTS);
    fail(() => linker!(s.links, s.staged, s.staged.length + 1, 1, s.chunks), SkipListStatus.BAD_ARGUMENTS);
    fail(() => linker!(s.links, s.staged, 5, 13, s.chunks), SkipListStatus.BAD_ARGUMENTS);
    fail(() => linker!(s.links, s.staged, 5, 0, s.chunks), SkipListStatus.BAD_ARGUMENTS);
    fail(() => linker!(s.links, s.staged, 1.5, 1, s.chunks), SkipListStatus.BAD_ARGUMENTS);
    fail(() => linker!(s.links, s.staged, 5, 1, {} as never), SkipListStatus.BAD_ARGUMENTS);
  });

  it('rejects staged nodes outside the link array, with bad heights, chunks or key ranges', () => {
    const cases: ((s: ReturnType<typeof staged>) => void)[] = [
      (s) => (s.staged[2] = s.links.length - 3),
      (s) => (s.staged[2] = -9),
      (s) => (s.links[s.staged[1]! + 4] = 13),
      (s) => (s.links[s.staged[1]! + 0] = 99),
      (s) => (s.links[s.staged[1]! + 1] = s.chunks[0]!.length),
      (s) => (s.links[s.staged[1]! + 2] = 3),
      (s) => (s.chunks[0] = new Int8Array(4) as never),
    ];
    for (const corrupt of cases) {
      const s = staged(5);
      corrupt(s);
      fail(() => linker!(s.links, s.staged, 5, 12, s.chunks), SkipListStatus.BAD_STAGED_NODE);
    }
  });

  // Sorted staged nodes take the finger search, unsorted ones the interleaved searches: both check every node.
  it.each([false, true])('rejects a linked node outside the link array or its chunk (staged reversed: %s)', (rev) => {
    for (const bad of [(s: ReturnType<typeof staged>) => s.links.length + 5, () => -4]) {
      const s = staged(3, rev);
      for (let l = 0; l < 12; l++) s.links[9 + l] = bad(s); // the head's successors
      fail(() => linker!(s.links, s.staged, 3, 12, s.chunks), SkipListStatus.BAD_LINKED_NODE);
    }
    const s = staged(3, rev);
    // Every linked node's chunk index out of range: the first tie on key words reads one.
    const words = s.links.slice(s.staged[0]! + 5, s.staged[0]! + 9);
    for (let p = s.links[9]!; p !== 0; p = s.links[p + 9]!) s.links.set(words, p + 5);
    for (let p = s.links[9]!; p !== 0; p = s.links[p + 9]!) s.links[p + 0] = 77;
    fail(() => linker!(s.links, s.staged, 3, 12, s.chunks), SkipListStatus.BAD_LINKED_NODE);
  });
});

const stager = native?.stageBatch;

/** Encoded batch payloads of the given op batches (op i of a batch gets firstSeq + i, as the db numbers them). */
function payloadsOf(batches: readonly Op[][]): Uint8Array[] {
  return batches.map((b) => {
    const wb = new WriteBatch();
    for (const o of b) {
      if (o.kind === ValueKind.Value) wb.put(o.key, o.value);
      else wb.delete(o.key);
    }
    return Buffer.from(wb.payload(b[0]!.seq));
  });
}

/** TypeScript (forEachBatchOp + stage, JS link) against native (stageBatch + native link): byte-identical. */
function expectStageParity(batches: readonly Op[][], chunkSize?: number): MemTable {
  const payloads = payloadsOf(batches);
  const ts = new MemTable({ chunkSize });
  const nat = new MemTable({ chunkSize, linker: linker!, stager: stager! });
  for (const p of payloads) {
    forEachBatchOp(p, (kind, key, value, seq) => ts.stage(seq, kind, key, value));
    ts.linkStaged();
    expect(nat.stageBatch(p)).toBe(true);
    nat.linkStaged();
  }
  ts.freeze();
  nat.freeze();
  expectSameBytes(ts, nat);
  return nat;
}

describe.skipIf(stager === undefined)('native stageBatch parity with stage() per op', () => {
  it('seeded random batches: short, long, empty keys, deletions, values of 0..30 bytes', () => {
    for (const seed of [21, 22, 23]) {
      const rnd = prng(seed);
      const all = ops(3000, rnd, () => randomKey(rnd, Buffer.from('0000000000000000'), 12, 8));
      expectStageParity(batched(all, rnd, 400));
    }
  });

  it('tiny chunks: batches that fill several chunks, values big enough for dedicated chunks, 2^40 sequences', () => {
    const rnd = prng(24);
    const all = ops(3000, rnd, () => randomKey(rnd, new Uint8Array(0), 20, 16), 2 ** 40);
    for (let i = 0; i < all.length; i += 31) {
      all[i] = { ...all[i]!, kind: ValueKind.Value, value: Buffer.alloc(200 + (i % 500), i & 0xff) };
    }
    const mt = expectStageParity(batched(all, rnd, 300), 1024);
    expect(mt.image().arena.chunks.length).toBeGreaterThan(100);
  });

  it('sequential db_bench batches of 1000 (100-byte values), and single-op batches', () => {
    const rnd = prng(25);
    const all = ops(6000, rnd, dec).map((o) => ({ ...o, kind: ValueKind.Value, value: Buffer.alloc(100, 7) }));
    expectStageParity(batched(all, () => 0.999, 1000));
    expectStageParity(batched(all.slice(0, 300), () => 0, 1));
  });

  it('a malformed payload stages nothing and returns false (forEachBatchOp then reports it)', () => {
    const [good] = payloadsOf([ops(20, prng(26), dec)]);
    const damaged: Uint8Array[] = [
      good!.subarray(0, good!.length - 1),
      Buffer.concat([good!, Buffer.of(0)]),
      good!.subarray(0, 11),
      Buffer.from(good!).fill(7, 12, 13),
      Buffer.from(good!).fill(0xff, 4, 8),
      Buffer.from(good!).fill(0xff, 8, 12),
    ];
    for (const p of damaged) {
      const mt = new MemTable({ linker: linker!, stager: stager! });
      const before = mt.approximateBytes;
      expect(mt.stageBatch(p)).toBe(false);
      mt.linkStaged();
      expect(mt.count).toBe(0);
      expect(mt.approximateBytes).toBe(before);
      expect(() => forEachBatchOp(p, () => {})).toThrow(/batch/);
    }
    expect(new MemTable().stageBatch(good!)).toBe(false);
  });

  it('rejects wrong arguments with BAD_ARGUMENTS', () => {
    const [good] = payloadsOf([ops(5, prng(27), dec)]);
    const st = new Int32Array(7);
    const links = new Int32Array(4096);
    const staged = new Int32Array(16);
    const chunk = new Uint8Array(1024);
    st.set([12, 0, 1, 21, 0, 0, 0]);
    expect(stager!(good!, st, links, staged, chunk)).toBe(1);
    const bad: [Uint8Array, Int32Array, Int32Array, Int32Array, Uint8Array][] = [
      [good!, new Int32Array(6), links, staged, chunk],
      [good!, Int32Array.of(12, 0, 1, 5, 0, 0, 0), links, staged, chunk],
      [good!, Int32Array.of(12, 0, 1, 21, 17, 0, 0), links, staged, chunk],
      [good!, Int32Array.of(12, 0, 1, 21, 0, 0, 2000), links, staged, chunk],
      [good!, Int32Array.of(9, 0, 1, 21, 0, 0, 0), links, staged, chunk],
      [good!, st, new Uint32Array(8) as never, staged, chunk],
    ];
    for (const args of bad) expect(() => stager!(...args)).toThrow(/native stageBatch: expected/);
  });
});

describe('a binary built before the memtable calls', () => {
  it('gives a native codec without linkStaged/stageBatch, so memtables stay in TypeScript', () => {
    const old = createNativeCodec({} as NativeBinding);
    expect(old.linkStaged).toBeUndefined();
    expect(old.stageBatch).toBeUndefined();
    const mt = new MemTable({ linker: old.linkStaged, stager: old.stageBatch });
    expect(mt.stageBatch(payloadsOf([ops(3, prng(28), dec)])[0]!)).toBe(false);
  });
});

describe('native/skiplist-link.h status numbers', () => {
  it('match SkipListStatus in native-codec.ts', () => {
    const header = readFileSync(new URL('../../native/skiplist-link.h', import.meta.url), 'utf8');
    const body = /enum class SkipListStatus : int32_t \{([^}]*)\}/.exec(header)?.[1] ?? '';
    const parsed: Record<string, number> = {};
    for (const m of body.matchAll(/k(\w+) = (-?\d+),/g)) {
      if (m[1] !== 'Ok') parsed[m[1]!.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()] = Number(m[2]);
    }
    expect(parsed).toEqual({ ...SkipListStatus });
  });
});
