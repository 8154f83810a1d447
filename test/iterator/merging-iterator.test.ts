import { describe, expect, it } from 'vitest';
import { makeInternalKey } from '../../src/base/internal-key.js';
import { newArrayIterator } from '../../src/iterator/array-iterator.js';
import { newMergingIterator } from '../../src/iterator/merging-iterator.js';
import { type Entries, TrackedIterator, checkAgainstModel, prng, randomEntries, scan } from './model.js';

/** Deals the model's entries at random among `n` children (some may stay empty). */
function split(model: Entries, n: number, rand: (n: number) => number): TrackedIterator[] {
  const parts: Entries[] = Array.from({ length: n }, () => ({ keys: [], values: [] }));
  model.keys.forEach((k, i) => {
    const p = parts[rand(n)]!;
    p.keys.push(k);
    p.values.push(model.values[i]!);
  });
  return parts.map((p) => new TrackedIterator(newArrayIterator(p.keys, p.values)));
}

describe('newMergingIterator', () => {
  it('matches the sorted model under random seeks, steps and direction switches', () => {
    let switches = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const model = randomEntries(rand, rand(80));
      const children = split(model, 2 + rand(7), rand);
      const merged = newMergingIterator(children);
      switches += checkAgainstModel(merged, model, rand, 400);
      merged.close();
      merged.close();
      for (const c of children) expect(c.closed).toBe(1);
    }
    expect(switches).toBeGreaterThan(700);
  });

  it('switches direction at every step when interleaving next and prev', () => {
    const rand = prng(7);
    const model = randomEntries(rand, 200);
    const merged = newMergingIterator(split(model, 5, rand));
    const hex = model.keys.map((k) => k.toString('hex'));
    merged.seekToFirst();
    for (let i = 0; i < hex.length - 2; i++) {
      expect(Buffer.from(merged.key()).toString('hex')).toBe(hex[i]);
      merged.next();
      merged.next();
      merged.prev();
    }
    expect(Buffer.from(merged.key()).toString('hex')).toBe(hex[hex.length - 2]);
    // And back down: prev, prev, next from the end.
    merged.seekToLast();
    for (let i = hex.length - 1; i > 1; i--) {
      expect(Buffer.from(merged.key()).toString('hex')).toBe(hex[i]);
      merged.prev();
      merged.prev();
      merged.next();
    }
    expect(Buffer.from(merged.key()).toString('hex')).toBe(hex[1]);
    merged.next();
    merged.prev();
    merged.prev();
    merged.prev();
    expect(merged.valid()).toBe(false);
  });

  it('scans the whole union both ways, with empty children among them', () => {
    const rand = prng(3);
    const model = randomEntries(rand, 150);
    const empty = () => new TrackedIterator(newArrayIterator([], []));
    const merged = newMergingIterator([empty(), ...split(model, 3, rand), empty()]);
    const { forward, backward } = scan(merged);
    const hex = model.keys.map((k) => k.toString('hex'));
    expect(forward).toEqual(hex);
    expect(backward).toEqual([...hex].reverse());
  });

  it('with no child is always invalid; with one child is that child', () => {
    const none = newMergingIterator([]);
    none.seekToFirst();
    expect(none.valid()).toBe(false);
    none.seek(makeInternalKey(Buffer.from('a'), 1, 1));
    expect(none.valid()).toBe(false);
    none.close();
    const only = newArrayIterator([makeInternalKey(Buffer.from('a'), 1, 1)], [Buffer.from('v')]);
    expect(newMergingIterator([only])).toBe(only);
  });

  it('orders versions of one user key newest first across children', () => {
    const k = (seq: number) => makeInternalKey(Buffer.from('k'), seq, 1);
    const a = newArrayIterator([k(9), k(3)], [Buffer.from('9'), Buffer.from('3')]);
    const b = newArrayIterator([k(5)], [Buffer.from('5')]);
    const c = newArrayIterator([k(7), k(1)], [Buffer.from('7'), Buffer.from('1')]);
    const merged = newMergingIterator([a, b, c]);
    const seen: string[] = [];
    for (merged.seekToFirst(); merged.valid(); merged.next()) seen.push(Buffer.from(merged.value()).toString());
    expect(seen).toEqual(['9', '7', '5', '3', '1']);
    merged.seekForPrev(k(4));
    expect(Buffer.from(merged.value()).toString()).toBe('5');
    merged.seek(k(4));
    expect(Buffer.from(merged.value()).toString()).toBe('3');
  });
});
