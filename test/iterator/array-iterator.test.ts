import { describe, expect, it } from 'vitest';
import { newArrayIterator } from '../../src/iterator/array-iterator.js';
import { checkAgainstModel, prng, randomEntries } from './model.js';

describe('newArrayIterator', () => {
  it('matches the sorted model under random seeks and steps', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rand = prng(seed);
      const model = randomEntries(rand, rand(40));
      checkAgainstModel(newArrayIterator(model.keys, model.values), model, rand, 300);
    }
  });

  it('is invalid when empty and rejects mismatched arrays', () => {
    const it0 = newArrayIterator([], []);
    it0.seekToFirst();
    expect(it0.valid()).toBe(false);
    it0.seekToLast();
    expect(it0.valid()).toBe(false);
    expect(() => newArrayIterator([Buffer.alloc(8)], [])).toThrow(RangeError);
  });
});
