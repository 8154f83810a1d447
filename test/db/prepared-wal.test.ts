/**
 * The next WAL is created ahead of the memtable rotation (db.ts maybePrepareNextWal): the rotation uses it, close
 * removes it when unused, and a crash that leaves it behind (empty, after a WAL whose tail was never synced and
 * comes back as garbage) recovers every synced write: the newest WAL that holds anything keeps its torn-tail
 * tolerance (negative control: reading that WAL strictly fails this test with CORRUPTION). The rotation itself runs
 * in the turn after the write that filled the memtable, not inside the next write.
 */
import { describe, expect, it } from 'vitest';
import { FaultInjectionVfs, open, type Db } from '../../src/index.js';

const turn = () => new Promise((r) => setImmediate(r));
const logs = (vfs: FaultInjectionVfs) => vfs.fileNames('/db').filter((n) => n.endsWith('.log')).sort();
const value = (i: number) => `value-${i}-${'x'.repeat(100)}`;

/** Writes until a WAL has been prepared ahead (two .log files); returns the next key index. */
async function writeUntilPrepared(db: Db, vfs: FaultInjectionVfs, from: number): Promise<number> {
  let i = from;
  while (logs(vfs).length < 2) {
    db.put(`k${String(i).padStart(6, '0')}`, value(i));
    i++;
    await turn();
    if (i - from > 10_000) throw new Error('no WAL was prepared');
  }
  return i;
}

describe('WAL prepared ahead of the rotation', () => {
  it('is the WAL the rotation switches to; an unused one is removed at close and reopen writes nothing', async () => {
    const vfs = new FaultInjectionVfs({ seed: 21 });
    const db = await open('/db', { vfs, writeBufferSize: 64 * 1024 });
    const n = await writeUntilPrepared(db, vfs, 0);
    const [active, prepared] = logs(vfs);
    expect(vfs.size(`/db/${prepared}`)).toBe(0);
    let i = n;
    while (logs(vfs)[0] === active) {
      db.put(`k${String(i).padStart(6, '0')}`, value(i));
      i++;
    }
    // The rotation moved onto the prepared file (it now holds the predecessor record and writes).
    expect(logs(vfs)).toContain(prepared);
    expect(vfs.size(`/db/${prepared}`)).toBeGreaterThan(0);
    await writeUntilPrepared(db, vfs, i);
    await db.close();
    expect(logs(vfs)).toHaveLength(1);
    const names = vfs.fileNames('/db').filter((f) => f !== 'LOCK').sort();
    const again = await open('/db', { vfs });
    expect(vfs.fileNames('/db').filter((f) => f !== 'LOCK').sort()).toEqual(names);
    expect(again.iterator({ values: false }).all().length).toBeGreaterThan(n);
    await again.close();
  });

  it('a power loss with the prepared WAL present and the active WAL torn keeps every synced write', async () => {
    for (let seed = 0; seed < 16; seed++) {
      const vfs = new FaultInjectionVfs({ seed });
      const db = await open('/db', { vfs, writeBufferSize: 64 * 1024 });
      const n = await writeUntilPrepared(db, vfs, 0);
      db.put('synced', 'yes', { sync: true });
      for (let i = 0; i < 20; i++) db.put(`after${i}`, value(i));
      const active = logs(vfs)[0]!;
      const after = vfs.crash({ unsynced: 'random-prefix', dirEntries: 'random' });
      // The unsynced tail may come back as garbage, not only cut: a torn tail that only the newest WAL holding
      // anything may have (an older WAL would be read strictly and report it as CORRUPTION).
      const tail = after.openAppendable(`/db/${active}`);
      tail.append(Buffer.alloc(40, 0xab));
      tail.close();
      const again = await open('/db', { vfs: after });
      expect(again.get('synced')?.toString(), `seed ${seed}`).toBe('yes');
      for (let i = 0; i < n; i++) expect(again.get(`k${String(i).padStart(6, '0')}`)?.toString()).toBe(value(i));
      await again.close();
    }
  });
});

describe('rotation in a turn of its own', () => {
  it('the write that fills the memtable schedules the rotation; the next turn performs it without another write', async () => {
    const vfs = new FaultInjectionVfs({ seed: 41 });
    const db = await open('/db', { vfs, writeBufferSize: 64 * 1024 });
    let i = 0;
    while (db.stats().memtableBytes < 64 * 1024) db.put(`k${String(i++).padStart(6, '0')}`, value(i));
    // Still the full memtable: nothing rotated inside the write.
    expect(db.stats().immutableMemtables).toBe(0);
    await turn();
    expect(db.stats().immutableMemtables + db.stats().levels[0]!.files).toBe(1);
    // Writes without a turn in between still rotate themselves, and nothing is lost either way.
    for (let j = 0; j < 3000; j++) db.put(`k${String(i++).padStart(6, '0')}`, value(i));
    expect(db.iterator({ values: false }).all().length).toBe(i);
    await db.close();
  });
});
