/**
 * classic-level adapter — LevelDB through classic-level 3 (abstract-level 3).
 *
 * Fastest idiomatic calls: getSync (abstract-level 3.1), batch(array), one put per call awaited, iterator nextv
 * with a large highWaterMarkBytes, one reused iterator for seek + nextv. Sync writes pass { sync: true }; LevelDB
 * groups concurrent writers into one log write itself.
 */

import { ClassicLevel } from 'classic-level';
import type { OpenOptions, StoreAdapter, Visit } from '../adapter.js';

type Db = ClassicLevel<Buffer, Buffer>;
type Op = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/** The part of classic-level's iterator that seekRead keeps between calls. */
interface SeekIterator {
  seek(target: Buffer): void;
  nextv(size: number): Promise<Array<[Buffer, Buffer]>>;
  close(): Promise<void>;
}

const NEXTV = 1000;
const HIGH_WATER_BYTES = 1024 * 1024;
const SYNC = { sync: true } as const;

export class ClassicLevelAdapter implements StoreAdapter {
  readonly name = 'classic-level';
  private db: Db | undefined;

  private get live(): Db {
    if (this.db === undefined) throw new Error('classic-level: not open');
    return this.db;
  }

  async open(dir: string, options: OpenOptions): Promise<void> {
    const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open({
      createIfMissing: true,
      compression: true,
      cacheSize: options.cacheSize,
      writeBufferSize: options.writeBufferSize,
    });
    this.db = db;
  }

  async close(): Promise<void> {
    await this.endSeeks();
    const db = this.db;
    this.db = undefined;
    if (db !== undefined) await db.close();
  }

  write(keys: readonly Buffer[], values: readonly (Buffer | null)[], count: number): Promise<void> {
    const ops: Op[] = new Array<Op>(count);
    for (let i = 0; i < count; i++) {
      const v = values[i];
      ops[i] = v == null ? { type: 'del', key: keys[i]! } : { type: 'put', key: keys[i]!, value: v };
    }
    return this.live.batch(ops);
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return this.live.put(key, value);
  }

  syncPut(key: Buffer, value: Buffer): Promise<void> {
    return this.live.put(key, value, SYNC);
  }

  syncPutConcurrent(key: Buffer, value: Buffer): Promise<void> {
    return this.live.put(key, value, SYNC);
  }

  get(key: Buffer): Buffer | undefined {
    return this.live.getSync(key);
  }

  async scan(reverse: boolean, visit: Visit): Promise<void> {
    const it = this.live.iterator({ reverse, highWaterMarkBytes: HIGH_WATER_BYTES });
    try {
      for (;;) {
        const entries = await it.nextv(NEXTV);
        if (entries.length === 0) break;
        for (const [k, v] of entries) visit(k, v);
      }
    } finally {
      await it.close();
    }
  }

  private seeker: SeekIterator | undefined;

  async seekRead(target: Buffer, count: number, visit: Visit): Promise<number> {
    if (this.seeker === undefined) this.seeker = this.live.iterator({ highWaterMarkBytes: HIGH_WATER_BYTES });
    this.seeker.seek(target);
    const entries = await this.seeker.nextv(count);
    for (const [k, v] of entries) visit(k, v);
    return entries.length;
  }

  async endSeeks(): Promise<void> {
    const s = this.seeker;
    this.seeker = undefined;
    if (s !== undefined) await s.close();
  }
}
