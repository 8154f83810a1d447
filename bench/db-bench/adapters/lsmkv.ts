/**
 * lsmkv adapter — this project's engine, through its public surface (src/index.ts) only.
 *
 * Synchronous put/get/write/iterator (no promise per call), batch + write for batches, putAsync with sync: true
 * for concurrent durable writers (group commit), iterator nextv for scans, one reused iterator with seek + nextv
 * for seeks. Loaded only when lsmkv is among the stores (adapters/index.ts).
 */

import { open, type Db, type DbIterator } from '../../../src/index.js';
import type { OpenOptions, StoreAdapter, Visit } from '../adapter.js';

const NEXTV = 1000;
const SYNC = { sync: true } as const;

export class LsmkvAdapter implements StoreAdapter {
  readonly name = 'lsmkv';
  private db: Db | undefined;
  private seeker: DbIterator<Buffer, Buffer> | undefined;

  private get live(): Db {
    if (this.db === undefined) throw new Error('lsmkv: not open');
    return this.db;
  }

  async open(dir: string, options: OpenOptions): Promise<void> {
    this.db = await open(dir, {
      blockCacheSize: options.cacheSize,
      writeBufferSize: options.writeBufferSize,
      compression: 'snappy',
    });
  }

  async close(): Promise<void> {
    await this.endSeeks();
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) await db.close();
  }

  write(keys: readonly Buffer[], values: readonly (Buffer | null)[], count: number): void {
    const db = this.live;
    const b = db.batch();
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v == null) b.delete(keys[i]!);
      else b.put(keys[i]!, v);
    }
    db.write(b);
  }

  put(key: Buffer, value: Buffer): void {
    this.live.put(key, value);
  }

  syncPut(key: Buffer, value: Buffer): void {
    this.live.put(key, value, SYNC);
  }

  syncPutConcurrent(key: Buffer, value: Buffer): Promise<void> {
    return this.live.putAsync(key, value, SYNC);
  }

  get(key: Buffer): Buffer | undefined {
    return this.live.get(key);
  }

  scan(reverse: boolean, visit: Visit): void {
    const it = this.live.iterator({ reverse });
    try {
      for (;;) {
        const entries = it.nextv(NEXTV);
        if (entries.length === 0) break;
        for (const [k, v] of entries) visit(k, v);
      }
    } finally {
      it.close();
    }
  }

  seekRead(target: Buffer, count: number, visit: Visit): number {
    if (this.seeker === undefined) this.seeker = this.live.iterator();
    this.seeker.seek(target);
    const entries = this.seeker.nextv(count);
    for (const [k, v] of entries) visit(k, v);
    return entries.length;
  }

  async endSeeks(): Promise<void> {
    this.seeker?.close();
    this.seeker = undefined;
  }

  engineStats(): Record<string, unknown> {
    return { ...this.live.stats() };
  }
}
