import { describe, expect, it } from 'vitest';
import { makeInternalKey } from '../../src/base/internal-key.js';
import type { InternalIterator } from '../../src/base/iterator.js';
import { newArrayIterator } from '../../src/iterator/array-iterator.js';
import { newConcatenatingIterator } from '../../src/iterator/concatenating-iterator.js';
import { newMergingIterator } from '../../src/iterator/merging-iterator.js';
import { type Entries, TrackedIterator, checkAgainstModel, prng, randomEntries, scan } from './model.js';

const SMALLEST = makeInternalKey(Buffer.alloc(0), Number.MAX_SAFE_INTEGER, 1);

/** A level over `parts` (sorted, contiguous, some maybe empty); records every child it opens. */
class Level {
  readonly largest: Buffer[] = [];
  readonly opened: TrackedIterator[] = [];

  constructor(readonly parts: Entries[]) {
    for (const p of parts) {
      // An empty child repeats its predecessor's largest key.
      this.largest.push(p.keys.at(-1) ?? this.largest.at(-1) ?? SMALLEST);
    }
  }

  /** The model cut into runs of the given lengths. */
  static ofRuns(model: Entries, runs: number[]): Level {
    let start = 0;
    const parts = runs.map((n) => {
      start += n;
      return { keys: model.keys.slice(start - n, start), values: model.values.slice(start - n, start) };
    });
    return new Level(parts);
  }

  /** The model cut at random into `n` runs, some empty. */
  static random(model: Entries, n: number, rand: (n: number) => number): Level {
    const cuts = Array.from({ length: n - 1 }, () => rand(model.keys.length + 1)).sort((a, b) => a - b);
    return Level.ofRuns(model, [...cuts, model.keys.length].map((c, i, all) => c - (i === 0 ? 0 : all[i - 1]!)));
  }

  iterator(): InternalIterator {
    return newConcatenatingIterator(
      this.parts.length,
      (i) => this.largest[i]!,
      (i) => {
        const child = new TrackedIterator(newArrayIterator(this.parts[i]!.keys, this.parts[i]!.values));
        this.opened.push(child);
        return child;
      },
    );
  }

  openCount(): number {
    return this.opened.filter((c) => c.closed === 0).length;
  }
}

describe('newConcatenatingIterator', () => {
  it('matches the sorted model under random seeks, steps and direction switches, one child open at a time', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const model = randomEntries(rand, rand(60));
      const level = Level.random(model, 1 + rand(8), rand);
      const it = level.iterator();
      checkAgainstModel(it, model, rand, 300);
      expect(level.openCount()).toBeLessThanOrEqual(1);
      it.close();
      it.close();
      expect(level.openCount()).toBe(0);
      for (const c of level.opened) expect(c.closed).toBe(1);
    }
  });

  it('skips runs of empty children in both directions', () => {
    const rand = prng(11);
    const model = randomEntries(rand, 30);
    const level = Level.ofRuns(model, [0, 10, 0, 0, 20, 0]);
    const it = level.iterator();
    const { forward, backward } = scan(it);
    const hex = model.keys.map((k) => k.toString('hex'));
    expect(forward).toEqual(hex);
    expect(backward).toEqual([...hex].reverse());
    // Across the empty middle: from entry 9 to entry 10 and back.
    it.seek(model.keys[9]!);
    it.next();
    expect(Buffer.from(it.key()).equals(model.keys[10]!)).toBe(true);
    it.prev();
    expect(Buffer.from(it.key()).equals(model.keys[9]!)).toBe(true);
    // Before everything and after everything.
    it.seekForPrev(SMALLEST);
    expect(it.valid()).toBe(false);
    it.seek(makeInternalKey(Buffer.from([0xff]), 0, 0));
    expect(it.valid()).toBe(false);
    it.seekForPrev(makeInternalKey(Buffer.from([0xff]), 0, 0));
    expect(Buffer.from(it.key()).equals(model.keys[29]!)).toBe(true);
    it.close();
    expect(level.openCount()).toBe(0);
  });

  it('opens lazily and only the child a seek needs', () => {
    const rand = prng(5);
    const model = randomEntries(rand, 100);
    const level = Level.random(model, 10, rand);
    const it = level.iterator();
    expect(level.opened.length).toBe(0);
    const target = model.keys[57]!;
    it.seek(target);
    expect(Buffer.from(it.key()).equals(target)).toBe(true);
    expect(level.opened.length).toBe(1);
    it.seek(target);
    expect(level.opened.length).toBe(1);
    it.close();
  });

  it('with no children is always invalid', () => {
    const it = newConcatenatingIterator(0, () => SMALLEST, () => {
      throw new Error('must not open');
    });
    it.seekToFirst();
    expect(it.valid()).toBe(false);
    it.seekToLast();
    expect(it.valid()).toBe(false);
    it.seek(SMALLEST);
    expect(it.valid()).toBe(false);
    it.seekForPrev(SMALLEST);
    expect(it.valid()).toBe(false);
    expect(() => newConcatenatingIterator(-1, () => SMALLEST, () => it)).toThrow(RangeError);
  });

  it('works as a merging child: levels of disjoint runs merged with overlapping memtable-like sources', () => {
    for (let seed = 100; seed < 120; seed++) {
      const rand = prng(seed);
      const model = randomEntries(rand, 20 + rand(60));
      // Deal entries into three sources, two of which are levels.
      const parts: Entries[] = [0, 1, 2].map(() => ({ keys: [], values: [] }));
      model.keys.forEach((k, i) => {
        const p = parts[rand(3)]!;
        p.keys.push(k);
        p.values.push(model.values[i]!);
      });
      const merged = newMergingIterator([
        newArrayIterator(parts[0]!.keys, parts[0]!.values),
        Level.random(parts[1]!, 1 + rand(5), rand).iterator(),
        Level.random(parts[2]!, 1 + rand(5), rand).iterator(),
      ]);
      checkAgainstModel(merged, model, rand, 300);
      merged.close();
    }
  });
});
