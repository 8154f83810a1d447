/**
 * messages — what the benchmark's child process (worker.ts) and its parent (run.ts) say to each other over the
 * IPC channel, plus what the parent reports to its own listener (the progress bar). Plain JSON data.
 */

import type { BenchConfig, StoreName, WorkloadName } from './config.js';
import type { DriverResult, WorkloadResult } from './driver.js';

/** The child's only argument (JSON). */
export interface WorkerJob {
  store: StoreName;
  config: BenchConfig;
  /** An existing empty directory the child owns. */
  dir: string;
}

/** One store's run in one process. */
export interface StoreRun extends DriverResult {
  store: StoreName;
  round: number;
  /** Peak resident set size of the child process. */
  peakRssBytes?: number;
  /** Set when the child could not run at all (load failure, crash); every workload then counts as FAILED. */
  fatal?: string;
}

export type WorkerMessage =
  | { type: 'progress'; workload: WorkloadName; done: number; total: number }
  | { type: 'workload'; result: WorkloadResult }
  | { type: 'result'; result: DriverResult; peakRssBytes: number }
  | { type: 'fatal'; error: string };

export type BenchEvent =
  | { kind: 'store-start'; store: StoreName; round: number; rounds: number; index: number; count: number }
  | { kind: 'progress'; store: StoreName; workload: WorkloadName; done: number; total: number }
  | { kind: 'workload'; store: StoreName; result: WorkloadResult }
  | { kind: 'store-end'; run: StoreRun };
