/**
 * key-words — a table's index block searched mostly with integer compares: each entry's user key, after the
 * prefix that every user key of the block shares, kept as four fixed-width words (16 bytes, zero padded) in one
 * flat Int32Array.
 *
 * Why: a point lookup binary-searches the index (~log2(blocks) probes). Byte-comparing the keys touches two
 * arrays per probe (offsets, then key bytes, usually cold in the CPU cache) and walks the shared prefix again on
 * every probe (the benchmark's decimal keys share ~9 leading bytes). Four adjacent words per entry are one cache
 * line and decide almost every probe; a probe whose words tie falls back to the full internal-key compare.
 *
 * Correctness of the words: user keys padded with zeros to prefixLen + 16 bytes compare like the keys themselves
 * whenever the padded forms differ (a byte where they differ is either a real difference, or a zero pad against a
 * real byte of a longer key whose prefix the shorter one is). When the words tie, the user keys are equal if both
 * tails fit in 16 bytes and have the same length; otherwise the full compare decides.
 * Words are big-endian with the sign bit flipped, so signed Int32 order is unsigned byte order.
 * Immutable after build; one thread. Used by TableReader only.
 * REQUIRES: every key of the block is an internal key (>= TRAILER_SIZE bytes), in internal-key order.
 */

import { compareTrailers } from '../base/comparator.js';
import { TRAILER_SIZE } from '../base/internal-key.js';
import type { DecodedBlock } from '../codec/codec.js';
import { compareEntryTo } from './block-iterator.js';

/** Bytes of each entry kept as words after the shared prefix. */
const WORD_BYTES = 16;

export interface KeyWords {
  /** Length of the prefix every user key of the block shares. */
  prefixLen: number;
  /** 4 words per entry: user key bytes [prefixLen, prefixLen + 16), zero padded, big-endian, sign bit flipped. */
  words: Int32Array;
  /** Per entry: user key length - prefixLen. */
  tailLens: Int32Array;
}

/** The word of buf[at, at + 4) with bytes at or past `end` read as zero. */
function wordAt(buf: Uint8Array, at: number, end: number): number {
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (at + i < end ? buf[at + i]! : 0);
  return w ^ 0x80000000;
}

/** Builds the words of a decoded index (or data) block. */
export function buildKeyWords(block: DecodedBlock): KeyWords {
  const { count, keys, keyOffsets: ko } = block;
  let prefixLen = 0;
  if (count > 0) {
    const fs = ko[0]!;
    const fe = ko[1]! - TRAILER_SIZE;
    const ls = ko[count - 1]!;
    const le = ko[count]! - TRAILER_SIZE;
    const n = Math.min(fe - fs, le - ls);
    while (prefixLen < n && keys[fs + prefixLen] === keys[ls + prefixLen]) prefixLen++;
  }
  const words = new Int32Array(4 * count);
  const tailLens = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const s = ko[i]! + prefixLen;
    const e = ko[i + 1]! - TRAILER_SIZE;
    tailLens[i] = e - s;
    for (let j = 0; j < 4; j++) words[4 * i + j] = wordAt(keys, s + 4 * j, e);
  }
  return { prefixLen, words, tailLens };
}

/**
 * lowerBound(block, target) computed through the words: the first entry whose internal key >= target, or
 * block.count. `userKey[0, userLen)` is target's user key (target = userKey ‖ trailer); `userKey` may be target
 * itself with userLen = target.length - TRAILER_SIZE (an iterator's seek, which has no separate user key).
 * REQUIRES: kw was built from block; userLen <= userKey.length.
 */
export function lowerBoundWords(
  block: DecodedBlock,
  kw: KeyWords,
  userKey: Uint8Array,
  target: Uint8Array,
  userLen = userKey.length,
): number {
  const count = block.count;
  if (count === 0) return 0;
  const keys = block.keys;
  const ko = block.keyOffsets;
  const p = kw.prefixLen;
  const ul = userLen;
  // The target against the shared prefix (entry 0's copy of it): a difference there places it before or after all.
  const k0 = ko[0]!;
  const n = ul < p ? ul : p;
  for (let i = 0; i < n; i++) {
    const d = userKey[i]! - keys[k0 + i]!;
    if (d !== 0) return d < 0 ? 0 : count;
  }
  if (ul < p) return 0;
  const t0 = wordAt(userKey, p, ul);
  const t1 = wordAt(userKey, p + 4, ul);
  const t2 = wordAt(userKey, p + 8, ul);
  const t3 = wordAt(userKey, p + 12, ul);
  const tl = ul - p;
  const exactTail = tl <= WORD_BYTES;
  const words = kw.words;
  const tails = kw.tailLens;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const b = 4 * mid;
    let w = words[b]!;
    let t = t0;
    if (w === t) {
      w = words[b + 1]!;
      t = t1;
      if (w === t) {
        w = words[b + 2]!;
        t = t2;
        if (w === t) {
          w = words[b + 3]!;
          t = t3;
        }
      }
    }
    let before: boolean;
    if (w !== t) before = w < t;
    else if (exactTail && tails[mid] === tl) before = compareTrailers(keys, ko[mid + 1]! - TRAILER_SIZE, target, ul) < 0;
    else before = compareEntryTo(block, mid, target) < 0;
    if (before) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
