/**
 * Regression (fixed): a synchronous writer at a write stop hangs forever when the compaction worker has died.
 * WorkerRunner.waitSync() loops on Atomics.wait/receiveMessageOnPort until the job replies or `fatal` is set, but
 * `fatal` is only set by the Worker's 'error'/'exit' events, which need the event loop that waitSync is blocking.
 * A worker that dies mid-job (out of memory, a crash, terminate) therefore blocks db.put() forever.
 * Expected: waitSync notices the dead worker (e.g. a bounded wait that checks worker liveness, or the worker
 * writing a "died" flag into the shared signal) and the write throws (or the db turns read-only).
 * The worker is started and terminated through the compiled package's private members, in a child process with a
 * timeout.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp-dir.js';

const DIST = pathToFileURL(fileURLToPath(new URL('../../../dist/src/index.js', import.meta.url))).href;

describe('regression: synchronous write stop with a dead worker', () => {
  it('db.put returns or throws instead of hanging', () => {
    const t = tempDir();
    try {
      const script = `import(${JSON.stringify(DIST)}).then(async ({ open }) => {
        const db = await open(${JSON.stringify(t.path)}, { writeBufferSize: 16 * 1024 });
        // The threads start with their first job (lazily): start them, then kill them.
        db.background.flushRunner.ensureStarted().worker.terminate();
        db.background.compactRunner.ensureStarted().worker.terminate();
        try {
          for (let i = 0; i < 3000; i++) db.put('k' + i, 'v'.repeat(40) + i);
          console.log('returned');
        } catch (e) {
          console.log('threw');
        }
        process.exit(0);
      });`;
      const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect(r.signal, 'the child hung and was killed').toBeNull();
      expect(['returned', 'threw']).toContain(r.stdout.trim());
    } finally {
      t.remove();
    }
  });
});
