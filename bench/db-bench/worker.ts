/**
 * worker — the child process that runs one store: `node dist/bench/db-bench/worker.js '<WorkerJob JSON>'`.
 *
 * One store per process so that peak RSS, the heap and native threads of one library never touch another's
 * numbers. Reports progress (at most every 100 ms), each finished workload and the final result over the IPC
 * channel; without one (run by hand) it prints the result as JSON on stdout.
 */

import { createAdapter } from './adapters/index.js';
import { Driver } from './driver.js';
import type { WorkerJob, WorkerMessage } from './messages.js';

function send(msg: WorkerMessage): Promise<void> {
  if (typeof process.send !== 'function') {
    if (msg.type === 'result' || msg.type === 'fatal') process.stdout.write(`${JSON.stringify(msg)}\n`);
    return Promise.resolve();
  }
  return new Promise((resolve) => process.send!(msg, undefined, undefined, () => resolve()));
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (arg === undefined) throw new Error('db-bench worker: missing job argument');
  const job = JSON.parse(arg) as WorkerJob;
  const adapter = await createAdapter(job.store);
  let last = 0;
  const driver = new Driver(adapter, job.config, job.dir, {
    progress(workload, done, total) {
      const now = Date.now();
      if (done !== 0 && done !== total && now - last < 100) return;
      last = now;
      void send({ type: 'progress', workload, done, total });
    },
    workloadDone(result) {
      void send({ type: 'workload', result });
    },
  });
  const result = await driver.run();
  await send({ type: 'result', result, peakRssBytes: process.resourceUsage().maxRSS * 1024 });
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    await send({ type: 'fatal', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  },
);
