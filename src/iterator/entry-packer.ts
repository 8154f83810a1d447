/**
 * entry-packer — collects a batch of (key, value) byte ranges and hands them out as caller-owned Buffers backed by
 * ONE allocation per batch, instead of one allocation (and one Buffer.from) per key and per value.
 *
 * add() copies the bytes into a reusable staging area right away, so the sources may move or change afterwards.
 * take() allocates one Buffer of the batch's total size, copies the staging area into it, and returns views of
 * it: each key and value is its own Buffer, owned by the caller; nothing is shared with the packer or the engine
 * (the staging area is never handed out). A kept entry keeps its whole batch's allocation alive.
 * The views are made with viewBuffer (base/view-buffer.ts), not Buffer#subarray: two per entry, and subarray's
 * argument handling was ~15% of a scan (same-process A/B, bench shape, readseq 0.90-1.38 -> 0.99-1.69 M entries/s,
 * seek + nextv(100) 8.0-10.4 -> 10.8-11.5 K/s).
 * Not safe to share across threads.
 */

import { viewBuffer } from '../base/view-buffer.js';

/** Below this length a byte loop beats a typed-array set() (which needs a view object); measured, Node 20. */
const LOOP_COPY_MAX = 32;

/** Copies src[start, end) to dst at pos. REQUIRES: the ranges lie within the arrays. */
export function copyRange(src: Uint8Array, start: number, end: number, dst: Uint8Array, pos: number): void {
  if (end - start <= LOOP_COPY_MAX) {
    for (let i = start; i < end; i++) dst[pos++] = src[i]!;
  } else {
    dst.set(new Uint8Array(src.buffer, src.byteOffset + start, end - start), pos);
  }
}

export type PackedEntry = [key: Buffer | undefined, value: Buffer | undefined];

export class EntryPacker {
  private stage: Uint8Array = new Uint8Array(64 * 1024);
  private used = 0;
  /** Per entry: end of its key, end of its value in the staging area (its key starts where the previous ended). */
  private ends: Int32Array = new Int32Array(2 * 1024);
  private n = 0;

  /** Entries added since the last take(). */
  get count(): number {
    return this.n;
  }

  /** Appends an entry: key bytes k[ks, ke) and value bytes v[vs, ve) (empty ranges for omitted parts). */
  add(k: Uint8Array, ks: number, ke: number, v: Uint8Array, vs: number, ve: number): void {
    const need = this.used + (ke - ks) + (ve - vs);
    if (need > this.stage.length) this.grow(need);
    const stage = this.stage;
    let pos = this.used;
    copyRange(k, ks, ke, stage, pos);
    pos += ke - ks;
    const keyEnd = pos;
    copyRange(v, vs, ve, stage, pos);
    pos += ve - vs;
    this.used = pos;
    let ends = this.ends;
    if (2 * this.n + 2 > ends.length) {
      ends = new Int32Array(ends.length * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    ends[2 * this.n] = keyEnd;
    ends[2 * this.n + 1] = pos;
    this.n++;
  }

  /**
   * For a producer that writes the staging area itself (the native scan step, src/db/native-scan.ts): the area,
   * the ends array (two ints per entry, as add() writes them) and the bytes used; reserve() first, commit() after.
   */
  get stageArea(): Uint8Array {
    return this.stage;
  }

  get endsArea(): Int32Array {
    return this.ends;
  }

  get bytesUsed(): number {
    return this.used;
  }

  /** Makes the staging area at least `bytes` long and the ends array hold `entries` more entries. */
  reserve(bytes: number, entries: number): void {
    if (bytes > this.stage.length) this.grow(bytes);
    const need = 2 * (this.n + entries);
    if (need > this.ends.length) {
      const ends = new Int32Array(Math.max(need, 2 * this.ends.length));
      ends.set(this.ends);
      this.ends = ends;
    }
  }

  /** Records what a producer wrote: `n` entries in all, `used` staging bytes. REQUIRES: as add() would leave it. */
  commit(n: number, used: number): void {
    this.n = n;
    this.used = used;
  }

  /** Drops the entries added since the last take(). */
  clear(): void {
    this.used = 0;
    this.n = 0;
  }

  /**
   * The batch as entries (key/value undefined where not wanted), in the order added; the packer is empty after.
   */
  take(keys: boolean, values: boolean): PackedEntry[] {
    const n = this.n;
    const out = new Array<PackedEntry>(n);
    if (n === 0) return out;
    const total = this.used;
    const buf = Buffer.allocUnsafe(total);
    buf.set(total === this.stage.length ? this.stage : this.stage.subarray(0, total), 0);
    const ends = this.ends;
    const ab = buf.buffer;
    const base = buf.byteOffset;
    let start = base;
    for (let i = 0; i < n; i++) {
      const keyEnd = base + ends[2 * i]!;
      const end = base + ends[2 * i + 1]!;
      out[i] = [keys ? viewBuffer(ab, start, keyEnd - start) : undefined, values ? viewBuffer(ab, keyEnd, end - keyEnd) : undefined];
      start = end;
    }
    this.clear();
    return out;
  }

  private grow(need: number): void {
    let size = this.stage.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.stage.subarray(0, this.used), 0);
    this.stage = next;
  }
}
