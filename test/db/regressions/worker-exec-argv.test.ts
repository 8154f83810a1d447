/**
 * Regression (fixed): the compaction Worker inherits the process's execArgv. A program started with
 * `node --input-type=module -e ...` (or any flag a Worker rejects) gets a worker that dies at startup ("--input-type
 * can only be used with string input"), so the first flush fails and the database turns read-only.
 * Expected: the worker starts regardless of the parent's flags (e.g. WorkerRunner passes `execArgv: []` or a
 * filtered list). Runs the compiled package in a child process.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp-dir.js';

const DIST = pathToFileURL(fileURLToPath(new URL('../../../dist/src/index.js', import.meta.url))).href;

describe('regression: worker and the parent execArgv', () => {
  it('flushes in a process started with --input-type=module -e', () => {
    const t = tempDir();
    try {
      const code = `
        import { open } from ${JSON.stringify(DIST)};
        const db = await open(${JSON.stringify(t.path)}, { writeBufferSize: 16 * 1024 });
        for (let i = 0; i < 100; i++) db.put('k' + i, 'v' + i);
        try { await db.flush(); console.log('flushed'); } catch (e) { console.log('flush failed: ' + e.message); }
        await db.close().catch(() => {});
      `;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
      expect(r.stdout.trim()).toBe('flushed');
    } finally {
      t.remove();
    }
  });
});
