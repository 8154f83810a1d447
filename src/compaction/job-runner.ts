/**
 * job-runner — where flushes and compactions run. Two runners share one contract:
 *  - WorkerRunner (./worker-runner.ts): a worker thread on the node file system, so the main thread stays free;
 *  - InlineRunner (./inline-runner.ts): the calling thread, between event-loop turns; used with a custom Vfs
 *    (for example FaultInjectionVfs), which lives in this thread and cannot be reached from a worker.
 *
 * One job at a time. `done` is called exactly once per started job, on the main thread, either from an event-loop
 * callback or from inside waitSync(); the db installs the result there.
 */

import type { Job, JobResult } from './compaction-job.js';

export type JobDone = (error: Error | undefined, result: JobResult | undefined) => void;

export interface JobRunner {
  readonly kind: 'worker' | 'inline';
  readonly busy: boolean;
  /** REQUIRES: !busy */
  start(job: Job, done: JobDone): void;
  /** Blocks the calling thread until the running job has finished and its `done` has run. No-op when idle. */
  waitSync(): void;
  /**
   * Removes obsolete files (absolute paths), best effort, on the runner's thread: the worker unlinks them after its
   * running job, so a large unlink (a 64 MiB WAL: up to ~34 ms measured) is not an event-loop turn of the caller;
   * the inline runner removes them now. close() waits for removals already handed over.
   * REQUIRES: nothing references the files any more (the caller decided they are obsolete).
   */
  removeFiles(paths: readonly string[]): void;
  /** Resolves once every removal handed over so far is done (compactRange reports reclaimed space by then). */
  removalsDone(): Promise<void>;
  /** Waits for the running job and the removals handed over, then releases the thread. Idempotent. */
  close(): Promise<void>;
}
