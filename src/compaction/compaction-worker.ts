/**
 * compaction-worker — the worker thread entry point: receives Jobs over the port from ./worker-runner.ts, runs
 * them with ./compaction-job.ts on the node file system, and replies. Also removes obsolete files it is handed
 * (acknowledged with a `removed` reply, which does not bump the signal: no writer waits for it). Bumps the shared signal after every reply
 * so a main thread blocked in waitSync() wakes, and beats signal[1] as a heartbeat.
 */

import { workerData, type MessagePort } from 'node:worker_threads';
import { LsmkvError } from '../base/errors.js';
import { codecFor } from '../codec/loader.js';
import { nodeVfs } from '../vfs/node-vfs.js';
import { removeQuietly } from '../manifest/manifest-files.js';
import { runJob, type Job } from './compaction-job.js';
import type { WorkerReply } from './worker-runner.js';

const { port, signal, codecKind } = workerData as {
  port: MessagePort;
  signal: Int32Array;
  codecKind: 'native' | 'typescript';
};
const env = { vfs: nodeVfs, codec: codecFor(codecKind), onProgress: () => void Atomics.add(signal, 1, 1) };
// Heartbeat from the event loop while idle or between jobs (see worker-runner.ts).
setInterval(env.onProgress, 100).unref();

port.on('message', ({ id, job, remove }: { id: number; job?: Job; remove?: string[] }) => {
  if (remove !== undefined) {
    // Best effort: an obsolete file left behind is removed by a later sweep.
    for (const path of remove) removeQuietly(nodeVfs, path);
    port.postMessage({ id, removed: true } satisfies WorkerReply);
    return;
  }
  if (job === undefined) return;
  let reply: WorkerReply;
  try {
    reply = { id, result: runJob(job, env) };
  } catch (e) {
    const err = e as Error;
    reply = {
      id,
      error: {
        message: err.message,
        ...(err.stack !== undefined && { stack: err.stack }),
        ...(e instanceof LsmkvError && {
          code: e.code,
          ...(e.file !== undefined && { file: e.file }),
          ...(e.offset !== undefined && { offset: e.offset }),
        }),
      },
    };
  }
  port.postMessage(reply);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
