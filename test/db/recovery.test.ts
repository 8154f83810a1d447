/**
 * Recovery after a real process kill: a child writes and reports each acknowledged write; the parent kills it with
 * SIGKILL (no close), reopens, and checks that every acknowledged write is there, in order, with no holes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { open } from '../../src/index.js';
import { tempDir } from '../helpers/tmp-dir.js';

const child = fileURLToPath(new URL('./fixtures/kill-writer.mjs', import.meta.url));
const value = (n: number): string => `value-${n}-${'x'.repeat(n % 200)}`;

/** Runs the writer until it has acknowledged at least `atLeast` writes (plus a random delay), then SIGKILLs it. */
function runAndKill(dir: string, mode: string, start: number, atLeast: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir, mode], { env: { ...process.env, START: String(start) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = start;
    let buf = '';
    let stderr = '';
    let killing = false;
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ack ')) acked = Number(line.slice(4));
      }
      if (!killing && acked - start >= atLeast) {
        killing = true;
        setTimeout(() => p.kill('SIGKILL'), extraMs);
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('recovery after SIGKILL', () => {
  for (const mode of ['single', 'batch', 'async']) {
    it(`keeps every acknowledged write (${mode} writes, 3 kill cycles)`, async () => {
      const t = tempDir();
      try {
        let next = 0;
        for (let cycle = 0; cycle < 3; cycle++) {
          const acked = await runAndKill(t.path, mode, next, 3000 + cycle * 1000, cycle * 15);
          const db = await open(t.path);
          // Everything acknowledged is present...
          for (let i = 0; i < acked; i++) {
            const v = db.get(`key${String(i).padStart(8, '0')}`);
            if (v === undefined || v.toString() !== value(i)) {
              throw new Error(`cycle ${cycle}: key ${i} of ${acked} acknowledged is ${v === undefined ? 'missing' : 'wrong'}`);
            }
          }
          // ...and what survived beyond it is a prefix: no holes.
          const all = db.iterator({ values: false }).all();
          for (let i = 0; i < all.length; i++) expect(all[i]![0].toString()).toBe(`key${String(i).padStart(8, '0')}`);
          expect(all.length).toBeGreaterThanOrEqual(acked);
          next = all.length;
          await db.close();
        }
      } finally {
        t.remove();
      }
    });
  }
});
