/**
 * engine-options — random engine options for crash harnesses: tiny memtables, tables and levels, so that WAL
 * rotation, flushes and compactions (including trivial moves and the bottom level) happen every few writes.
 *
 * numLevels is part of a database's shape (a MANIFEST naming a level beyond it is refused on open), so the caller
 * fixes it per run. `deterministic` keeps async writers away from the L0 slowdown, which sleeps on a timer: the
 * in-process harnesses replay a seed exactly only if nothing in the engine waits on wall-clock time.
 */

import type { Options } from '../../src/index.js';
import type { Prng } from './prng.js';

/** L0 trigger that is never reached: in deterministic mode async writers must not meet the timer-based slowdown. */
const UNREACHABLE_L0 = 1000;

export function randomEngineOptions(prng: Prng, numLevels: number, deterministic: boolean): Partial<Options> {
  const l0 = prng.range(1, 4);
  const slowdown = deterministic ? UNREACHABLE_L0 : l0 + prng.range(0, 4);
  return {
    writeBufferSize: prng.pick([4096, 8192, 32768, 65536]),
    targetFileSize: prng.pick([1024, 4096, 16384]),
    maxBytesForLevelBase: prng.pick([4096, 16384, 65536]),
    levelMultiplier: prng.pick([2, 4, 10]),
    numLevels,
    level0CompactionTrigger: l0,
    level0SlowdownTrigger: slowdown,
    level0StopTrigger: deterministic ? UNREACHABLE_L0 : slowdown + prng.range(0, 4),
    blockSize: prng.pick([256, 1024, 4096]),
    bloomBitsPerKey: prng.pick([0, 10]),
    compression: prng.pick(['snappy', 'none'] as const),
    codec: prng.pick(['auto', 'typescript'] as const),
  };
}
