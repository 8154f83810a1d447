/**
 * Runs (flat-cursor): consuming entries straight from a block's arrays, run by run, must visit exactly the entries
 * next()/prev() visit. Real block and table iterators over hand-built blocks of random sizes, merged with each
 * other, with a level (concatenating iterator) and with a child that has no flat view; runs consumed partly and
 * wholly, crossing block, table and child boundaries, in both directions, mixed with plain steps and seeks.
 */
import { describe, expect, it } from 'vitest';
import { compareInternalKeys } from '../../src/base/comparator.js';
import type { InternalIterator } from '../../src/base/iterator.js';
import type { DecodedBlock } from '../../src/codec/codec.js';
import { newArrayIterator } from '../../src/iterator/array-iterator.js';
import { newConcatenatingIterator } from '../../src/iterator/concatenating-iterator.js';
import { type FlatCursor, isFlatCursor } from '../../src/iterator/flat-cursor.js';
import { newMergingIterator } from '../../src/iterator/merging-iterator.js';
import { TableIterator } from '../../src/sstable/table-iterator.js';
import { type Entries, prng, randomEntries } from './model.js';

/** A decoded block holding keys[from, to) and their values, laid out as the codec lays one out. */
function block(e: Entries, from: number, to: number): DecodedBlock {
  const keys = Buffer.concat(e.keys.slice(from, to));
  const keyOffsets = new Uint32Array(to - from + 1);
  for (let i = from; i < to; i++) keyOffsets[i - from + 1] = keyOffsets[i - from]! + e.keys[i]!.length;
  const pad = Buffer.from('xx');
  const parts: Buffer[] = [];
  const valueOffsets = new Uint32Array(2 * (to - from));
  let at = 0;
  for (let i = from; i < to; i++) {
    parts.push(pad, e.values[i]!);
    at += pad.length;
    valueOffsets[2 * (i - from)] = at;
    at += e.values[i]!.length;
    valueOffsets[2 * (i - from) + 1] = at;
  }
  return { count: to - from, keys, keyOffsets, data: Buffer.concat(parts), valueOffsets };
}

/** A table iterator over `e` cut into blocks of 1..4 entries. */
function table(e: Entries, rand: (n: number) => number): TableIterator {
  const blocks: DecodedBlock[] = [];
  for (let i = 0; i < e.keys.length; ) {
    const n = Math.min(e.keys.length - i, 1 + rand(4));
    blocks.push(block(e, i, i + n));
    i += n;
  }
  const lastKeys: Entries = { keys: blocks.map((b) => b.keys.subarray(b.keyOffsets[b.count - 1], b.keyOffsets[b.count])), values: blocks.map(() => Buffer.alloc(0)) };
  const index = block(lastKeys, 0, blocks.length);
  return new TableIterator(index, (i) => blocks[i]!, () => {});
}

/** Deals `model` among children: tables, a level of tables, and a plain array child without a flat view. */
function children(model: Entries, rand: (n: number) => number): InternalIterator[] {
  const n = 2 + rand(3);
  const parts: Entries[] = Array.from({ length: n }, () => ({ keys: [], values: [] }));
  model.keys.forEach((k, i) => {
    const p = parts[rand(n)]!;
    p.keys.push(k);
    p.values.push(model.values[i]!);
  });
  return parts.map((p, c) => {
    if (c === 0) return newArrayIterator(p.keys, p.values);
    if (c === 1 && p.keys.length > 0) {
      // a level: the part cut into 1..3 tables
      const files: Entries[] = [];
      for (let i = 0; i < p.keys.length; ) {
        const m = Math.min(p.keys.length - i, 1 + rand(12));
        files.push({ keys: p.keys.slice(i, i + m), values: p.values.slice(i, i + m) });
        i += m;
      }
      return newConcatenatingIterator(files.length, (i) => files[i]!.keys.at(-1)!, (i) => table(files[i]!, rand));
    }
    return table(p, rand);
  });
}

/** Consumes one run of at most `max` entries (or one plain step), appending what it read to `out`. */
function step(it: FlatCursor, forward: boolean, max: number, out: string[]): void {
  const b = it.flatBlock(forward);
  if (b === undefined) {
    out.push(`${Buffer.from(it.key()).toString('hex')}=${Buffer.from(it.value()).toString('hex')}`);
    if (forward) it.next();
    else it.prev();
    return;
  }
  const lim = it.flatLimit(forward);
  let i = it.flatIndex();
  let end = i;
  let n = 0;
  for (; n < max; n++) {
    if (forward ? i >= b.count : i < 0) break;
    const k = b.keys.subarray(b.keyOffsets[i], b.keyOffsets[i + 1]);
    if (lim !== undefined && compareInternalKeys(k, lim) * (forward ? 1 : -1) >= 0) break;
    const v = b.data.subarray(b.valueOffsets[2 * i], b.valueOffsets[2 * i + 1]);
    out.push(`${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`);
    end = i;
    i += forward ? 1 : -1;
  }
  expect(n).toBeGreaterThan(0); // the current entry always sorts before the limit
  if (forward) it.flatAdvance(end);
  else it.flatRetreat(end);
}

const hex = (e: Entries, i: number): string => `${e.keys[i]!.toString('hex')}=${e.values[i]!.toString('hex')}`;

describe('flat-cursor runs', () => {
  it('visit exactly the entries next()/prev() visit, across blocks, tables, levels and children', () => {
    let runs = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rand = prng(seed);
      const model = randomEntries(rand, 1 + rand(120));
      const merged = newMergingIterator(children(model, rand));
      expect(isFlatCursor(merged)).toBe(true);
      const it = merged as FlatCursor;
      for (let round = 0; round < 6; round++) {
        const forward = rand(2) === 0;
        // start at the first/last entry or at a random entry
        let pos: number;
        if (rand(2) === 0) {
          if (forward) it.seekToFirst();
          else it.seekToLast();
          pos = forward ? 0 : model.keys.length - 1;
        } else {
          pos = rand(model.keys.length);
          if (forward) it.seek(model.keys[pos]!);
          else it.seekForPrev(model.keys[pos]!);
        }
        const got: string[] = [];
        while (it.valid()) {
          const before = got.length;
          step(it, forward, 1 + rand(6), got);
          if (got.length - before > 1) runs++;
        }
        const want: string[] = [];
        for (let i = pos; forward ? i < model.keys.length : i >= 0; i += forward ? 1 : -1) want.push(hex(model, i));
        expect(got).toEqual(want);
      }
      merged.close();
    }
    expect(runs).toBeGreaterThan(500);
  });

  it('offers no run against the heap direction, and runs again after a direction switch', () => {
    const rand = prng(5);
    const model = randomEntries(rand, 60);
    const merged = newMergingIterator(children(model, rand)) as FlatCursor;
    merged.seekToFirst();
    while (merged.valid() && merged.flatBlock(true) === undefined) merged.next();
    expect(merged.flatBlock(false)).toBeUndefined();
    const at = Buffer.from(merged.key());
    merged.prev(); // switches the heap to backward
    if (merged.valid()) {
      expect(merged.flatBlock(true)).toBeUndefined();
      expect(compareInternalKeys(merged.key(), at)).toBeLessThan(0);
    }
    merged.close();
  });
});
