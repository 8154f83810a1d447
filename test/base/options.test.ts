/**
 * options: defaults, and every validation rule with its exact error type and message.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, resolveOptions } from '../../src/base/options.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

const INT_RULES: Array<[string, number, number]> = [
  ['writeBufferSize', 4096, 2 ** 31],
  ['blockSize', 256, 16 * 1024 * 1024],
  ['blockRestartInterval', 1, 1024],
  ['blockCacheSize', 0, 2 ** 40],
  ['maxOpenFiles', 10, 1_000_000],
  ['bloomBitsPerKey', 0, 64],
  ['maxBytesForLevelBase', 4096, 2 ** 50],
  ['levelMultiplier', 2, 1000],
  ['targetFileSize', 1024, 2 ** 40],
  ['numLevels', 2, 20],
];

describe('resolveOptions', () => {
  it('returns a fresh copy of the defaults for undefined, null and {}', () => {
    for (const u of [undefined, null, {}]) {
      const o = resolveOptions(u);
      expect(o).toEqual(DEFAULT_OPTIONS);
      expect(o).not.toBe(DEFAULT_OPTIONS);
    }
    expect(Object.isFrozen(DEFAULT_OPTIONS)).toBe(true);
  });

  it('documents the defaults', () => {
    expect(DEFAULT_OPTIONS).toMatchObject({
      createIfMissing: true,
      errorIfExists: false,
      writeBufferSize: 64 * 1024 * 1024,
      blockSize: 4096,
      blockRestartInterval: 16,
      blockCacheSize: 32 * 1024 * 1024,
      maxOpenFiles: 1000,
      bloomBitsPerKey: 10,
      compression: 'snappy',
      level0CompactionTrigger: 4,
      level0SlowdownTrigger: 8,
      level0StopTrigger: 12,
      maxBytesForLevelBase: 64 * 1024 * 1024,
      levelMultiplier: 10,
      targetFileSize: 8 * 1024 * 1024,
      numLevels: 7,
      background: 'worker',
      codec: 'auto',
      vfs: undefined,
    });
  });

  it('merges given options over the defaults and skips undefined values', () => {
    const vfs = new FaultInjectionVfs();
    const o = resolveOptions({ blockSize: 1024, compression: 'none', vfs, numLevels: undefined, codec: 'typescript' });
    expect(o.blockSize).toBe(1024);
    expect(o.compression).toBe('none');
    expect(o.vfs).toBe(vfs);
    expect(o.numLevels).toBe(7);
    expect(o.codec).toBe('typescript');
  });

  it('rejects a non-object', () => {
    for (const u of [1, 'x', true]) {
      const e = thrown(() => resolveOptions(u));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe('options: expected an object');
    }
  });

  it('rejects an unknown option by name', () => {
    const e = thrown(() => resolveOptions({ writeBuferSize: 1 }));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toBe("options: unknown option 'writeBuferSize'");
  });

  for (const [name, min, max] of INT_RULES) {
    it(`${name}: integer in [${min}, ${max}]`, () => {
      expect(resolveOptions({ [name]: min })[name as 'blockSize']).toBe(min);
      expect(resolveOptions({ [name]: max })[name as 'blockSize']).toBe(max);
      for (const bad of [String(min), 1.5, Number.NaN, Infinity, null, true]) {
        const e = thrown(() => resolveOptions({ [name]: bad }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toBe(`options: '${name}' must be an integer`);
      }
      for (const bad of [min - 1, max + 1]) {
        const e = thrown(() => resolveOptions({ [name]: bad }));
        expect(e).toBeInstanceOf(RangeError);
        expect(e.message).toBe(`options: '${name}' must be between ${min} and ${max}, got ${bad}`);
      }
    });
  }

  it('level-0 triggers: each in [1, 1000] and compaction <= slowdown <= stop', () => {
    for (const name of ['level0CompactionTrigger', 'level0SlowdownTrigger', 'level0StopTrigger']) {
      const e = thrown(() => resolveOptions({ [name]: 0 }));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe(`options: '${name}' must be between 1 and 1000, got 0`);
      expect(thrown(() => resolveOptions({ [name]: 2.5 })).message).toBe(`options: '${name}' must be an integer`);
    }
    expect(resolveOptions({ level0CompactionTrigger: 3, level0SlowdownTrigger: 3, level0StopTrigger: 3 })).toMatchObject({
      level0CompactionTrigger: 3,
      level0SlowdownTrigger: 3,
      level0StopTrigger: 3,
    });
    let e = thrown(() => resolveOptions({ level0CompactionTrigger: 9 })); // slowdown default 8
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('options: level0SlowdownTrigger must be >= level0CompactionTrigger');
    e = thrown(() => resolveOptions({ level0SlowdownTrigger: 13 })); // stop default 12
    expect(e).toBeInstanceOf(RangeError);
    expect(e.message).toBe('options: level0StopTrigger must be >= level0SlowdownTrigger');
    e = thrown(() => resolveOptions({ level0SlowdownTrigger: 2, level0CompactionTrigger: 2, level0StopTrigger: 1 }));
    expect(e.message).toBe('options: level0StopTrigger must be >= level0SlowdownTrigger');
  });

  it('booleans', () => {
    for (const name of ['createIfMissing', 'errorIfExists']) {
      expect(resolveOptions({ [name]: false })[name as 'createIfMissing']).toBe(false);
      for (const bad of [0, 1, 'true', null]) {
        const e = thrown(() => resolveOptions({ [name]: bad }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toBe(`options: '${name}' must be a boolean`);
      }
    }
  });

  it('enumerations: compression, background, codec', () => {
    const cases: Array<[string, string[], string]> = [
      ['compression', ['snappy', 'none'], "options: 'compression' must be 'snappy' or 'none'"],
      ['background', ['worker', 'inline'], "options: 'background' must be 'worker' or 'inline'"],
      ['codec', ['auto', 'native', 'typescript'], "options: 'codec' must be 'auto', 'native' or 'typescript'"],
    ];
    for (const [name, good, message] of cases) {
      for (const g of good) expect(resolveOptions({ [name]: g })[name as 'codec']).toBe(g);
      for (const bad of ['zstd', 'SNAPPY', '', 1, null]) {
        const e = thrown(() => resolveOptions({ [name]: bad }));
        expect(e).toBeInstanceOf(TypeError);
        expect(e.message).toBe(message);
      }
    }
  });

  it('vfs must be an object', () => {
    for (const bad of ['fs', 1, null, true]) {
      const e = thrown(() => resolveOptions({ vfs: bad }));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe("options: 'vfs' must be a Vfs object");
    }
  });
});
