/**
 * rocksdb adapter — RocksDB through the `rocksdb` package (Level's leveldown-style binding, abstract-leveldown 7).
 *
 * Fastest idiomatic calls: batch(array) with callbacks, get with asBuffer, iterators with a large highWaterMark
 * (bytes fetched per native call) for scans and a small one for seek + 100 nexts, one reused iterator for seeks.
 * The package ships no types; the small surface used is declared here.
 */

import { createRequire } from 'node:module';
import type { OpenOptions, StoreAdapter, Visit } from '../adapter.js';

type Cb = (err: Error | null | undefined) => void;
interface RocksIterator {
  next(cb: (err: Error | null | undefined, key?: Buffer, value?: Buffer) => void): void;
  seek(target: Buffer): void;
  end(cb: Cb): void;
}
interface RocksDb {
  open(options: Record<string, unknown>, cb: Cb): void;
  close(cb: Cb): void;
  put(key: Buffer, value: Buffer, options: Record<string, unknown>, cb: Cb): void;
  get(key: Buffer, options: Record<string, unknown>, cb: (err: (Error & { message: string }) | null, v?: Buffer) => void): void;
  batch(ops: Array<{ type: 'put' | 'del'; key: Buffer; value?: Buffer }>, options: Record<string, unknown>, cb: Cb): void;
  iterator(options: Record<string, unknown>): RocksIterator;
}

const require = createRequire(import.meta.url);
const rocksdb = require('rocksdb') as (location: string) => RocksDb;

const SCAN_HIGH_WATER = 1024 * 1024;
const SEEK_HIGH_WATER = 16 * 1024;
const NO_SYNC = {};
const SYNC = { sync: true };
const GET_OPTS = { asBuffer: true, fillCache: true };

function call(fn: (cb: Cb) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

export class RocksdbAdapter implements StoreAdapter {
  readonly name = 'rocksdb';
  private db: RocksDb | undefined;
  private seeker: RocksIterator | undefined;

  private get live(): RocksDb {
    if (this.db === undefined) throw new Error('rocksdb: not open');
    return this.db;
  }

  async open(dir: string, options: OpenOptions): Promise<void> {
    const db = rocksdb(dir);
    await call((cb) =>
      db.open(
        { createIfMissing: true, compression: true, cacheSize: options.cacheSize, writeBufferSize: options.writeBufferSize },
        cb,
      ),
    );
    this.db = db;
  }

  async close(): Promise<void> {
    await this.endSeeks();
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) await call((cb) => db.close(cb));
  }

  write(keys: readonly Buffer[], values: readonly (Buffer | null)[], count: number): Promise<void> {
    const ops = new Array<{ type: 'put' | 'del'; key: Buffer; value?: Buffer }>(count);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      ops[i] = v == null ? { type: 'del', key: keys[i]! } : { type: 'put', key: keys[i]!, value: v };
    }
    const db = this.live;
    return call((cb) => db.batch(ops, NO_SYNC, cb));
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    const db = this.live;
    return call((cb) => db.put(key, value, NO_SYNC, cb));
  }

  syncPut(key: Buffer, value: Buffer): Promise<void> {
    const db = this.live;
    return call((cb) => db.put(key, value, SYNC, cb));
  }

  syncPutConcurrent(key: Buffer, value: Buffer): Promise<void> {
    return this.syncPut(key, value);
  }

  get(key: Buffer): Promise<Buffer | undefined> {
    const db = this.live;
    return new Promise((resolve, reject) =>
      db.get(key, GET_OPTS, (err, v) => {
        if (err) {
          if (/NotFound/i.test(err.message)) resolve(undefined);
          else reject(err);
        } else resolve(v);
      }),
    );
  }

  scan(reverse: boolean, visit: Visit): Promise<void> {
    const it = this.live.iterator({ reverse, highWaterMark: SCAN_HIGH_WATER, keyAsBuffer: true, valueAsBuffer: true });
    return new Promise((resolve, reject) => {
      const step = (err: Error | null | undefined, key?: Buffer, value?: Buffer): void => {
        if (err) {
          it.end(() => reject(err));
        } else if (key === undefined) {
          it.end((e) => (e ? reject(e) : resolve()));
        } else {
          try {
            visit(key, value!);
          } catch (e) {
            it.end(() => reject(e));
            return;
          }
          it.next(step);
        }
      };
      it.next(step);
    });
  }

  seekRead(target: Buffer, count: number, visit: Visit): Promise<number> {
    if (this.seeker === undefined) {
      this.seeker = this.live.iterator({ highWaterMark: SEEK_HIGH_WATER, keyAsBuffer: true, valueAsBuffer: true });
    }
    const it = this.seeker;
    it.seek(target);
    return new Promise((resolve, reject) => {
      let seen = 0;
      const step = (err: Error | null | undefined, key?: Buffer, value?: Buffer): void => {
        if (err) return reject(err);
        if (key === undefined) return resolve(seen);
        try {
          visit(key, value!);
        } catch (e) {
          return reject(e);
        }
        if (++seen === count) return resolve(seen);
        it.next(step);
      };
      it.next(step);
    });
  }

  async endSeeks(): Promise<void> {
    const s = this.seeker;
    this.seeker = undefined;
    if (s !== undefined) await call((cb) => s.end(cb));
  }
}
