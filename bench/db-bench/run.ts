/**
 * run — the orchestrator: for each round, each store (in an order rotated by round) runs in its own child process
 * on a fresh directory under one mkdtemp root, which is removed afterwards (also on failure).
 *
 * A child that dies or cannot load its store yields a StoreRun with `fatal` set, never an exception: one broken
 * store must not hide the others' numbers. The lsmkv child gets LSMKV_NATIVE from config.native.
 */

import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchConfig, StoreName } from './config.js';
import type { BenchEvent, StoreRun, WorkerJob, WorkerMessage } from './messages.js';

export interface RunOptions {
  /** Parent of the temporary root (default os.tmpdir()). */
  dir?: string;
  /** The worker script (default worker.js beside this file). */
  workerPath?: string;
  /** Node flags for the child (tests pass a TypeScript loader). */
  execArgv?: string[];
  onEvent?: (event: BenchEvent) => void;
}

/** Store order of round r: the list rotated left by r, so each store takes each position in turn. */
export function rotate<T>(list: readonly T[], r: number): T[] {
  if (list.length === 0) return [];
  const k = r % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

export async function runBench(config: BenchConfig, options: RunOptions = {}): Promise<StoreRun[]> {
  const root = await mkdtemp(join(options.dir ?? tmpdir(), 'lsmkv-db-bench-'));
  const runs: StoreRun[] = [];
  try {
    for (let round = 0; round < config.rounds; round++) {
      const order = rotate(config.stores, round);
      for (const [index, store] of order.entries()) {
        options.onEvent?.({ kind: 'store-start', store, round, rounds: config.rounds, index, count: order.length });
        const dir = join(root, `r${round}-${store}`);
        await mkdir(dir);
        const run = await runChild({ store, config, dir }, round, options);
        await rm(dir, { recursive: true, force: true });
        runs.push(run);
        options.onEvent?.({ kind: 'store-end', run });
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return runs;
}

function runChild(job: WorkerJob, round: number, options: RunOptions): Promise<StoreRun> {
  const workerPath = options.workerPath ?? fileURLToPath(new URL('./worker.js', import.meta.url));
  const env = { ...process.env };
  if (job.store === 'lsmkv' && job.config.native !== 'auto') env['LSMKV_NATIVE'] = job.config.native;
  if (job.store === 'lsmkv-ts') env['LSMKV_NATIVE'] = '0';
  const store: StoreName = job.store;
  return new Promise((resolve) => {
    const child = fork(workerPath, [JSON.stringify(job)], {
      env,
      execArgv: options.execArgv ?? [],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    let settled: StoreRun | undefined;
    const workloads: StoreRun['workloads'] = [];
    child.on('message', (raw) => {
      const msg = raw as WorkerMessage;
      switch (msg.type) {
        case 'progress':
          options.onEvent?.({ kind: 'progress', store, workload: msg.workload, done: msg.done, total: msg.total });
          break;
        case 'workload':
          workloads.push(msg.result);
          options.onEvent?.({ kind: 'workload', store, result: msg.result });
          break;
        case 'result':
          settled = { ...msg.result, store, round, peakRssBytes: msg.peakRssBytes };
          break;
        case 'fatal':
          settled = { workloads, store, round, fatal: msg.error };
          break;
      }
    });
    child.on('error', (e) => {
      settled ??= { workloads, store, round, fatal: `cannot start worker: ${e.message}` };
    });
    child.on('exit', (code, signal) => {
      if (settled === undefined) {
        const why = signal !== null ? `killed by ${signal}` : `exited with code ${code}`;
        settled = { workloads, store, round, fatal: `worker ${why}${stderr ? `: ${stderr.trim()}` : ''}` };
      }
      resolve(settled);
    });
  });
}
