/**
 * worker-runner: obsolete files handed to removeFiles are unlinked on the worker thread, and close() waits for
 * them (a database's disk after close must not depend on the worker's timing); after close they are removed on
 * the calling thread. Uses the compiled worker (dist/), like the db tests.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WorkerRunner } from '../../src/compaction/worker-runner.js';
import { tempDir } from '../helpers/tmp-dir.js';

describe('WorkerRunner.removeFiles', () => {
  it('removes the files on the worker; close() waits for every removal handed over', async () => {
    const t = tempDir();
    try {
      const paths = Array.from({ length: 20 }, (_, i) => `${t.path}/${String(i).padStart(6, '0')}.sst`);
      for (const p of paths) writeFileSync(p, Buffer.alloc(64 * 1024, 1));
      const runner = new WorkerRunner('typescript');
      runner.removeFiles(paths.slice(0, 10));
      runner.removeFiles([...paths.slice(10), `${t.path}/missing.sst`]);
      // Handed over, not done on this thread: nothing is gone before the worker has had a turn.
      expect(paths.every((p) => existsSync(p))).toBe(true);
      await runner.close();
      expect(paths.filter((p) => existsSync(p))).toEqual([]);
      // After close there is no thread: removals happen here, at once.
      writeFileSync(paths[0]!, 'x');
      runner.removeFiles([paths[0]!]);
      expect(existsSync(paths[0]!)).toBe(false);
    } finally {
      t.remove();
    }
  });
});
