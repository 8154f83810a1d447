/**
 * inline-runner — runs jobs on the calling thread, one event-loop turn after they are started (see
 * ./job-runner.ts). For file systems that live in this thread, such as FaultInjectionVfs.
 */

import { runJob, type Job, type JobEnv } from './compaction-job.js';
import type { JobDone, JobRunner } from './job-runner.js';
import { removeQuietly } from '../manifest/manifest-files.js';

export class InlineRunner implements JobRunner {
  readonly kind = 'inline';
  private pending: { job: Job; done: JobDone; handle: NodeJS.Immediate } | undefined;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly env: JobEnv) {}

  get busy(): boolean {
    return this.pending !== undefined;
  }

  start(job: Job, done: JobDone): void {
    if (this.pending) throw new Error('inline-runner: a job is already running');
    const handle = setImmediate(() => this.execute());
    this.pending = { job, done, handle };
  }

  waitSync(): void {
    if (!this.pending) return;
    clearImmediate(this.pending.handle);
    this.execute();
  }

  removeFiles(paths: readonly string[]): void {
    // Best effort: an obsolete file left behind is removed by a later sweep.
    for (const path of paths) removeQuietly(this.env.vfs, path);
  }

  removalsDone(): Promise<void> {
    return Promise.resolve();
  }

  private execute(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    let result;
    try {
      result = runJob(p.job, this.env);
    } catch (e) {
      p.done(e as Error, undefined);
      this.wakeIdle();
      return;
    }
    p.done(undefined, result);
    this.wakeIdle();
  }

  private wakeIdle(): void {
    if (this.pending) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  close(): Promise<void> {
    if (!this.pending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
