/**
 * native-scan — drives the native merge step (Codec.scanMerge, native/scan-merge.cc) for DbIterator.nextv:
 * one crossing per "until some table source's block is exhausted, the batch is full, or a bound is hit", never one
 * per entry. Both directions.
 *
 * Before a step it lays out every merged source's current position: a table source (any flat cursor: table or
 * level iterator) as its decoded block's four arrays plus the current index, a memtable source as the memtable's
 * link array and arena chunks plus the current node. The step merges them by internal key, applies the snapshot,
 * the skip key (forward: older versions of the last user key seen) or the candidate (reverse: the newest visible
 * version so far of the key being read, kept in caller-owned scratch arrays), deletions and the bounds exactly as
 * DbIterator.packForward / packReverse do, and writes the visible entries into the EntryPacker's staging area.
 * After it, each table source moves past what the step consumed (flatAdvance / flatRetreat, which load the
 * neighbouring block at a block's edge), each memtable source takes its new node, and the merging iterator
 * re-reads its children (resync, on its next use).
 *
 * Control array (Int32Array) slots, DO NOT CHANGE without the constants in native/scan-merge.cc:
 *   0 sources   1 flags   2 skip length   3 staging bytes used   4 entries in the batch   5 batch size
 *   6 stop source   7 candidate key length   8 candidate value length   9 candidate kind
 *   12 + 4i: source i's type (0 table, 1 memtable, 2 exhausted), position, block count.
 * Memtables are read-only during a step (the db is single-threaded); blocks are immutable.
 * Who may call: DbIterator (native codec only). Main thread only; not safe to share.
 */

import { corruption } from '../base/errors.js';
import type { Codec } from '../codec/codec.js';
import type { InternalIterator } from '../base/iterator.js';
import type { EntryPacker } from '../iterator/entry-packer.js';
import { type FlatCursor, isFlatCursor } from '../iterator/flat-cursor.js';
import { mergedChildren, resyncMerged } from '../iterator/merging-iterator.js';
import { MemTableIterator } from '../memtable/memtable-iterator.js';

/**
 * The native step (Codec.scanMerge, native/scan-merge.h): merges `srcs` (4 slots per source) from the positions
 * in `ctl` and returns a ScanStop; updates ctl, skip, stage, ends and the candidate. Never throws; damaged input
 * gives a negative status. Arguments: (srcs, ctl, sequence, skip, lower, upper, stage, ends, candKey, candValue,
 * cache?): cache is an object the step may keep state in across calls (the native step: each memtable's resolved
 * arena chunks); pass the same one for every step of a scan, or none.
 */
export type ScanMerger = NonNullable<Codec['scanMerge']>;

/** Why a step stopped. DO NOT CHANGE without ScanStop in native/scan-merge.h. */
export const ScanStop = {
  BLOCK_END: 0,
  BATCH_FULL: 1,
  BOUND: 2,
  END: 3,
  STAGE_FULL: 4,
  SKIP_FULL: 5,
  BAD_ARGUMENTS: -201,
  BAD_BLOCK: -202,
  BAD_NODE: -203,
} as const;

/** Control array slots (the header comment); DO NOT CHANGE without native/scan-merge.cc. */
export const Ctl = {
  SOURCES: 0,
  FLAGS: 1,
  SKIP_LEN: 2,
  USED: 3,
  COUNT: 4,
  MAX: 5,
  STOP_SOURCE: 6,
  CAND_KEY_LEN: 7,
  CAND_VALUE_LEN: 8,
  CAND_KIND: 9,
  /** Slots before the first source's. */
  HEADER: 12,
  /** Slots per source: type, position, block count, unused. */
  PER_SOURCE: 4,
} as const;

/** Source types in the control array. */
export const SourceType = { TABLE: 0, MEMTABLE: 1, EXHAUSTED: 2 } as const;


export const ScanFlag = {
  HAS_SKIP: 1,
  KEYS: 2,
  VALUES: 4,
  LOWER_INCLUSIVE: 8,
  UPPER_INCLUSIVE: 16,
  HAS_LOWER: 32,
  HAS_UPPER: 64,
  REVERSE: 128,
  HAS_CAND: 256,
} as const;

const { TABLE: T_TABLE, MEMTABLE: T_MEMTABLE, EXHAUSTED: T_EXHAUSTED } = SourceType;

const EMPTY = new Uint8Array(0);


/** A growable byte array of which the first `length` bytes are in use (DbIterator's Scratch). */
export interface ScratchBytes {
  bytes: Uint8Array;
  length: number;
}

/** The scan state the step reads and updates (DbIterator's). */
export interface ScanState {
  /** Forward: the user key whose older versions are skipped; bytes may be replaced by a larger array. */
  skip: ScratchBytes;
  hasSkip: boolean;
  /** Reverse: the candidate's user key, value (when values are wanted and it is not a deletion) and kind. */
  candKey: ScratchBytes;
  candValue: ScratchBytes;
  hasCand: boolean;
  candKind: number;
  /** ScanFlag bits for direction, keys/values and bounds (HAS_SKIP and HAS_CAND come from the fields above). */
  flags: number;
  lower: Uint8Array;
  upper: Uint8Array;
  sequence: number;
}

/** Makes s.bytes twice as long, keeping its first s.length bytes. */
function growScratch(s: ScratchBytes): void {
  const bigger = new Uint8Array(2 * Math.max(s.bytes.length, 32));
  bigger.set(s.bytes.subarray(0, s.length));
  s.bytes = bigger;
}

export class NativeScan {
  private readonly merged: InternalIterator;
  private readonly children: readonly InternalIterator[];
  private readonly flat: (FlatCursor | undefined)[];
  private readonly mem: (MemTableIterator | undefined)[];
  private readonly srcs: unknown[];
  private readonly ctl: Int32Array;
  private readonly merge: ScanMerger;
  /** Kept by the native step across calls (the memtables' resolved arena chunks); opaque here. */
  private readonly cache: object = {};

  private constructor(merged: InternalIterator, children: readonly InternalIterator[], merge: ScanMerger) {
    this.merged = merged;
    this.children = children;
    this.merge = merge;
    this.flat = children.map((c) => (c instanceof MemTableIterator || !isFlatCursor(c) ? undefined : c));
    this.mem = children.map((c) => (c instanceof MemTableIterator ? c : undefined));
    this.srcs = new Array<unknown>(Ctl.PER_SOURCE * children.length).fill(EMPTY);
    this.ctl = new Int32Array(Ctl.HEADER + Ctl.PER_SOURCE * children.length);
  }

  /** A driver for `iter` (a merging iterator or a single source), or undefined if a source cannot take part. */
  static create(iter: InternalIterator, merge: ScanMerger): NativeScan | undefined {
    const children = mergedChildren(iter) ?? [iter];
    if (children.length > 64) return undefined;
    for (const c of children) if (!(c instanceof MemTableIterator) && !isFlatCursor(c)) return undefined;
    return new NativeScan(iter, children, merge);
  }

  /**
   * Packs entries into `packer` until it holds `size` or the scan stops. Returns true when the scan is over (end
   * or a bound). Returns undefined, having done nothing, if a source has no flat view right now (the caller
   * takes the TypeScript path for this call).
   */
  pack(packer: EntryPacker, size: number, st: ScanState): boolean | undefined {
    const { children, flat, mem, srcs, ctl } = this;
    const n = children.length;
    const forward = (st.flags & ScanFlag.REVERSE) === 0;
    for (;;) {
      ctl[Ctl.SOURCES] = n;
      for (let i = 0; i < n; i++) {
        const c = children[i]!;
        const slot = Ctl.HEADER + Ctl.PER_SOURCE * i;
        const s = Ctl.PER_SOURCE * i;
        if (!c.valid()) {
          ctl[slot] = T_EXHAUSTED;
          continue;
        }
        const m = mem[i];
        if (m !== undefined) {
          ctl[slot] = T_MEMTABLE;
          ctl[slot + 1] = m.position;
          srcs[s] = m.nodes.linkArray();
          srcs[s + 1] = m.nodes.arenaChunks();
          continue;
        }
        const b = flat[i]!.flatBlock(forward);
        if (b === undefined) return undefined;
        ctl[slot] = T_TABLE;
        ctl[slot + 1] = flat[i]!.flatIndex();
        ctl[slot + 2] = b.count;
        srcs[s] = b.keys;
        srcs[s + 1] = b.keyOffsets;
        srcs[s + 2] = b.data;
        srcs[s + 3] = b.valueOffsets;
      }
      packer.reserve(0, size - packer.count);
      ctl[Ctl.FLAGS] = st.flags | (st.hasSkip ? ScanFlag.HAS_SKIP : 0) | (st.hasCand ? ScanFlag.HAS_CAND : 0);
      ctl[Ctl.SKIP_LEN] = st.skip.length;
      ctl[Ctl.CAND_KEY_LEN] = st.candKey.length;
      ctl[Ctl.CAND_VALUE_LEN] = st.candValue.length;
      ctl[Ctl.CAND_KIND] = st.candKind;
      ctl[Ctl.USED] = packer.bytesUsed;
      ctl[Ctl.COUNT] = packer.count;
      ctl[Ctl.MAX] = size;
      const r = this.merge(
        srcs,
        ctl,
        st.sequence,
        st.skip.bytes,
        st.lower,
        st.upper,
        packer.stageArea,
        packer.endsArea,
        st.candKey.bytes,
        st.candValue.bytes,
        this.cache,
      );
      if (r < 0) this.fail(r);
      packer.commit(ctl[Ctl.COUNT]!, ctl[Ctl.USED]!);
      const flags = ctl[Ctl.FLAGS]!;
      st.hasSkip = (flags & ScanFlag.HAS_SKIP) !== 0;
      st.skip.length = ctl[Ctl.SKIP_LEN]!;
      st.hasCand = (flags & ScanFlag.HAS_CAND) !== 0;
      st.candKey.length = ctl[Ctl.CAND_KEY_LEN]!;
      st.candValue.length = ctl[Ctl.CAND_VALUE_LEN]!;
      st.candKind = ctl[Ctl.CAND_KIND]!;
      this.apply(forward);
      if (r === ScanStop.END || r === ScanStop.BOUND) return true;
      if (r === ScanStop.BATCH_FULL) return false;
      if (r === ScanStop.STAGE_FULL) packer.reserve(2 * packer.stageArea.length, 0);
      else if (r === ScanStop.SKIP_FULL) {
        if (forward) growScratch(st.skip);
        else {
          growScratch(st.candKey);
          growScratch(st.candValue);
        }
      }
      // BLOCK_END (the next block is loaded by apply()), STAGE_FULL, SKIP_FULL: another step.
      if (packer.count >= size) return false;
    }
  }

  /** Moves every source to where the step left it and lets the merging iterator re-read its children. */
  private apply(forward: boolean): void {
    const { children, flat, mem, ctl } = this;
    let moved = false;
    for (let i = 0; i < children.length; i++) {
      const slot = Ctl.HEADER + Ctl.PER_SOURCE * i;
      const type = ctl[slot]!;
      if (type === T_EXHAUSTED) continue;
      const pos = ctl[slot + 1]!;
      if (type === T_MEMTABLE) {
        const m = mem[i]!;
        if (m.position !== pos) {
          m.position = pos;
          moved = true;
        }
      } else {
        const f = flat[i]!;
        const from = f.flatIndex();
        if (forward && pos > from) {
          f.flatAdvance(pos - 1);
          moved = true;
        } else if (!forward && pos < from) {
          f.flatRetreat(pos + 1);
          moved = true;
        }
      }
    }
    if (moved && this.merged !== children[0]) resyncMerged(this.merged);
  }

  private fail(status: number): never {
    if (status === ScanStop.BAD_BLOCK) throw corruption('db-iterator', 'native scan: a block entry lies outside its block');
    if (status === ScanStop.BAD_NODE) throw corruption('db-iterator', 'native scan: a memtable node is out of range');
    throw new RangeError(`db-iterator: native scan step rejected its arguments (status ${status})`);
  }
}
