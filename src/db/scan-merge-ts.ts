/**
 * scan-merge-ts — the TypeScript twin of the native merge step (native/scan-merge.cc): same arguments, same
 * control array (src/db/native-scan.ts documents it), same results and the same stops, entry for entry. Used by
 * the parity test, and measured against DbIterator's run path as the TypeScript codec's scan path (see
 * docs/PERFORMANCE.md "Scans" for which one the TypeScript codec keeps).
 *
 * It takes no cache argument (it resolves nothing it could keep: the chunks are arrays already).
 * Unlike the native step it trusts its input (the arrays come from the engine's own blocks and memtables; a bad
 * offset reads undefined, it cannot crash the process). Main thread only; keeps module-level scratch arrays, so
 * it is not reentrant (it calls nothing that could call it back).
 */

import { compareRanges } from '../base/comparator.js';
import { TRAILER_SIZE, ValueKind, trailerSequence } from '../base/internal-key.js';
import { copyRange } from '../iterator/entry-packer.js';
import { Ctl, ScanFlag, type ScanMerger, ScanStop, SourceType } from './native-scan.js';

const { TABLE: T_TABLE, MEMTABLE: T_MEMTABLE, EXHAUSTED: T_EXHAUSTED } = SourceType;
const MAX_SOURCES = 64;

/** Memtable node fields (src/memtable/memtable.ts). */
const F_CHUNK = 0;
const F_OFFSET = 1;
const F_KEYLEN = 2;
const F_VALLEN = 3;
const F_PREV = 4;
const F_NEXT = 9;

const EMPTY = new Uint8Array(0);
const NO_OFFSETS = new Uint32Array(0);
const NO_LINKS = new Int32Array(0);
const NO_CHUNKS: Uint8Array[] = [];

// Per source: type, position, count, arrays, and the current entry (key bytes [ks, ke) of array k, trailer at
// ke, value [vs, ve) of array v).
const type = new Int32Array(MAX_SOURCES);
const pos = new Int32Array(MAX_SOURCES);
const cnt = new Int32Array(MAX_SOURCES);
const keysOf: Uint8Array[] = new Array<Uint8Array>(MAX_SOURCES).fill(EMPTY);
const keyOffsetsOf: Uint32Array[] = new Array<Uint32Array>(MAX_SOURCES).fill(NO_OFFSETS);
const dataOf: Uint8Array[] = new Array<Uint8Array>(MAX_SOURCES).fill(EMPTY);
const valueOffsetsOf: Uint32Array[] = new Array<Uint32Array>(MAX_SOURCES).fill(NO_OFFSETS);
const linksOf: Int32Array[] = new Array<Int32Array>(MAX_SOURCES).fill(NO_LINKS);
const chunksOf: Uint8Array[][] = new Array<Uint8Array[]>(MAX_SOURCES).fill(NO_CHUNKS);
const ka: Uint8Array[] = new Array<Uint8Array>(MAX_SOURCES).fill(EMPTY);
const ks = new Int32Array(MAX_SOURCES);
const ke = new Int32Array(MAX_SOURCES);
const va: Uint8Array[] = new Array<Uint8Array>(MAX_SOURCES).fill(EMPTY);
const vs = new Int32Array(MAX_SOURCES);
const ve = new Int32Array(MAX_SOURCES);

/** Loads source i's entry at its position (a memtable at node 0 becomes exhausted). */
function load(i: number): void {
  const p = pos[i]!;
  if (type[i] === T_TABLE) {
    const ko = keyOffsetsOf[i]!;
    const vo = valueOffsetsOf[i]!;
    ka[i] = keysOf[i]!;
    ks[i] = ko[p]!;
    ke[i] = ko[p + 1]! - TRAILER_SIZE;
    va[i] = dataOf[i]!;
    vs[i] = vo[2 * p]!;
    ve[i] = vo[2 * p + 1]!;
    return;
  }
  if (p === 0) {
    type[i] = T_EXHAUSTED;
    return;
  }
  const links = linksOf[i]!;
  const chunk = chunksOf[i]![links[p + F_CHUNK]!]!;
  const off = links[p + F_OFFSET]!;
  const keyEnd = off + links[p + F_KEYLEN]!;
  ka[i] = chunk;
  va[i] = chunk;
  ks[i] = off;
  ke[i] = keyEnd - TRAILER_SIZE;
  vs[i] = keyEnd;
  ve[i] = keyEnd + links[p + F_VALLEN]!;
}

/** Sign of source a's internal key minus source b's (user key ascending, then sequence and kind descending). */
function compareSources(a: number, b: number): number {
  const c = compareRanges(ka[a]!, ks[a]!, ke[a]!, ka[b]!, ks[b]!, ke[b]!);
  if (c !== 0) return c;
  const x = ka[a]!;
  const y = ka[b]!;
  const sa = trailerSequence(x, ke[a]!);
  const sb = trailerSequence(y, ke[b]!);
  if (sa !== sb) return sa > sb ? -1 : 1;
  const ak = x[ke[a]!]!;
  const bk = y[ke[b]!]!;
  return ak === bk ? 0 : ak > bk ? -1 : 1;
}

/** The TypeScript twin of Codec.scanMerge (ScanMerger in ./native-scan.ts). */
export const scanMergeTs: ScanMerger = function scanMergeTs(
  srcs,
  ctl,
  sequence,
  skip,
  lower,
  upper,
  stage,
  ends,
  candKey,
  candValue,
): number {
  const n = ctl[Ctl.SOURCES]!;
  if (n < 0 || n > MAX_SOURCES) return ScanStop.BAD_ARGUMENTS;
  const flags = ctl[Ctl.FLAGS]!;
  let skipLen = ctl[Ctl.SKIP_LEN]!;
  let used = ctl[Ctl.USED]!;
  let count = ctl[Ctl.COUNT]!;
  const max = ctl[Ctl.MAX]!;
  let candKeyLen = ctl[Ctl.CAND_KEY_LEN]!;
  let candValueLen = ctl[Ctl.CAND_VALUE_LEN]!;
  let candKind = ctl[Ctl.CAND_KIND]!;
  let hasSkip = (flags & ScanFlag.HAS_SKIP) !== 0;
  let hasCand = (flags & ScanFlag.HAS_CAND) !== 0;
  const wantKeys = (flags & ScanFlag.KEYS) !== 0;
  const wantValues = (flags & ScanFlag.VALUES) !== 0;
  const hasLower = (flags & ScanFlag.HAS_LOWER) !== 0;
  const hasUpper = (flags & ScanFlag.HAS_UPPER) !== 0;
  const lowerInclusive = (flags & ScanFlag.LOWER_INCLUSIVE) !== 0;
  const upperInclusive = (flags & ScanFlag.UPPER_INCLUSIVE) !== 0;
  const reverse = (flags & ScanFlag.REVERSE) !== 0;
  for (let i = 0; i < n; i++) {
    const slot = Ctl.HEADER + Ctl.PER_SOURCE * i;
    const s = Ctl.PER_SOURCE * i;
    type[i] = ctl[slot]!;
    pos[i] = ctl[slot + 1]!;
    cnt[i] = ctl[slot + 2]!;
    if (type[i] === T_TABLE) {
      keysOf[i] = srcs[s] as Uint8Array;
      keyOffsetsOf[i] = srcs[s + 1] as Uint32Array;
      dataOf[i] = srcs[s + 2] as Uint8Array;
      valueOffsetsOf[i] = srcs[s + 3] as Uint32Array;
    } else if (type[i] === T_MEMTABLE) {
      linksOf[i] = srcs[s] as Int32Array;
      chunksOf[i] = srcs[s + 1] as Uint8Array[];
    } else if (type[i] !== T_EXHAUSTED) return ScanStop.BAD_ARGUMENTS;
    if (type[i] !== T_EXHAUSTED) load(i);
  }
  // Appends (key, value) to the batch; false if it does not fit the staging area.
  const emit = (k: Uint8Array, kStart: number, kEnd: number, v: Uint8Array, vStart: number, vEnd: number): boolean => {
    const kl = wantKeys ? kEnd - kStart : 0;
    const vl = wantValues ? vEnd - vStart : 0;
    if (used + kl + vl > stage.length) return false;
    copyRange(k, kStart, kStart + kl, stage, used);
    used += kl;
    ends[2 * count] = used;
    copyRange(v, vStart, vStart + vl, stage, used);
    used += vl;
    ends[2 * count + 1] = used;
    count++;
    return true;
  };
  let stop: number = ScanStop.END;
  let stopSource = -1;
  for (;;) {
    if (count >= max) {
      stop = ScanStop.BATCH_FULL;
      break;
    }
    let m = -1;
    for (let i = 0; i < n; i++) {
      if (type[i] === T_EXHAUSTED) continue;
      if (m < 0) m = i;
      else {
        const c = compareSources(i, m);
        if (reverse ? c > 0 : c < 0) m = i;
      }
    }
    if (m < 0) {
      if (reverse && hasCand) {
        if (candKind !== ValueKind.Deletion && !emit(candKey, 0, candKeyLen, candValue, 0, candValueLen)) {
          stop = ScanStop.STAGE_FULL;
          break;
        }
        hasCand = false;
      }
      break;
    }
    const k = ka[m]!;
    const start = ks[m]!;
    const ulen = ke[m]!;
    const kind = k[ulen]!;
    if (trailerSequence(k, ulen) <= sequence) {
      let c: number;
      if (!reverse) {
        if (!hasSkip || compareRanges(k, start, ulen, skip, 0, skipLen) !== 0) {
          if (ulen - start > skip.length) {
            stop = ScanStop.SKIP_FULL;
            break;
          }
          const below =
            hasLower && ((c = compareRanges(k, start, ulen, lower, 0, lower.length)), lowerInclusive ? c < 0 : c <= 0);
          if (kind !== ValueKind.Deletion && !below) {
            if (hasUpper && ((c = compareRanges(k, start, ulen, upper, 0, upper.length)), upperInclusive ? c > 0 : c >= 0)) {
              stop = ScanStop.BOUND;
              break;
            }
            if (!emit(k, start, ulen, va[m]!, vs[m]!, ve[m]!)) {
              stop = ScanStop.STAGE_FULL;
              break;
            }
          }
          copyRange(k, start, ulen, skip, 0);
          skipLen = ulen - start;
          hasSkip = true;
        }
      } else if (
        !(hasUpper && ((c = compareRanges(k, start, ulen, upper, 0, upper.length)), upperInclusive ? c > 0 : c >= 0))
      ) {
        if (hasCand && compareRanges(k, start, ulen, candKey, 0, candKeyLen) !== 0) {
          if (candKind !== ValueKind.Deletion && !emit(candKey, 0, candKeyLen, candValue, 0, candValueLen)) {
            stop = ScanStop.STAGE_FULL;
            break;
          }
          hasCand = false;
        }
        if (
          !hasCand &&
          hasLower &&
          ((c = compareRanges(k, start, ulen, lower, 0, lower.length)), lowerInclusive ? c < 0 : c <= 0)
        ) {
          stop = ScanStop.BOUND;
          break;
        }
        const keepValue = kind !== ValueKind.Deletion && wantValues;
        const vlen = ve[m]! - vs[m]!;
        if (ulen - start > candKey.length || (keepValue && vlen > candValue.length)) {
          stop = ScanStop.SKIP_FULL;
          break;
        }
        copyRange(k, start, ulen, candKey, 0);
        candKeyLen = ulen - start;
        if (keepValue) copyRange(va[m]!, vs[m]!, ve[m]!, candValue, 0);
        candValueLen = keepValue ? vlen : 0;
        candKind = kind;
        hasCand = true;
      }
    }
    // Consume the entry.
    if (type[m] === T_TABLE) {
      const p = pos[m]! + (reverse ? -1 : 1);
      pos[m] = p;
      if (p < 0 || p >= cnt[m]!) {
        stop = ScanStop.BLOCK_END;
        stopSource = m;
        break;
      }
    } else {
      pos[m] = linksOf[m]![pos[m]! + (reverse ? F_PREV : F_NEXT)]!;
    }
    load(m);
  }
  for (let i = 0; i < n; i++) {
    const slot = Ctl.HEADER + Ctl.PER_SOURCE * i;
    if (ctl[slot] !== T_EXHAUSTED) ctl[slot + 1] = pos[i]!;
    keysOf[i] = dataOf[i] = ka[i] = va[i] = EMPTY;
    chunksOf[i] = NO_CHUNKS;
  }
  let out = hasSkip ? flags | ScanFlag.HAS_SKIP : flags & ~ScanFlag.HAS_SKIP;
  out = hasCand ? out | ScanFlag.HAS_CAND : out & ~ScanFlag.HAS_CAND;
  ctl[Ctl.FLAGS] = out;
  ctl[Ctl.SKIP_LEN] = skipLen;
  ctl[Ctl.USED] = used;
  ctl[Ctl.COUNT] = count;
  ctl[Ctl.STOP_SOURCE] = stopSource;
  ctl[Ctl.CAND_KEY_LEN] = candKeyLen;
  ctl[Ctl.CAND_VALUE_LEN] = candValueLen;
  ctl[Ctl.CAND_KIND] = candKind;
  return stop;
};
