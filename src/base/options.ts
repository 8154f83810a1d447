/**
 * options — every tunable of a database with its default, and the validation that turns a mistake into an exact
 * TypeError/RangeError before anything touches the disk.
 */

import type { Vfs } from './vfs.js';

export type Compression = 'snappy' | 'none';

export interface Options {
  /** Create the database if the directory holds none. Default true. */
  createIfMissing: boolean;
  /** Fail with an EXISTS-coded error if a database is already there. Default false. */
  errorIfExists: boolean;
  /** Memtable size in bytes before it is frozen and flushed to an L0 table. Default 64 MiB. */
  writeBufferSize: number;
  /** Target uncompressed size of a data block. Default 4096. */
  blockSize: number;
  /** Keys between restart points in a data block. Default 16. */
  blockRestartInterval: number;
  /** Bytes of decoded blocks kept in the LRU block cache. Default 32 MiB. 0 disables it. */
  blockCacheSize: number;
  /** Open tables (file handle + parsed index and filter) kept in the table cache. Default 1000. */
  maxOpenFiles: number;
  /** Bloom filter bits per key; 0 disables filters. Default 10 (~1% false positives). */
  bloomBitsPerKey: number;
  /** Per-block compression. Default 'snappy' (a block is stored raw if snappy saves less than 1/8). */
  compression: Compression;
  /** L0 file count that triggers a compaction into L1. Default 4. */
  level0CompactionTrigger: number;
  /** L0 file count at which asynchronous writes are delayed. Default 8. */
  level0SlowdownTrigger: number;
  /** L0 file count at which writes wait for compaction. Default 12. */
  level0StopTrigger: number;
  /** Maximum bytes in L1; level n holds maxBytesForLevelBase × levelMultiplier^(n-1). Default 64 MiB. */
  maxBytesForLevelBase: number;
  /** Growth factor between levels. Default 10. */
  levelMultiplier: number;
  /** Target size of a table written by compaction. Default 8 MiB. */
  targetFileSize: number;
  /** Number of levels. Default 7. */
  numLevels: number;
  /** Run flush and compaction on a worker thread ('worker') or on the main thread between turns ('inline').
   *  Default 'worker' on the node file system; a custom vfs always runs inline (it lives in this thread). */
  background: 'worker' | 'inline';
  /** Codec side: 'auto' follows LSMKV_NATIVE (native when the addon loads and passes its self-test), or force
   *  'native' / 'typescript'. Both read and write the same files. Default 'auto'. */
  codec: 'auto' | 'native' | 'typescript';
  /** File system. Default the node file system. Pass a FaultInjectionVfs to test crash behaviour. */
  vfs: Vfs | undefined;
}

export const MAX_KEY_SIZE = 64 * 1024;
export const MAX_VALUE_SIZE = 64 * 1024 * 1024;

export const DEFAULT_OPTIONS: Readonly<Options> = Object.freeze({
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

interface IntRule {
  min: number;
  max: number;
}

const INT_RULES: { [K in keyof Options]?: IntRule } = {
  writeBufferSize: { min: 4096, max: 2 ** 31 },
  blockSize: { min: 256, max: 16 * 1024 * 1024 },
  blockRestartInterval: { min: 1, max: 1024 },
  blockCacheSize: { min: 0, max: 2 ** 40 },
  maxOpenFiles: { min: 10, max: 1_000_000 },
  bloomBitsPerKey: { min: 0, max: 64 },
  level0CompactionTrigger: { min: 1, max: 1000 },
  level0SlowdownTrigger: { min: 1, max: 1000 },
  level0StopTrigger: { min: 1, max: 1000 },
  maxBytesForLevelBase: { min: 4096, max: 2 ** 50 },
  levelMultiplier: { min: 2, max: 1000 },
  targetFileSize: { min: 1024, max: 2 ** 40 },
  numLevels: { min: 2, max: 20 },
};

/** Merges user options over the defaults; throws TypeError/RangeError naming the bad option. */
export function resolveOptions(user: unknown): Options {
  if (user === undefined || user === null) return { ...DEFAULT_OPTIONS };
  if (typeof user !== 'object') throw new TypeError('options: expected an object');
  const out: Options = { ...DEFAULT_OPTIONS };
  const u = user as Record<string, unknown>;
  for (const [name, value] of Object.entries(u)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(DEFAULT_OPTIONS, name)) throw new TypeError(`options: unknown option '${name}'`);
    const rule = INT_RULES[name as keyof Options];
    if (rule) {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        throw new TypeError(`options: '${name}' must be an integer`);
      }
      if (value < rule.min || value > rule.max) {
        throw new RangeError(`options: '${name}' must be between ${rule.min} and ${rule.max}, got ${value}`);
      }
    } else if (name === 'createIfMissing' || name === 'errorIfExists') {
      if (typeof value !== 'boolean') throw new TypeError(`options: '${name}' must be a boolean`);
    } else if (name === 'compression') {
      if (value !== 'snappy' && value !== 'none') {
        throw new TypeError(`options: 'compression' must be 'snappy' or 'none'`);
      }
    } else if (name === 'background') {
      if (value !== 'worker' && value !== 'inline') {
        throw new TypeError(`options: 'background' must be 'worker' or 'inline'`);
      }
    } else if (name === 'codec') {
      if (value !== 'auto' && value !== 'native' && value !== 'typescript') {
        throw new TypeError(`options: 'codec' must be 'auto', 'native' or 'typescript'`);
      }
    } else if (name === 'vfs') {
      if (typeof value !== 'object' || value === null) throw new TypeError(`options: 'vfs' must be a Vfs object`);
    }
    (out as unknown as Record<string, unknown>)[name] = value;
  }
  if (out.level0SlowdownTrigger < out.level0CompactionTrigger) {
    throw new RangeError('options: level0SlowdownTrigger must be >= level0CompactionTrigger');
  }
  if (out.level0StopTrigger < out.level0SlowdownTrigger) {
    throw new RangeError('options: level0StopTrigger must be >= level0SlowdownTrigger');
  }
  return out;
}
