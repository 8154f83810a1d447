import { describe, expect, it } from 'vitest';
import { makeInternalKey } from '../../src/base/internal-key.js';
import { newArrayIterator } from '../../src/iterator/array-iterator.js';
import { mergedChildren, newMergingIterator, resyncMerged } from '../../src/iterator/merging-iterator.js';
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

  it('resync is lazy: children moved again before the next use are seen, and a seek after it re-reads no key', () => {
    const rand = prng(11);
    const model = randomEntries(rand, 120);
    const parts: string[][] = [[], [], [], []];
    const owner = model.keys.map(() => rand(parts.length));
    owner.forEach((o, i) => parts[o]!.push(model.keys[i]!.toString('hex')));
    const children = parts.map(
      (p) => new TrackedIterator(newArrayIterator(p.map((h) => Buffer.from(h, 'hex')), p.map(() => Buffer.alloc(1)))),
    );
    const keyReads = children.map(() => 0);
    children.forEach((c, i) => {
      const key = c.key.bind(c);
      c.key = () => {
        keyReads[i]!++;
        return key();
      };
    });
    const hex = model.keys.map((k) => k.toString('hex'));
    const merged = newMergingIterator(children);
    expect(mergedChildren(merged)).toEqual(children);
    for (let round = 0; round < 20; round++) {
      merged.seek(model.keys[rand(model.keys.length)]!);
      // Move the children directly, forward, resync, and move them again before the merged iterator is used:
      // it must reflect where they are after the second batch.
      for (let batch = 0; batch < 2; batch++) {
        for (const c of children) for (let n = rand(4); n > 0 && c.valid(); n--) c.next();
        if (batch === 0) resyncMerged(merged);
      }
      const rest = children.flatMap((c, i) => {
        const p = parts[i]!;
        return c.valid() ? p.slice(p.indexOf(Buffer.from(c.key()).toString('hex'))) : [];
      });
      rest.sort((a, b) => hex.indexOf(a) - hex.indexOf(b));
      const seen: string[] = [];
      for (; merged.valid(); merged.next()) seen.push(Buffer.from(merged.key()).toString('hex'));
      expect(seen).toEqual(rest);
    }
    // Children moved and resynced, then a seek: the seek's rebuild reads each valid child's key once, and the
    // resync none (an eager resync would read them twice).
    merged.seekToFirst();
    for (const c of children) if (c.valid()) c.next();
    keyReads.fill(0);
    resyncMerged(merged);
    merged.seek(model.keys[0]!);
    expect(keyReads).toEqual(children.map((c) => (c.valid() ? 1 : 0)));
    merged.close();
  });
});
