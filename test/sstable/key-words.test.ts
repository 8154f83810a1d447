/**
 * key-words: the word-based index search, and the binary searches of block-iterator (which skip the prefix a block's
 * keys share), must answer exactly like a linear scan, for key sets built
 * to break a fast path: long shared prefixes (so the words start deep in the key), user keys longer than the 16
 * word bytes that differ only after them, keys that differ only by trailing zero bytes (equal padded words),
 * empty user keys, many versions of one user key, targets before / inside / after the prefix range and at every
 * entry. A table whose index is searched this way must also answer get() like the model, at block boundaries.
 */

import { describe, expect, it } from 'vitest';
import { compareInternalKeys } from '../../src/base/comparator.js';
import { KIND_FOR_SEEK, MAX_SEQUENCE, ValueKind, makeInternalKey } from '../../src/base/internal-key.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { lastAtOrBefore, lowerBound } from '../../src/sstable/block-iterator.js';
import { buildKeyWords, lowerBoundWords } from '../../src/sstable/key-words.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import type { ModelEntry } from './helpers.js';
import { MemRandomAccessFile, buildTable, modelGet, newStats, randomBytes, rng } from './helpers.js';

/** A sorted, distinct list of internal keys over user keys drawn by `userKey`, up to 3 versions each. */
function internalKeys(r: () => number, count: number, userKey: () => Buffer): Buffer[] {
  const seen = new Set<string>();
  const out: Buffer[] = [];
  while (out.length < count) {
    const u = userKey();
    const versions = 1 + Math.floor(r() * 3);
    for (let v = 0; v < versions; v++) {
      const ik = makeInternalKey(u, 1 + Math.floor(r() * 1000), r() < 0.5 ? ValueKind.Value : ValueKind.Deletion);
      const h = ik.toString('hex');
      if (!seen.has(h)) {
        seen.add(h);
        out.push(ik);
      }
    }
  }
  return out.sort(compareInternalKeys);
}

/** A block with the given keys (values are the key index) decoded by the TypeScript codec. */
function decodedIndex(keys: Buffer[]) {
  const keyOffsets = new Uint32Array(keys.length + 1);
  const valueOffsets = new Uint32Array(keys.length + 1);
  keys.forEach((k, i) => {
    keyOffsets[i + 1] = keyOffsets[i]! + k.length;
    valueOffsets[i + 1] = valueOffsets[i]! + 1;
  });
  const block = tsCodec.encodeBlock(
    { count: keys.length, keys: Buffer.concat(keys), keyOffsets, values: Buffer.alloc(keys.length), valueOffsets },
    1,
  );
  const d = tsCodec.decodeBlock(block);
  if (typeof d === 'number') throw new Error(`decode status ${d}`);
  return d;
}

const PREFIX = Buffer.from('0000000000shared-prefix/');

const SHAPES: Array<[string, (r: () => number) => Buffer]> = [
  ['short random keys', (r) => randomBytes(r, Math.floor(r() * 6), 4)],
  ['long shared prefix, short tails', (r) => Buffer.concat([PREFIX, randomBytes(r, Math.floor(r() * 5), 3)])],
  [
    'tails longer than the words, differing only after them',
    (r) => Buffer.concat([PREFIX, Buffer.alloc(16, 7), randomBytes(r, Math.floor(r() * 4), 3)]),
  ],
  ['trailing zero bytes (equal padded words)', (r) => Buffer.concat([Buffer.from('ab'), Buffer.alloc(Math.floor(r() * 20))])],
  ['decimal keys like the benchmark', (r) => Buffer.from(String(Math.floor(r() * 2e6) * 2).padStart(16, '0'))],
  ['empty and one-byte keys', (r) => (r() < 0.3 ? Buffer.alloc(0) : randomBytes(r, 1, 3))],
];

describe('lowerBoundWords', () => {
  for (const [name, shape] of SHAPES) {
    it(`agrees with lowerBound: ${name}`, () => {
      const r = rng(name.length * 131);
      for (let round = 0; round < 8; round++) {
        const keys = internalKeys(r, 1 + Math.floor(r() * 60), () => shape(r));
        const block = decodedIndex(keys);
        const kw = buildKeyWords(block);
        const targets: Array<[Buffer, number]> = [];
        for (const k of keys) {
          const u = k.subarray(0, k.length - 8);
          for (const seq of [MAX_SEQUENCE, 0, 500]) targets.push([u, seq]);
        }
        for (let i = 0; i < 40; i++) targets.push([shape(r), Math.floor(r() * 1200)]);
        targets.push([Buffer.alloc(0), MAX_SEQUENCE], [Buffer.from([0xff, 0xff, 0xff]), 0], [PREFIX, 3]);
        targets.push([Buffer.concat([PREFIX, Buffer.alloc(40, 0xff)]), 9]);
        for (const [u, seq] of targets) {
          const target = makeInternalKey(u, seq, KIND_FOR_SEEK);
          // Linear references: the binary searches skip a shared prefix, the word search skips it too.
          const first = keys.findIndex((k) => compareInternalKeys(k, target) >= 0);
          const expected = first < 0 ? keys.length : first;
          const what = `${u.toString('hex')}@${seq}`;
          expect(lowerBound(block, target), what).toBe(expected);
          expect(lowerBoundWords(block, kw, u, target), what).toBe(expected);
          // An iterator's seek passes the target itself with the user key's length.
          expect(lowerBoundWords(block, kw, target, target, u.length), what).toBe(expected);
          expect(lastAtOrBefore(block, target), what).toBe(keys.findLastIndex((k) => compareInternalKeys(k, target) <= 0));
        }
      }
    });
  }

  it('keeps the shared prefix out of the words', () => {
    const keys = ['0000000012', '0000000034', '0000000056'].map((u) => makeInternalKey(Buffer.from(u), 1, 1));
    const kw = buildKeyWords(decodedIndex(keys));
    expect(kw.prefixLen).toBe(8);
    expect([...kw.tailLens]).toEqual([2, 2, 2]);
    // '12' big-endian, zero padded, sign bit flipped.
    expect(kw.words[0]).toBe((0x31320000 ^ 0x80000000) | 0);
  });
});

describe('TableReader.get through the word index', () => {
  /** Many small blocks so that versions of one user key straddle block boundaries. */
  for (const [name, shape] of SHAPES) {
    it(`answers like the model: ${name}`, () => {
      const r = rng(name.length * 977);
      const model: ModelEntry[] = [];
      let seq = 1;
      const users = new Map<string, Buffer>();
      for (let i = 0; i < 400 && users.size < 150; i++) {
        const u = shape(r);
        users.set(u.toString('hex'), u);
      }
      for (const u of users.values()) {
        const versions = 1 + Math.floor(r() * 5);
        for (let v = 0; v < versions; v++) {
          const kind = r() < 0.2 ? ValueKind.Deletion : ValueKind.Value;
          const s = (seq += 2);
          const value = kind === ValueKind.Value ? randomBytes(r, Math.floor(r() * 40)) : Buffer.alloc(0);
          model.push({ userKey: u, seq: s, kind, ikey: makeInternalKey(u, s, kind), value });
        }
      }
      model.sort((a, b) => compareInternalKeys(a.ikey, b.ikey));
      const { bytes } = buildTable(model, { blockSize: 64, blockRestartInterval: 2 });
      const t = TableReader.open(new MemRandomAccessFile(bytes), 't.sst', 1, tsCodec, undefined, newStats());
      expect(t.numBlocks).toBeGreaterThan(4);
      const hex = (v: Buffer | null | undefined) => (v == null ? v : v.toString('hex'));
      for (const e of model) {
        for (const s of [MAX_SEQUENCE, e.seq, e.seq - 1, e.seq + 1, 0]) {
          expect(hex(t.get(e.userKey, s)), `${e.userKey.toString('hex')}@${s}`).toBe(hex(modelGet(model, e.userKey, s)));
        }
      }
      for (let i = 0; i < 200; i++) {
        const u = shape(r);
        expect(hex(t.get(u, MAX_SEQUENCE))).toBe(hex(modelGet(model, u, MAX_SEQUENCE)));
      }
      t.close();
    });
  }
});
