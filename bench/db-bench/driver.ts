/**
 * driver — runs the selected workloads against one store, in canonical order, timing each and verifying each.
 *
 * State flows like db_bench's: fillrandom builds the "main" database that overwrite, the reads, seekrandom,
 * deleterandom and reopen use (an untimed setup fill stands in when fillrandom is not selected); fillseq,
 * fillrandom-single and the fillsync pair each write a fresh database that is verified and removed. Every
 * workload ends with a check against the model (verify.ts); a failed check or an error marks that workload FAILED
 * and the run goes on. Verification that needs a full pass (after fills and deletes) is not timed.
 * Write loops yield to the event loop after every batch (every 1000 calls for single puts) so the event-loop delay
 * measured during writes is the delay the store itself causes.
 * REQUIRES: `baseDir` exists and is empty; the adapter is fresh (not open).
 */

import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { MaybePromise, OpenOptions, StoreAdapter } from './adapter.js';
import { type BenchConfig, type WorkloadName, WRITE_WORKLOADS, canonicalOrder, workloadOps } from './config.js';
import { diskUsage } from './disk-usage.js';
import { KEY_SIZE, KeySpace } from './keys.js';
import { permutation, randomIndices } from './random.js';
import { ValueSource } from './values.js';
import { ExpectedState, VerificationError, Verifier } from './verify.js';

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface WorkloadResult {
  workload: WorkloadName;
  ok: boolean;
  error?: string;
  ops: number;
  seconds: number;
  /** User bytes moved (key + value per entry written or read). */
  bytes: number;
  opsPerSec: number;
  /** bytes / 2^20 per second, as db_bench reports MB/s. */
  mbPerSec: number;
  eventLoop?: LoopDelay;
}

export interface DriverResult {
  workloads: WorkloadResult[];
  /** Main database right after fillrandom (open), and its live user bytes then. */
  diskAfterFill?: number;
  liveBytesAfterFill?: number;
  /** Main database after the final close, and its live user bytes then. */
  diskAfterClose?: number;
  liveBytesAfterClose?: number;
  /** Event-loop delay over the write workloads: median of their p50s, worst p99, worst max. (One histogram per
   *  workload: an IntervalHistogram that is disabled and enabled again counts the gap as one huge delay.) */
  eventLoopWrites?: LoopDelay;
  /** adapter.engineStats() just before the main database closed. */
  engineStats?: Record<string, unknown>;
}

export interface DriverHooks {
  progress?(workload: WorkloadName, done: number, total: number): void;
  workloadDone?(result: WorkloadResult): void;
}

const yieldLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const SAMPLES = 1000;

function delayOf(h: IntervalHistogram): LoopDelay | undefined {
  if (h.count === 0) return undefined;
  return { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
}

export class Driver {
  private readonly keys: KeySpace;
  private readonly values: ValueSource;
  private readonly verifier: Verifier;
  private readonly entryBytes: number;
  private readonly openOptions: OpenOptions;
  private readonly durableOptions: OpenOptions;
  private readonly main: ExpectedState;
  private mainOpen = false;
  private readonly out: DriverResult = { workloads: [] };
  private readonly orders = new Map<string, Uint32Array>();

  constructor(
    private readonly adapter: StoreAdapter,
    private readonly config: BenchConfig,
    private readonly baseDir: string,
    private readonly hooks: DriverHooks = {},
  ) {
    this.keys = new KeySpace(config.n);
    this.values = new ValueSource(config.seed, config.valueSize);
    this.verifier = new Verifier(this.keys, this.values);
    this.entryBytes = KEY_SIZE + config.valueSize;
    this.openOptions = { durable: false, cacheSize: config.cacheSize, writeBufferSize: config.writeBufferSize };
    this.durableOptions = { ...this.openOptions, durable: true };
    this.main = new ExpectedState(config.n);
  }

  /** Seeded orders, identical for every store (the seed offsets name the purpose). */
  private order(name: 'fill' | 'overwrite' | 'read' | 'delete' | 'seek'): Uint32Array {
    let o = this.orders.get(name);
    if (o === undefined) {
      const { n, seed } = this.config;
      const offsets = { fill: 1, overwrite: 2, read: 3, delete: 4, seek: 5 };
      o =
        name === 'seek'
          ? randomIndices(workloadOps('seekrandom', n), n, seed + offsets.seek)
          : permutation(n, seed + offsets[name]);
      this.orders.set(name, o);
    }
    return o;
  }

  async run(): Promise<DriverResult> {
    for (const w of canonicalOrder(this.config.workloads)) {
      const result = await this.runOne(w);
      this.out.workloads.push(result);
      this.hooks.workloadDone?.(result);
    }
    await this.closeMain();
    const delays = this.out.workloads.map((w) => w.eventLoop).filter((d): d is LoopDelay => d !== undefined);
    if (delays.length > 0) {
      const p50s = delays.map((d) => d.p50Ms).sort((a, b) => a - b);
      this.out.eventLoopWrites = {
        p50Ms: p50s[p50s.length >> 1]!,
        p99Ms: Math.max(...delays.map((d) => d.p99Ms)),
        maxMs: Math.max(...delays.map((d) => d.maxMs)),
      };
    }
    return this.out;
  }

  private async runOne(w: WorkloadName): Promise<WorkloadResult> {
    const total = workloadOps(w, this.config.n);
    const isWrite = WRITE_WORKLOADS.has(w);
    const own = monitorEventLoopDelay({ resolution: 5 });
    const result: WorkloadResult = { workload: w, ok: false, ops: total, seconds: 0, bytes: 0, opsPerSec: 0, mbPerSec: 0 };
    const tick = (done: number): void => this.hooks.progress?.(w, done, total);
    let t0 = 0;
    const timer = {
      start: (): void => {
        if (isWrite) own.enable();
        tick(0);
        t0 = performance.now();
      },
      stop: (): void => {
        result.seconds = (performance.now() - t0) / 1000;
        if (isWrite) own.disable();
        tick(total);
      },
    };
    try {
      result.bytes = await this.workload(w, total, timer, tick);
      result.ok = true;
    } catch (e) {
      if (isWrite) own.disable();
      result.error = e instanceof VerificationError ? `verification: ${e.message}` : e instanceof Error ? e.message : String(e);
    }
    if (result.seconds > 0) {
      result.opsPerSec = result.ops / result.seconds;
      result.mbPerSec = result.bytes / 1048576 / result.seconds;
    }
    const d = delayOf(own);
    if (d) result.eventLoop = d;
    return result;
  }

  /** Runs workload w between timer.start() and timer.stop(), verifies it, and returns the user bytes moved. */
  private async workload(
    w: WorkloadName,
    total: number,
    timer: { start(): void; stop(): void },
    tick: (done: number) => void,
  ): Promise<number> {
    const { n, batchSize } = this.config;
    switch (w) {
      case 'fillseq':
        return this.fresh(w, false, null, total, async () => {
          timer.start();
          await this.writeBatched(null, total, 0, batchSize, tick);
          timer.stop();
        });
      case 'fillrandom': {
        await this.resetMain();
        timer.start();
        await this.writeBatched(this.order('fill'), n, 0, batchSize, tick);
        timer.stop();
        this.main.markLive(null, n);
        this.main.version = 0;
        await this.verifyScan(this.main);
        this.out.diskAfterFill = await diskUsage(join(this.baseDir, 'main'));
        this.out.liveBytesAfterFill = this.main.liveCount * this.entryBytes;
        return n * this.entryBytes;
      }
      case 'overwrite': {
        await this.ensureMain();
        const version = this.main.version + 1;
        timer.start();
        await this.writeBatched(this.order('overwrite'), n, version, batchSize, tick);
        timer.stop();
        this.main.version = version;
        this.main.markLive(null, n);
        await this.verifySample(this.main);
        return n * this.entryBytes;
      }
      case 'readrandom':
      case 'readmissing': {
        await this.ensureMain();
        timer.start();
        const found = await this.getEach(w === 'readmissing', tick);
        timer.stop();
        return found * this.entryBytes;
      }
      case 'readseq':
      case 'readreverse': {
        await this.ensureMain();
        const check = this.verifier.scan(this.main, w === 'readreverse');
        timer.start();
        const r = this.adapter.scan(w === 'readreverse', check.visit);
        if (r instanceof Promise) await r;
        timer.stop();
        return check.finish() * this.entryBytes;
      }
      case 'seekrandom': {
        await this.ensureMain();
        const order = this.order('seek');
        const nexts = this.config.seekNexts;
        const check = this.verifier.seek(this.main, this.main.liveSuffix());
        const a = this.adapter;
        let entries = 0;
        timer.start();
        try {
          for (let s = 0; s < total; s++) {
            const i = order[s]!;
            check.begin(i);
            const r = a.seekRead(this.keys.key(i), nexts, check.visit);
            const got = r instanceof Promise ? await r : r;
            check.finish(got, nexts);
            entries += got;
            if ((s & 127) === 127) {
              tick(s + 1);
              await yieldLoop();
            }
          }
          timer.stop();
        } finally {
          await a.endSeeks?.();
        }
        return entries * this.entryBytes;
      }
      case 'deleterandom': {
        await this.ensureMain();
        const order = this.order('delete');
        timer.start();
        await this.writeBatched(order, total, -1, batchSize, tick);
        timer.stop();
        this.main.markDeleted(order, total);
        await this.verifySample(this.main, order, total);
        await this.verifyScan(this.main);
        return total * KEY_SIZE;
      }
      case 'reopen': {
        await this.ensureMain();
        this.captureEngineStats();
        this.mainOpen = false;
        // Timed: the open after a clean close (what the "open after close" target is about). close() is not
        // timed: lsmkv flushes its memtable there so that open has no WAL to replay, LevelDB replays it in open.
        await this.adapter.close();
        timer.start();
        await this.adapter.open(join(this.baseDir, 'main'), this.openOptions);
        this.mainOpen = true;
        timer.stop();
        await this.verifySample(this.main);
        return 0;
      }
      case 'fillrandom-single':
        return this.fresh(w, false, this.order('fill'), total, async () => {
          timer.start();
          await this.putEach((k, v) => this.adapter.put(k, v), total, 1024, tick);
          timer.stop();
        });
      case 'fillsync':
        return this.fresh(w, true, this.order('fill'), total, async () => {
          timer.start();
          await this.putEach((k, v) => this.adapter.syncPut(k, v), total, 64, tick);
          timer.stop();
        });
      case 'fillsync-concurrent':
        return this.fresh(w, true, this.order('fill'), total, async () => {
          const order = this.order('fill');
          const a = this.adapter;
          let next = 0;
          let done = 0;
          const writer = async (): Promise<void> => {
            while (next < total) {
              const i = order[next++]!;
              await a.syncPutConcurrent(this.keys.key(i), this.values.value(i, 0));
              if ((++done & 63) === 0) tick(done);
            }
          };
          timer.start();
          await Promise.all(Array.from({ length: Math.min(this.config.syncWriters, total) }, writer));
          timer.stop();
        });
    }
  }

  /** Batched writes of `count` entries in `order` (0..count-1 if null); version < 0 deletes. */
  private async writeBatched(
    order: Uint32Array | null,
    count: number,
    version: number,
    batchSize: number,
    tick: (done: number) => void,
  ): Promise<void> {
    const a = this.adapter;
    const keys = new Array<Buffer>(batchSize);
    const vals = new Array<Buffer | null>(batchSize);
    for (let s = 0; s < count; s += batchSize) {
      const m = Math.min(batchSize, count - s);
      for (let j = 0; j < m; j++) {
        const i = order === null ? s + j : order[s + j]!;
        keys[j] = this.keys.key(i);
        vals[j] = version < 0 ? null : this.values.value(i, version);
      }
      const r = a.write(keys, vals, m);
      if (r instanceof Promise) await r;
      tick(s + m);
      await yieldLoop();
    }
  }

  /** n point reads in read order, each verified, of present keys or (missing) of never-written ones; returns hits. */
  private async getEach(missing: boolean, tick: (done: number) => void): Promise<number> {
    const order = this.order('read');
    const a = this.adapter;
    let found = 0;
    for (let s = 0; s < order.length; s++) {
      const i = order[s]!;
      const r = a.get(missing ? this.keys.missingKey(i) : this.keys.key(i));
      const v = r instanceof Promise ? await r : r;
      if (missing) this.verifier.expectMissing(i, v);
      else this.verifier.expectRead(this.main, i, v);
      if (v !== undefined) found++;
      if ((s & 1023) === 1023) {
        tick(s + 1);
        await yieldLoop();
      }
    }
    return found;
  }

  /** One put per call of the first `count` keys in fill order; progress and a yield every `every` (a power of 2). */
  private async putEach(
    put: (key: Buffer, value: Buffer) => MaybePromise<void>,
    count: number,
    every: number,
    tick: (done: number) => void,
  ): Promise<void> {
    const order = this.order('fill');
    const mask = every - 1;
    for (let s = 0; s < count; s++) {
      const i = order[s]!;
      const r = put(this.keys.key(i), this.values.value(i, 0));
      if (r instanceof Promise) await r;
      if ((s & mask) === mask) {
        tick(s + 1);
        await yieldLoop();
      }
    }
  }

  /** A fresh database in its own directory: body() writes it, then it is verified by a full scan and removed. */
  private async fresh(
    w: WorkloadName,
    durable: boolean,
    order: Uint32Array | null,
    count: number,
    body: () => Promise<void>,
  ): Promise<number> {
    await this.closeMain();
    const dir = join(this.baseDir, w);
    await mkdir(dir, { recursive: true });
    await this.adapter.open(dir, durable ? this.durableOptions : this.openOptions);
    try {
      await body();
      const state = new ExpectedState(this.config.n);
      state.markLive(order, count);
      await this.verifyScan(state);
    } finally {
      await this.adapter.close();
      await rm(dir, { recursive: true, force: true });
    }
    return count * this.entryBytes;
  }

  /** Closes the main database (if open), keeping the engine's statistics and the disk usage after close. */
  private async closeMain(): Promise<void> {
    if (!this.mainOpen) return;
    this.mainOpen = false;
    try {
      this.captureEngineStats();
    } finally {
      await this.adapter.close();
    }
    this.out.diskAfterClose = await diskUsage(join(this.baseDir, 'main'));
    this.out.liveBytesAfterClose = this.main.liveCount * this.entryBytes;
  }

  private async resetMain(): Promise<void> {
    await this.closeMain();
    const dir = join(this.baseDir, 'main');
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    this.main.live.fill(0);
    this.main.liveCount = 0;
    await this.adapter.open(dir, this.openOptions);
    this.mainOpen = true;
  }

  /** Keeps the engine's statistics of the main database; counters restart at open, so a session that wrote
   *  nothing (after reopen) does not replace one that did. */
  private captureEngineStats(): void {
    const stats = this.adapter.engineStats?.();
    if (stats === undefined) return;
    const wrote = (s: Record<string, unknown> | undefined): boolean => typeof s?.['userBytesWritten'] === 'number' && s['userBytesWritten'] > 0;
    if (this.out.engineStats === undefined || wrote(stats) || !wrote(this.out.engineStats)) this.out.engineStats = stats;
  }

  /** Opens the main database, filling it (untimed) if fillrandom has not run. */
  private async ensureMain(): Promise<void> {
    if (this.mainOpen) return;
    if (this.main.liveCount > 0) {
      await this.adapter.open(join(this.baseDir, 'main'), this.openOptions);
      this.mainOpen = true;
      return;
    }
    await this.resetMain();
    await this.writeBatched(this.order('fill'), this.config.n, 0, this.config.batchSize, () => {});
    this.main.markLive(null, this.config.n);
    this.main.version = 0;
  }

  /** Untimed: a full forward scan must match the model exactly. */
  private async verifyScan(state: ExpectedState): Promise<void> {
    const check = this.verifier.scan(state, false);
    const r = this.adapter.scan(false, check.visit);
    if (r instanceof Promise) await r;
    check.finish();
  }

  /** Untimed: point reads of up to SAMPLES indices spread over the key space (and of `touched`, if given). */
  private async verifySample(state: ExpectedState, touched?: Uint32Array, touchedCount = 0): Promise<void> {
    const n = this.config.n;
    const step = Math.max(1, Math.floor(n / SAMPLES));
    const probe = async (i: number): Promise<void> => {
      const r = this.adapter.get(this.keys.key(i));
      this.verifier.expectRead(state, i, r instanceof Promise ? await r : r);
    };
    for (let i = 0; i < n; i += step) await probe(i);
    if (touched) {
      const tstep = Math.max(1, Math.floor(touchedCount / SAMPLES));
      for (let s = 0; s < touchedCount; s += tstep) await probe(touched[s]!);
    }
  }
}
