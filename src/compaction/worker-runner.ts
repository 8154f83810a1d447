/**
 * worker-runner — runs jobs on one worker thread (./compaction-worker.ts) over the node file system.
 *
 * Results come back over a MessagePort. A shared Int32Array counts finished jobs so that waitSync() can block
 * with Atomics.wait and then take the result with receiveMessageOnPort, without an event-loop turn: that is how
 * a synchronous writer waits out a write stop. The worker is unref'd while idle so an idle database does not keep
 * the process alive.
 *
 * A worker that dies (out of memory, terminated) is reported by the Worker's 'error'/'exit' events, but those
 * need the event loop that waitSync() is blocking. So the worker also beats a heartbeat (signal[1]): every 100 ms
 * from its event loop, and every few thousand entries from inside a running job. waitSync() declares the worker
 * dead after WORKER_SILENCE_MS without a beat: the job fails and the database turns read-only.
 * The thread starts with the first job, not in the constructor (see ensureStarted).
 * The worker starts with an empty execArgv: the parent's flags (e.g. `--input-type=module -e`) are not for it.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { LsmkvError, type ErrorCode } from '../base/errors.js';
import type { Job, JobResult } from './compaction-job.js';
import type { JobDone, JobRunner } from './job-runner.js';
import { nodeVfs } from '../vfs/node-vfs.js';
import { removeQuietly } from '../manifest/manifest-files.js';

/** Heartbeat silence after which waitSync() gives the worker up for dead. */
export const WORKER_SILENCE_MS = 10_000;

export interface WorkerReply {
  id: number;
  /** The acknowledgement of a removeFiles request with this id. */
  removed?: true;
  result?: JobResult;
  error?: { code?: ErrorCode; message: string; file?: string; offset?: number; stack?: string };
}

/** The compiled worker script. Under vitest this module runs from src/*.ts; the worker always runs compiled JS. */
export function workerScriptPath(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return here.replace(/worker-runner\.js$/, 'compaction-worker.js');
  const compiled = here
    .replace(/([\\/])src([\\/])compaction([\\/])worker-runner\.ts$/, '$1dist$2src$2compaction$3compaction-worker.js');
  if (!existsSync(compiled)) {
    throw new LsmkvError(
      'LSMKV_NOT_SUPPORTED',
      `compaction: compiled worker not found at ${compiled}; run 'npm run build' (or use background: 'inline')`,
    );
  }
  return compiled;
}

function reviveError(e: NonNullable<WorkerReply['error']>): Error {
  if (e.code !== undefined) {
    const err = new LsmkvError(e.code, e.message, {
      ...(e.file !== undefined && { file: e.file }),
      ...(e.offset !== undefined && { offset: e.offset }),
    });
    if (e.stack) err.stack = e.stack;
    return err;
  }
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

export class WorkerRunner implements JobRunner {
  readonly kind = 'worker';
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  /** [0] replies sent, [1] heartbeat. */
  private readonly signal = new Int32Array(new SharedArrayBuffer(8));
  private nextId = 1;
  private running: { id: number; done: JobDone } | undefined;
  /** Ids of removeFiles requests the worker has not acknowledged yet. */
  private readonly removals = new Set<number>();
  private removalWaiters: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  private fatal: Error | undefined;
  private watchdog: NodeJS.Timeout | undefined;

  /** The script is located now (a missing build fails open, not the first flush); the thread starts lazily. */
  constructor(private readonly codecKind: 'native' | 'typescript') {
    this.script = workerScriptPath();
  }

  private readonly script: string;

  /**
   * Starts the thread on the first job: an open that never flushes or compacts (or a reopen after a clean close,
   * measured ~3-5 ms for two workers on the open path) does not pay for it.
   */
  private ensureStarted(): { worker: Worker; port: MessagePort } {
    if (this.worker !== undefined && this.port !== undefined) return { worker: this.worker, port: this.port };
    const { port1, port2 } = new MessageChannel();
    const port = port1;
    const worker = new Worker(this.script, {
      workerData: { port: port2, signal: this.signal, codecKind: this.codecKind },
      transferList: [port2],
      execArgv: [],
    });
    worker.unref();
    port.unref();
    port.on('message', (m: WorkerReply) => this.onReply(m));
    worker.on('error', (e) => this.onWorkerDeath(e));
    worker.on('exit', (code) => {
      if (!this.closed) this.onWorkerDeath(new Error(`compaction: worker exited with code ${code}`));
    });
    this.worker = worker;
    this.port = port;
    return { worker, port };
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  start(job: Job, done: JobDone): void {
    if (this.running) throw new Error('worker-runner: a job is already running');
    if (this.fatal) {
      const err = this.fatal;
      queueMicrotask(() => done(err, undefined));
      return;
    }
    const { port } = this.ensureStarted();
    const id = this.nextId++;
    this.running = { id, done };
    this.startWatchdog();
    this.updateRef();
    // A flush job's memtable image is SharedArrayBuffers: shared with the worker, not copied.
    port.postMessage({ id, job });
  }

  removeFiles(paths: readonly string[]): void {
    if (paths.length === 0) return;
    if (this.closed || this.fatal) {
      // No thread to hand them to: remove them here.
      // Best effort: an obsolete file left behind is removed by a later sweep.
      for (const path of paths) removeQuietly(nodeVfs, path);
      return;
    }
    const { port } = this.ensureStarted();
    const id = this.nextId++;
    this.removals.add(id);
    this.updateRef();
    port.postMessage({ id, remove: [...paths] });
  }

  removalsDone(): Promise<void> {
    if (this.removals.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.removalWaiters.push(resolve));
  }

  /** The thread keeps the process alive only while it has work: a job or removals not yet acknowledged. */
  private updateRef(): void {
    if (this.running !== undefined || this.removals.size > 0) {
      this.worker?.ref();
      this.port?.ref();
    } else {
      this.worker?.unref();
      this.port?.unref();
    }
  }

  /** The same heartbeat rule as waitSync(), for jobs awaited asynchronously (flush(), close(), async writers). */
  private startWatchdog(): void {
    let beat = Atomics.load(this.signal, 1);
    let lastBeatAt = Date.now();
    this.watchdog = setInterval(() => {
      const b = Atomics.load(this.signal, 1);
      if (b !== beat) {
        beat = b;
        lastBeatAt = Date.now();
      } else if (Date.now() - lastBeatAt > WORKER_SILENCE_MS) {
        this.onWorkerDeath(this.silenceError());
        void this.worker?.terminate();
      }
    }, 1000);
    this.watchdog.unref();
  }

  private stopWatchdog(): void {
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private silenceError(): LsmkvError {
    return new LsmkvError(
      'LSMKV_IO_ERROR',
      `compaction: the background worker died or stopped responding (no heartbeat for ${WORKER_SILENCE_MS} ms)`,
    );
  }

  private onReply(m: WorkerReply): void {
    if (m.removed === true) {
      this.removals.delete(m.id);
      this.updateRef();
      this.wakeIdle();
      return;
    }
    const r = this.running;
    if (!r || r.id !== m.id) return;
    this.stopWatchdog();
    this.running = undefined;
    this.updateRef();
    if (m.error) r.done(reviveError(m.error), undefined);
    else r.done(undefined, m.result);
    this.wakeIdle();
  }

  private onWorkerDeath(e: Error): void {
    this.stopWatchdog();
    this.fatal = e;
    // Removals it did not acknowledge are lost (best effort); nobody waits for them any more.
    this.removals.clear();
    const r = this.running;
    this.running = undefined;
    if (r) r.done(e, undefined);
    this.wakeIdle();
  }

  waitSync(): void {
    let beat = Atomics.load(this.signal, 1);
    let lastBeatAt = Date.now();
    while (this.running) {
      const seen = Atomics.load(this.signal, 0);
      const msg = this.port === undefined ? undefined : receiveMessageOnPort(this.port);
      if (msg) {
        this.onReply(msg.message as WorkerReply);
        continue;
      }
      if (this.fatal) return;
      Atomics.wait(this.signal, 0, seen, 250);
      const now = Date.now();
      const b = Atomics.load(this.signal, 1);
      if (b !== beat) {
        beat = b;
        lastBeatAt = now;
      } else if (now - lastBeatAt > WORKER_SILENCE_MS) {
        this.onWorkerDeath(this.silenceError());
        void this.worker?.terminate();
      }
    }
  }

  private wakeIdle(): void {
    if (this.removals.size === 0) {
      const removed = this.removalWaiters;
      this.removalWaiters = [];
      for (const w of removed) w();
    }
    if (this.running || this.removals.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  async close(): Promise<void> {
    if (this.running || this.removals.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.closed) return;
    this.closed = true;
    this.port?.close();
    await this.worker?.terminate();
  }
}
