/**
 * bloom-probe — the filter block probe (docs/FORMAT.md "Filter block") split into its two halves: the key's hash,
 * and the bit tests for a given hash. A point lookup hashes its key once and probes the filter of every table it
 * visits with that hash (RocksDB does the same); Codec.bloomMayContain is the two halves in one call.
 *
 * TypeScript on both codecs: one key per call, so crossing into native code would cost more than the probe
 * (docs/decisions/native.md). Pure functions, any thread.
 */

import { BLOOM_SEED } from './codec.js';
import { xxh32 } from './xxh32.js';

/** The hash a filter is probed with: XXH32(key, BLOOM_SEED), unsigned. */
export function bloomHash(key: Uint8Array): number {
  return xxh32(key, BLOOM_SEED);
}

/** True if the key whose bloomHash is `hash` may be in the set `filter` was built from. */
export function bloomMayContainHash(filter: Uint8Array, hash: number): boolean {
  const len = filter.length;
  if (len < 2) return true;
  const k = filter[len - 1]!;
  if (k > 30) return true;
  const bits = (len - 1) * 8;
  let h = hash;
  const delta = ((h >>> 17) | (h << 15)) >>> 0;
  for (let j = 0; j < k; j++) {
    const b = h % bits;
    if ((filter[b >>> 3]! & (1 << (b & 7))) === 0) return false;
    h = (h + delta) >>> 0;
  }
  return true;
}
