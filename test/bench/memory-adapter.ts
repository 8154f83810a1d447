/**
 * memory-adapter — an in-memory StoreAdapter for driving the benchmark driver in-process, with switchable faults
 * that imitate a store skipping work. Test helper only.
 */

import type { OpenOptions, StoreAdapter, Visit } from '../../bench/db-bench/adapter.js';

export interface Faults {
  /** Drop every k-th entry handed to write() (k >= 1). */
  dropWriteEvery?: number;
  /** Ignore deletes in write(). */
  ignoreDeletes?: boolean;
  /** get() returns this many bytes of the value only. */
  truncateValues?: number;
  /** get() returns a stale value of the right length (the one written first). */
  staleReads?: boolean;
  /** scan() returns each key with its neighbour's value. */
  scanShiftedValues?: boolean;
  /** get() of a missing key returns a value. */
  phantomReads?: boolean;
  /** scan() skips every k-th entry. */
  skipScanEvery?: number;
  /** seekRead() returns at most this many entries. */
  seekCap?: number;
}

export class MemoryAdapter implements StoreAdapter {
  readonly name = 'memory';
  /** One map per directory, kept across close/open like files on disk. */
  private readonly dirs = new Map<string, Map<string, Buffer>>();
  private map = new Map<string, Buffer>();
  opens = 0;
  private isOpen = false;
  private written = 0;

  constructor(private readonly faults: Faults = {}) {}

  async open(dir: string, _o: OpenOptions): Promise<void> {
    if (this.isOpen) throw new Error('memory: already open');
    let m = this.dirs.get(dir);
    if (m === undefined) this.dirs.set(dir, (m = new Map()));
    this.map = m;
    this.isOpen = true;
    this.opens++;
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }

  private check(): void {
    if (!this.isOpen) throw new Error('memory: not open');
  }

  write(keys: readonly Buffer[], values: readonly (Buffer | null)[], count: number): void {
    this.check();
    for (let i = 0; i < count; i++) {
      this.written++;
      if (this.faults.dropWriteEvery && this.written % this.faults.dropWriteEvery === 0) continue;
      const v = values[i];
      if (v == null) {
        if (!this.faults.ignoreDeletes) this.map.delete(keys[i]!.toString('latin1'));
      } else this.map.set(keys[i]!.toString('latin1'), Buffer.from(v));
    }
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    this.write([key], [value], 1);
    return Promise.resolve();
  }

  syncPut(key: Buffer, value: Buffer): void {
    this.write([key], [value], 1);
  }

  async syncPutConcurrent(key: Buffer, value: Buffer): Promise<void> {
    await Promise.resolve();
    this.write([key], [value], 1);
  }

  get(key: Buffer): Buffer | undefined {
    this.check();
    const v = this.map.get(key.toString('latin1'));
    if (v === undefined) return this.faults.phantomReads ? Buffer.from('phantom') : undefined;
    if (this.faults.staleReads) return this.map.values().next().value;
    return this.faults.truncateValues !== undefined ? v.subarray(0, this.faults.truncateValues) : v;
  }

  private sorted(reverse: boolean): string[] {
    const keys = [...this.map.keys()].sort();
    return reverse ? keys.reverse() : keys;
  }

  async scan(reverse: boolean, visit: Visit): Promise<void> {
    this.check();
    let i = 0;
    const keys = this.sorted(reverse);
    for (const k of keys) {
      i++;
      if (this.faults.skipScanEvery && i % this.faults.skipScanEvery === 0) continue;
      const vk = this.faults.scanShiftedValues ? keys[i % keys.length]! : k;
      visit(Buffer.from(k, 'latin1'), this.map.get(vk)!);
    }
  }

  seekRead(target: Buffer, count: number, visit: Visit): number {
    this.check();
    const t = target.toString('latin1');
    const limit = Math.min(count, this.faults.seekCap ?? count);
    let seen = 0;
    for (const k of this.sorted(false)) {
      if (k < t) continue;
      if (seen === limit) break;
      visit(Buffer.from(k, 'latin1'), this.map.get(k)!);
      seen++;
    }
    return seen;
  }
}
