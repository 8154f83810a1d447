/**
 * lmdb adapter — LMDB through lmdb-js.
 *
 * Fastest idiomatic calls: synchronous get, transactionSync for a batch, putSync for one put per call, getRange
 * for scans and seeks, async put (lmdb-js batches every put of an event turn into one commit) for concurrent
 * durable writers. Keys and values are raw bytes (keyEncoding/encoding 'binary').
 * Durability matches the other stores: a non-durable database opens with noSync (a commit is in the OS on return,
 * like an unsynced WAL append); a durable one opens with overlappingSync off, so every commit is fsynced before
 * putSync returns or a put's promise resolves.
 */

import { open, type RootDatabase } from 'lmdb';
import type { OpenOptions, StoreAdapter, Visit } from '../adapter.js';

type Db = RootDatabase<Buffer, Buffer>;

export class LmdbAdapter implements StoreAdapter {
  readonly name = 'lmdb';
  private db: Db | undefined;

  private get live(): Db {
    if (this.db === undefined) throw new Error('lmdb: not open');
    return this.db;
  }

  async open(dir: string, options: OpenOptions): Promise<void> {
    this.db = open<Buffer, Buffer>(dir, {
      keyEncoding: 'binary',
      encoding: 'binary',
      ...(options.durable ? { overlappingSync: false } : { noSync: true }),
    });
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) await db.close();
  }

  write(keys: readonly Buffer[], values: readonly (Buffer | null)[], count: number): void {
    const db = this.live;
    db.transactionSync(() => {
      for (let i = 0; i < count; i++) {
        const v = values[i];
        if (v == null) db.removeSync(keys[i]!);
        else db.putSync(keys[i]!, v);
      }
    });
  }

  put(key: Buffer, value: Buffer): void {
    this.live.putSync(key, value);
  }

  syncPut(key: Buffer, value: Buffer): void {
    this.live.putSync(key, value);
  }

  async syncPutConcurrent(key: Buffer, value: Buffer): Promise<void> {
    await this.live.put(key, value);
  }

  get(key: Buffer): Buffer | undefined {
    return this.live.get(key);
  }

  scan(reverse: boolean, visit: Visit): void {
    for (const { key, value } of this.live.getRange({ reverse })) visit(key, value);
  }

  seekRead(target: Buffer, count: number, visit: Visit): number {
    let seen = 0;
    for (const { key, value } of this.live.getRange({ start: target, limit: count })) {
      visit(key, value);
      seen++;
    }
    return seen;
  }
}
