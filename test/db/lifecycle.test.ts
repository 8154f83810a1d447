/**
 * Lifecycle: closing under open iterators, snapshots and queued async writes; repeated open/close; the process
 * exits by itself whether or not the database was closed (the compaction worker is unref'd while idle); and the
 * database works inside a worker_threads Worker. Child processes and workers load the compiled package (dist/).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, FaultInjectionVfs, LsmkvError, open } from '../../src/index.js';
import { tempDir } from '../helpers/tmp-dir.js';

const DIST = pathToFileURL(fileURLToPath(new URL('../../dist/src/index.js', import.meta.url))).href;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function dir(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.path;
}

function expectClosed(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LsmkvError);
    expect((e as LsmkvError).code).toBe(ErrorCode.CLOSED);
    return;
  }
  throw new Error('expected CLOSED');
}

/**
 * Runs an async snippet (it gets `open` from the compiled package) in a child node process; resolves with its
 * exit code, stdout and the time taken. A CommonJS -e with a dynamic import: `--input-type=module` would be
 * inherited by the compaction worker and stop it from starting (regressions/worker-exec-argv).
 */
function runChild(code: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const script = `import(${JSON.stringify(DIST)}).then(async ({ open }) => {${code}}).catch((e) => { console.error(e); process.exitCode = 1; });`;
    const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`child did not exit within ${timeoutMs} ms (stdout: ${stdout}, stderr: ${stderr})`));
    }, timeoutMs);
    p.on('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe('close', () => {
  it('with open iterators and live snapshots: they throw CLOSED afterwards, closing them is harmless', async () => {
    const db = await open(dir(), { writeBufferSize: 16 * 1024 });
    for (let i = 0; i < 2000; i++) db.put(`k${String(i).padStart(4, '0')}`, `v${i}`);
    await db.flush();
    db.put('late', 'x');
    const fresh = db.iterator();
    const started = db.iterator();
    expect(started.next()![0].toString()).toBe('k0000');
    const reverse = db.iterator({ reverse: true });
    const snap = db.snapshot();
    const unreleased = db.snapshot();
    expect(db.stats().openIterators).toBe(3);
    expect(db.stats().liveSnapshots).toBe(1); // both snapshots share one sequence
    await db.close();
    for (const it of [fresh, started, reverse]) {
      expectClosed(() => it.next());
      expectClosed(() => it.nextv(10));
      expectClosed(() => it.seek(Buffer.from('k')));
      it.close();
      it.close();
    }
    expectClosed(() => snap.get('k0001'));
    expectClosed(() => snap.iterator());
    snap.release();
    unreleased.release();
    expect(() => db.stats()).not.toThrow();
  });

  it('while async writes are queued: every promise settles, resolved writes are durable, later ones reject CLOSED', async () => {
    const location = dir();
    const db = await open(location, { writeBufferSize: 32 * 1024 });
    const outcomes: Array<Promise<'ok' | 'closed'>> = [];
    for (let i = 0; i < 3000; i++) {
      const p = i % 3 === 0 ? db.putAsync(`a${i}`, 'x'.repeat(50), { sync: i % 30 === 0 }) : db.putAsync(`a${i}`, 'y'.repeat(50));
      outcomes.push(
        p.then(
          () => 'ok' as const,
          (e: unknown) => {
            expect(e).toMatchObject({ code: ErrorCode.CLOSED });
            return 'closed' as const;
          },
        ),
      );
    }
    const closing = db.close();
    await expect(db.putAsync('after', 'x')).rejects.toMatchObject({ code: ErrorCode.CLOSED });
    expectClosed(() => db.put('after', 'x'));
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('a write hangs')), 10_000));
    const results = await Promise.race([Promise.all(outcomes), timeout]);
    await closing;
    const again = await open(location);
    cleanups.push(() => again.close());
    results.forEach((r, i) => {
      if (r === 'ok') expect(again.get(`a${i}`), `a${i}`).toBeDefined();
    });
    expect(again.get('after')).toBeUndefined();
  });

  it('open/close 50 times in memory: the lock is released every time and no file piles up', async () => {
    const vfs = new FaultInjectionVfs({ seed: 1 });
    for (let i = 0; i < 50; i++) {
      const db = await open('/db', { vfs, writeBufferSize: 4096 });
      expect(vfs.exists('/db/LOCK')).toBe(true);
      expect(db.get(`k${i - 1}`)?.toString()).toBe(i === 0 ? undefined : `v${i - 1}`);
      db.put(`k${i}`, `v${i}`);
      await db.close();
      expect(vfs.exists('/db/LOCK')).toBe(false);
    }
    const names = vfs.fileNames('/db');
    expect(names.filter((n) => n.endsWith('.log')).length).toBe(1);
    expect(names.filter((n) => n.startsWith('MANIFEST-')).length).toBe(1);
    expect(names.filter((n) => n.endsWith('.dbtmp'))).toEqual([]);
    const db = await open('/db', { vfs });
    expect(db.iterator().all().length).toBe(50);
    await db.close();
  });
});

describe('open after a clean close reuses the MANIFEST and the WAL', () => {
  it('writes no file, and writes after the reopen survive a power loss', async () => {
    const vfs = new FaultInjectionVfs({ seed: 7 });
    const db = await open('/db', { vfs, writeBufferSize: 4096 });
    for (let i = 0; i < 300; i++) db.put(`k${i}`, `v${i}`);
    await db.close();
    const before = vfs.fileNames('/db').sort();
    const again = await open('/db', { vfs });
    // No new WAL, MANIFEST or CURRENT: the same names (LOCK aside) and the same contents of CURRENT.
    expect(vfs.fileNames('/db').filter((n) => n !== 'LOCK').sort()).toEqual(before.filter((n) => n !== 'LOCK'));
    expect(before.filter((n) => n.endsWith('.log')).length).toBe(1);
    for (let i = 300; i < 400; i++) again.put(`k${i}`, `v${i}`, { sync: i === 399 });
    const after = vfs.crash({ unsynced: 'drop', dirEntries: 'drop' });
    const third = await open('/db', { vfs: after });
    expect(third.iterator().all().length).toBe(400);
    expect(third.get('k399')?.toString()).toBe('v399');
    await third.close();
  });

  it('a WAL holding batches is replayed into a table and a new WAL starts (no reuse)', async () => {
    const vfs = new FaultInjectionVfs({ seed: 8 });
    const db = await open('/db', { vfs });
    db.put('a', '1', { sync: true });
    const wal = vfs.fileNames('/db').find((n) => n.endsWith('.log'))!;
    const killed = vfs.kill();
    const again = await open('/db', { vfs: killed });
    expect(again.get('a')?.toString()).toBe('1');
    const wals = killed.fileNames('/db').filter((n) => n.endsWith('.log'));
    expect(wals).toHaveLength(1);
    expect(wals[0]).not.toBe(wal);
    await again.close();
  });
});

describe('process and thread lifetime (compiled package)', () => {
  it('a process that opens and closes 50 times (worker background, compactions) exits by itself', async () => {
    const location = dir();
    const code = `
      for (let i = 0; i < 50; i++) {
        const db = await open(${JSON.stringify(location)}, { writeBufferSize: 16 * 1024 });
        if (db.stats().background !== 'worker') throw new Error('expected the worker background');
        if (i % 25 === 0) {
          for (let j = 0; j < 1000; j++) db.put('k' + j, 'v'.repeat(40) + i);
          await db.compactRange();
        }
        await db.close();
      }
      console.log('closed');
    `;
    const r = await runChild(code, 30_000);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('closed\n');
    expect(r.code).toBe(0);
    expect(existsSync(`${location}/LOCK`)).toBe(false);
    const db = await open(location);
    cleanups.push(() => db.close());
    expect(db.get('k999')?.toString()).toBe(`${'v'.repeat(40)}25`);
  });

  it('a process that never closes still exits by itself, and its acknowledged writes survive', async () => {
    const location = dir();
    const code = `
      const db = await open(${JSON.stringify(location)}, { writeBufferSize: 16 * 1024 });
      for (let i = 0; i < 3000; i++) db.put('k' + i, 'v'.repeat(40) + i);
      await db.flush();
      for (let i = 3000; i < 3100; i++) db.put('k' + i, 'tail' + i);
      console.log('done', db.stats().compaction.flushes > 0);
    `;
    const r = await runChild(code, 30_000);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('done true\n');
    expect(r.code).toBe(0);
    const db = await open(location);
    cleanups.push(() => db.close());
    expect(db.get('k0')?.toString()).toBe(`${'v'.repeat(40)}0`);
    expect(db.get('k3099')?.toString()).toBe('tail3099');
  });

  it('works inside a worker thread: open, write, read, iterate, close', async () => {
    const location = dir();
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.dist).then(async ({ open }) => {
        const step = (s) => parentPort.postMessage({ step: s });
        const db = await open(workerData.location, { writeBufferSize: 16 * 1024 });
        step('opened');
        for (let i = 0; i < 3000; i++) db.put('k' + String(i).padStart(5, '0'), 'v' + i);
        step('wrote');
        await db.flush();
        step('flushed');
        const got = db.get('k01234').toString();
        const n = db.iterator({ gte: 'k02000' }).all().length;
        const background = db.stats().background;
        step('read: ' + JSON.stringify(db.stats().compaction));
        await db.close();
        parentPort.postMessage({ got, n, background });
      }).catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
    `;
    const w = new Worker(code, { eval: true, workerData: { dist: DIST, location } });
    // Listen for 'exit' now: when the main thread is busy (a loaded full run), the worker can exit before its last
    // message is handled; Node then emits that message and 'exit' in one callback, so a listener attached after
    // awaiting the message never fires. That race, not the engine, was the 60 s hang seen in loaded runs.
    const exited = new Promise<number>((r) => w.once('exit', r));
    // Progress steps, so that a real hang says where the worker stopped.
    let last = 'started';
    const msg = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        void w.terminate();
        reject(new Error(`worker hung after: ${last}`));
      }, 50_000);
      w.on('message', (m: Record<string, unknown>) => {
        if (typeof m['step'] === 'string') {
          last = m['step'];
          return;
        }
        clearTimeout(timer);
        resolve(m);
      });
      w.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    expect(msg).toEqual({ got: 'v1234', n: 1000, background: 'worker' });
    expect(await exited).toBe(0);
    const db = await open(location);
    cleanups.push(() => db.close());
    expect(db.get('k02999')?.toString()).toBe('v2999');
  });
});
