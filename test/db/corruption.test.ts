/**
 * Damaged files seen through the whole database: a torn WAL tail is tolerated (the complete records survive,
 * the torn one is gone); a flipped bit anywhere in a table makes get/iterator/verify throw CORRUPTION naming the
 * table, never return a wrong value; damage in the middle of a WAL is CORRUPTION naming the log and offset;
 * a malformed CURRENT is CORRUPTION; a MANIFEST from another comparator is NOT_SUPPORTED.
 * Everything runs on FaultInjectionVfs (inline background).
 */
import { describe, expect, it } from 'vitest';
import { COMPARATOR_NAME } from '../../src/base/comparator.js';
import { ErrorCode, LsmkvError } from '../../src/base/errors.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { open, type Db } from '../../src/index.js';
import { LogWriter } from '../../src/log/log-writer.js';
import { readLog } from '../../src/log/log-reader.js';
import { decodeVersionEdit, encodeVersionEdit } from '../../src/manifest/version-edit.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';

const DIR = '/db';
/** Tables name themselves by path (`/db/000004.sst`), logs by file name: accept either for a table. */
const namesTable = (table: string) => expect.stringMatching(new RegExp(`(^|/)${table.replace('.', '\\.')}$`));
const key = (i: number): string => `key${String(i).padStart(5, '0')}`;
const val = (i: number): string => `value-${i}-${'v'.repeat(i % 37)}`;

/** A new instance holding a synced copy of every file of DIR. */
function copyVfs(src: FaultInjectionVfs): FaultInjectionVfs {
  const out = new FaultInjectionVfs({ seed: 1 });
  out.mkdir(DIR);
  for (const name of src.fileNames(DIR)) {
    const f = out.openWritable(`${DIR}/${name}`);
    f.append(src.readRaw(`${DIR}/${name}`));
    f.sync();
    f.close();
  }
  out.syncDir(DIR);
  return out;
}

function filesOf(vfs: FaultInjectionVfs, ext: string): string[] {
  return vfs.fileNames(DIR).filter((n) => n.endsWith(ext));
}

/** Writes `n` single-put records, then kills the process (no close): the WAL holds them all. */
async function writeAndKill(n: number): Promise<{ vfs: FaultInjectionVfs; log: string }> {
  const vfs = new FaultInjectionVfs({ seed: 2 });
  const db = await open(DIR, { vfs });
  for (let i = 0; i < n; i++) db.put(key(i), val(i));
  const after = vfs.kill();
  await db.close().catch(() => undefined);
  const logs = filesOf(after, '.log');
  return { vfs: after, log: logs[logs.length - 1]! };
}

/** Start offsets of the physical fragments of a log file (every record here is one FULL fragment). */
function fragmentOffsets(data: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 7 <= data.length; ) {
    out.push(off);
    off += 7 + data.readUInt16LE(off + 4);
  }
  return out;
}

function caught(f: () => unknown): LsmkvError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LsmkvError);
    return e as LsmkvError;
  }
  throw new Error('expected an LsmkvError');
}

async function rejected(p: Promise<unknown>): Promise<LsmkvError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(LsmkvError);
    return e as LsmkvError;
  }
  throw new Error('expected an LsmkvError');
}

describe('WAL damage', () => {
  it('a torn tail (truncated or zeroed last record) is dropped; every complete record is kept', async () => {
    const n = 40;
    const { vfs, log } = await writeAndKill(n);
    const path = `${DIR}/${log}`;
    const size = vfs.size(path);
    const offsets = fragmentOffsets(vfs.readRaw(path));
    expect(offsets.length).toBe(n);
    const lastStart = offsets[n - 1]!;
    const damages: Array<[string, (v: FaultInjectionVfs) => void]> = [
      ['cut 1 byte', (v) => v.truncate(path, size - 1)],
      ['cut inside the payload', (v) => v.truncate(path, lastStart + 10)],
      ['cut inside the header', (v) => v.truncate(path, lastStart + 3)],
      ['zero the last 4 bytes', (v) => v.zero(path, size - 4, 4)],
      ['zero the whole last record', (v) => v.zero(path, lastStart, size - lastStart)],
      ['flip a bit in the last record', (v) => v.flipBit(path, lastStart + 9, 2)],
    ];
    for (const [label, damage] of damages) {
      const v = copyVfs(vfs);
      damage(v);
      const db = await open(DIR, { vfs: v });
      for (let i = 0; i < n - 1; i++) expect(db.get(key(i))?.toString(), `${label}: ${key(i)}`).toBe(val(i));
      expect(db.get(key(n - 1)), label).toBeUndefined();
      expect(db.iterator().all().length).toBe(n - 1);
      expect(db.stats().sequence).toBe(n - 1);
      // The store is writable again and the next write gets the next sequence.
      db.put('after', 'x');
      expect(db.stats().sequence).toBe(n);
      await db.close();
      const again = await open(DIR, { vfs: v });
      expect(again.get('after')?.toString()).toBe('x');
      expect(again.get(key(n - 2))?.toString()).toBe(val(n - 2));
      await again.close();
    }
  });

  it('damage in the middle of the newest WAL, valid records after it, is CORRUPTION naming the log and offset', async () => {
    const { vfs, log } = await writeAndKill(20);
    const path = `${DIR}/${log}`;
    const offsets = fragmentOffsets(vfs.readRaw(path));
    // (A flipped length byte whose bogus length runs past the end of the file: regressions/wal-bad-length-tail.)
    for (const [record, at] of [[0, 9], [7, 12], [7, 0], [7, 6], [18, 9]] as const) {
      const v = copyVfs(vfs);
      v.flipBit(path, offsets[record]! + at, 0);
      const e = await rejected(open(DIR, { vfs: v }));
      expect(e.code).toBe(ErrorCode.CORRUPTION);
      expect(e.file).toBe(log);
      expect(e.offset).toBe(offsets[record]);
      expect(e.message).toContain(log);
      expect(e.message).toContain(`offset ${offsets[record]}`);
      // Nothing was changed: the same failure again, and the log is still there.
      expect((await rejected(open(DIR, { vfs: v }))).offset).toBe(offsets[record]);
      expect(v.exists(path)).toBe(true);
    }
  });
});

describe('table damage', () => {
  it('a flipped bit anywhere in a table: reads return the right value or throw CORRUPTION naming the table; verify always throws', async () => {
    const base = new FaultInjectionVfs({ seed: 4 });
    const n = 400;
    let db: Db = await open(DIR, { vfs: base, blockSize: 512 });
    for (let i = 0; i < n; i++) db.put(key(i), val(i));
    await db.close(); // flushes to one table
    const tables = filesOf(base, '.sst');
    expect(tables.length).toBe(1);
    const table = tables[0]!;
    const size = base.size(`${DIR}/${table}`);
    expect(size).toBeGreaterThan(4000);
    const offsets = new Set<number>();
    for (let off = 0; off < size; off += Math.floor(size / 60)) offsets.add(off);
    for (let off = size - 60; off < size; off += 3) offsets.add(off); // the footer, byte by byte-ish
    let readFailures = 0;
    for (const off of offsets) {
      const v = copyVfs(base);
      v.flipBit(`${DIR}/${table}`, off, off % 8);
      db = await open(DIR, { vfs: v });
      for (let i = 0; i < n; i += 3) {
        let got: Buffer | undefined;
        try {
          got = db.get(key(i));
        } catch (e) {
          expect(e, `offset ${off}`).toMatchObject({ code: ErrorCode.CORRUPTION, file: namesTable(table) });
          readFailures++;
          continue;
        }
        expect(got?.toString(), `offset ${off}, ${key(i)}`).toBe(val(i));
      }
      try {
        const all = db.iterator().all();
        expect(all.length).toBe(n);
        all.forEach(([k, value], i) => {
          expect(k.toString()).toBe(key(i));
          expect(value.toString()).toBe(val(i));
        });
      } catch (e) {
        expect(e, `offset ${off}`).toMatchObject({ code: ErrorCode.CORRUPTION, file: namesTable(table) });
      }
      const e = caught(() => db.verify());
      expect(e.code, `offset ${off}`).toBe(ErrorCode.CORRUPTION);
      expect(e.file).toEqual(namesTable(table));
      expect(e.message).toContain(table);
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThan(size);
      await db.close();
    }
    expect(readFailures).toBeGreaterThan(0);
  });

  it('a truncated table is CORRUPTION naming it', async () => {
    const base = new FaultInjectionVfs({ seed: 5 });
    const db = await open(DIR, { vfs: base });
    for (let i = 0; i < 50; i++) db.put(key(i), val(i));
    await db.close();
    const table = filesOf(base, '.sst')[0]!;
    for (const cut of [1, 30, 52, 53]) {
      const v = copyVfs(base);
      v.truncate(`${DIR}/${table}`, v.size(`${DIR}/${table}`) - cut);
      const d = await open(DIR, { vfs: v });
      expect(caught(() => d.get(key(3)))).toMatchObject({ code: ErrorCode.CORRUPTION, file: namesTable(table) });
      expect(caught(() => d.verify())).toMatchObject({ code: ErrorCode.CORRUPTION, file: namesTable(table) });
      await d.close();
    }
  });
});

describe('MANIFEST and CURRENT damage', () => {
  async function closedDb(): Promise<FaultInjectionVfs> {
    const vfs = new FaultInjectionVfs({ seed: 6 });
    const db = await open(DIR, { vfs });
    for (let i = 0; i < 30; i++) db.put(key(i), val(i));
    await db.close();
    return vfs;
  }

  function rewrite(vfs: FaultInjectionVfs, name: string, data: string | Uint8Array): void {
    const f = vfs.openWritable(`${DIR}/${name}`);
    f.append(typeof data === 'string' ? Buffer.from(data) : data);
    f.sync();
    f.close();
  }

  it('a malformed CURRENT is CORRUPTION naming CURRENT; one naming a missing MANIFEST too', async () => {
    const base = await closedDb();
    const current = base.readRaw(`${DIR}/CURRENT`).toString();
    expect(current).toMatch(/^MANIFEST-\d{6}\n$/);
    for (const bad of ['', current.trim(), `${current}\n`, 'MANIFEST-abc\n', ` ${current}`, 'garbage']) {
      const v = copyVfs(base);
      rewrite(v, 'CURRENT', bad);
      const e = await rejected(open(DIR, { vfs: v }));
      expect(e.code, JSON.stringify(bad)).toBe(ErrorCode.CORRUPTION);
      expect(e.file).toBe('CURRENT');
    }
    const v = copyVfs(base);
    rewrite(v, 'CURRENT', 'MANIFEST-999999\n');
    const e = await rejected(open(DIR, { vfs: v }));
    expect(e.code).toBe(ErrorCode.CORRUPTION);
    expect(e.message).toContain('MANIFEST-999999');
  });

  it('a MANIFEST written with another comparator is NOT_SUPPORTED naming it; the files are left alone', async () => {
    const base = await closedDb();
    const manifest = base.readRaw(`${DIR}/CURRENT`).toString().trim();
    const edits = [] as Array<ReturnType<typeof decodeVersionEdit>>;
    readLog(base.readRaw(`${DIR}/${manifest}`), manifest, tsCodec, 'strict', (payload, offset) => {
      edits.push(decodeVersionEdit(payload, manifest, offset));
    });
    expect(edits[0]!.comparator).toBe(COMPARATOR_NAME);
    edits[0]!.comparator = 'other.ReverseComparator';
    const v = copyVfs(base);
    const f = v.openWritable(`${DIR}/${manifest}`);
    new LogWriter(f, tsCodec).addRecords(edits.map(encodeVersionEdit));
    f.sync();
    f.close();
    const before = v.fileNames(DIR);
    const e = await rejected(open(DIR, { vfs: v }));
    expect(e.code).toBe(ErrorCode.NOT_SUPPORTED);
    expect(e.file).toBe(manifest);
    expect(e.message).toContain('other.ReverseComparator');
    expect(v.fileNames(DIR)).toEqual(before);
    // The unmodified copy still opens and reads back.
    const ok = await open(DIR, { vfs: copyVfs(base) });
    expect(ok.get(key(29))?.toString()).toBe(val(29));
    await ok.close();
  });

  it('a bit flip in the MANIFEST before its last record is CORRUPTION naming it', async () => {
    const vfs = new FaultInjectionVfs({ seed: 7 });
    const db = await open(DIR, { vfs, writeBufferSize: 4096 });
    for (let i = 0; i < 300; i++) db.put(key(i), val(i));
    await db.flush();
    const manifest = vfs.readRaw(`${DIR}/CURRENT`).toString().trim();
    const after = vfs.kill();
    await db.close().catch(() => undefined);
    const offsets = fragmentOffsets(after.readRaw(`${DIR}/${manifest}`));
    expect(offsets.length).toBeGreaterThan(2);
    after.flipBit(`${DIR}/${manifest}`, offsets[1]! + 8, 1);
    const e = await rejected(open(DIR, { vfs: after }));
    expect(e.code).toBe(ErrorCode.CORRUPTION);
    expect(e.file).toBe(manifest);
    expect(e.offset).toBe(offsets[1]);
  });
});
