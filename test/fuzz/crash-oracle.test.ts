/**
 * The crash harnesses' oracle (fuzz/common/oracle.ts) must tell a lawful recovery from every way of breaking the
 * durability contract: a lost acknowledged write, a hole, a torn batch, a resurrected delete, a stray value.
 * Databases are built by hand on FaultInjectionVfs to hold exactly the state under test.
 */
import { describe, expect, it } from 'vitest';
import { FaultInjectionVfs, open, type Db } from '../../src/index.js';
import { Oracle } from '../../fuzz/common/oracle.js';
import { DELETE, keyName, makeValue, parseValue, type BatchSpec } from '../../fuzz/common/workload.js';

const put = (id: number, sync = false): BatchSpec => ({ keyIds: [id], valueLens: [10], sync });
const del = (id: number, sync = false): BatchSpec => ({ keyIds: [id], valueLens: [DELETE], sync });

/** A database holding exactly `entries` (keyId → op index). */
async function dbWith(entries: Array<[number, number]>): Promise<Db> {
  const db = await open('/db', { vfs: new FaultInjectionVfs() });
  for (const [id, op] of entries) db.put(keyName(id), makeValue(op, 10));
  return db;
}

async function expectCheck(entries: Array<[number, number]>, o: Oracle, d: 'process-kill' | 'power-loss'): Promise<string | number> {
  const db = await dbWith(entries);
  const r = o.check(db, d);
  await db.close();
  return r.ok ? r.prefix : r.message;
}

describe('oracle', () => {
  it('accepts every acknowledged write plus an unacknowledged tail, at the right prefix', async () => {
    const o = new Oracle();
    o.acknowledge(o.issue(put(1)));
    o.acknowledge(o.issue(put(2)));
    o.issue(put(3));
    expect(await expectCheck([[1, 0], [2, 1]], o, 'process-kill')).toBe(2);
    expect(await expectCheck([[1, 0], [2, 1], [3, 2]], o, 'process-kill')).toBe(3);
  });

  it('reports a lost acknowledged write after a process kill, but not after a power loss without sync', async () => {
    const o = new Oracle();
    o.acknowledge(o.issue(put(1)));
    o.acknowledge(o.issue(put(2)));
    expect(await expectCheck([[1, 0]], o, 'process-kill')).toMatch(/^lost acknowledged writes.*ops up to 1 must survive/s);
    expect(await expectCheck([[1, 0]], o, 'power-loss')).toBe(1);
    o.acknowledge(o.issue(put(3, true)));
    expect(await expectCheck([[1, 0], [2, 1]], o, 'power-loss')).toMatch(/^lost acknowledged writes/);
  });

  it('reports a hole: a later write present while an earlier one is missing', async () => {
    const o = new Oracle();
    o.issue(put(1));
    o.issue(put(2));
    expect(await expectCheck([[2, 1]], o, 'power-loss')).toMatch(/not a prefix.*0000002/s);
  });

  it('reports a torn batch', async () => {
    const o = new Oracle();
    o.issue({ keyIds: [1, 2], valueLens: [10, 10], sync: false });
    expect(await expectCheck([[1, 0]], o, 'power-loss')).toMatch(/not a prefix/);
    expect(await expectCheck([[1, 0], [2, 1]], o, 'power-loss')).toBe(2);
  });

  it('reports a resurrected delete and a stale overwrite', async () => {
    const o = new Oracle();
    o.acknowledge(o.issue(put(1)));
    o.commit(1);
    o.acknowledge(o.issue(del(1, true)));
    expect(await expectCheck([[1, 0]], o, 'power-loss')).toMatch(/lost acknowledged writes.*deleted by op 1/s);
    o.acknowledge(o.issue(put(1, true)));
    expect(await expectCheck([[1, 0]], o, 'power-loss')).toMatch(/expected op 2/);
    expect(await expectCheck([[1, 2]], o, 'power-loss')).toBe(3);
  });

  it('reports values and keys the workload never wrote', async () => {
    const o = new Oracle();
    expect(await expectCheck([[4, 7]], o, 'power-loss')).toMatch(/never issued/);
    const db = await dbWith([]);
    db.put('stray', 'x');
    expect(o.check(db, 'power-loss')).toEqual({ ok: false, message: 'unknown key "stray" in the database' });
    await db.close();
  });

  it('values carry their op index and reject any changed byte', () => {
    const v = makeValue(12345, 300);
    expect(v.length).toBe(300);
    expect(parseValue(v)).toBe(12345);
    v[200] ^= 1;
    expect(parseValue(v)).toBe(-1);
  });
});
