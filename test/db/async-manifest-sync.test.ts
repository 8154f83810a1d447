/**
 * A flush's MANIFEST edit is installed only after its asynchronous fsync completes: until then the flushed
 * memtable stays readable, its WAL is not deleted, no other job is picked, and a power loss recovers every synced
 * write. A writer that blocks at a write stop completes the pending edit itself (its thread cannot see the fsync
 * complete). The vfs holds back every syncAsync until the test releases it.
 */
import { describe, expect, it } from 'vitest';
import { FaultInjectionVfs, open } from '../../src/index.js';

function deferSyncAsync(vfs: FaultInjectionVfs): { release: () => void; held: () => number } {
  const queue: Array<() => void> = [];
  for (const name of ['openWritable', 'openAppendable'] as const) {
    const original = vfs[name].bind(vfs);
    vfs[name] = (path: string) => {
      const f = original(path);
      if (path.includes('MANIFEST-')) {
        f.syncAsync = () => new Promise<void>((resolve) => queue.push(() => (f.sync(), resolve())));
      }
      return f;
    };
  }
  return { release: () => queue.splice(0).forEach((f) => f()), held: () => queue.length };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};
const logs = (vfs: FaultInjectionVfs) => vfs.fileNames('/db').filter((n) => n.endsWith('.log')).sort();

describe('flush install after an asynchronous MANIFEST fsync', () => {
  it('nothing is installed or deleted before the edit is durable; a power loss then keeps every synced write', async () => {
    const vfs = new FaultInjectionVfs({ seed: 31 });
    const { held } = deferSyncAsync(vfs);
    const db = await open('/db', { vfs, writeBufferSize: 32 * 1024 });
    let i = 0;
    while (db.stats().immutableMemtables === 0) db.put(`k${String(i++).padStart(6, '0')}`, 'v'.repeat(100));
    db.put('last', 'synced', { sync: true });
    const walsBefore = logs(vfs);
    await turns(5);
    expect(held()).toBe(1);
    expect(db.stats().levels[0]!.files).toBe(0);
    expect(db.stats().immutableMemtables).toBe(1);
    // The WAL of the flushed memtable is still there (a WAL prepared for the next rotation may have joined it).
    expect(logs(vfs)).toEqual(expect.arrayContaining(walsBefore));
    expect(db.get('k000000')?.toString()).toBe('v'.repeat(100));
    const after = vfs.crash({ unsynced: 'drop', dirEntries: 'random' });
    const again = await open('/db', { vfs: after });
    expect(again.get('last')?.toString()).toBe('synced');
    for (let j = 0; j < i; j++) expect(again.get(`k${String(j).padStart(6, '0')}`)).toBeDefined();
    await again.close();
  });

  it('once the fsync completes the flush is installed and its WAL deleted; a write stop completes it synchronously', async () => {
    const vfs = new FaultInjectionVfs({ seed: 32 });
    const { release, held } = deferSyncAsync(vfs);
    const db = await open('/db', { vfs, writeBufferSize: 32 * 1024 });
    let i = 0;
    while (db.stats().immutableMemtables === 0) db.put(`k${String(i++).padStart(6, '0')}`, 'v'.repeat(100));
    await turns(5);
    expect(held()).toBe(1);
    const oldWal = logs(vfs)[0];
    release();
    await turns(5);
    expect(db.stats().levels[0]!.files).toBe(1);
    expect(db.stats().immutableMemtables).toBe(0);
    expect(logs(vfs)).not.toContain(oldWal);
    // Synchronous writers through two more rotations: the stop (two immutable memtables) must not hang on an
    // fsync this blocked thread would never see complete.
    const start = i;
    while (i < start + 1500) db.put(`k${String(i++).padStart(6, '0')}`, 'v'.repeat(100));
    expect(db.iterator({ values: false }).all().length).toBe(i);
    // close flushes too: keep letting the held fsyncs complete until it is done.
    let closed = false;
    const closing = db.close().then(() => (closed = true));
    while (!closed) {
      release();
      await turns(1);
    }
    await closing;
  });
});
