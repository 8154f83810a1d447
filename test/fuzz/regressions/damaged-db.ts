/**
 * damaged-db — small builders and checks shared by the regression tests the corruption harness
 * (fuzz/corruption/) produced: a crashed database on a FaultInjectionVfs with known writes, and the check that
 * whatever opens from a damaged copy is either an error naming the damaged file or a prefix of the writes.
 */
import { expect } from 'vitest';
import { FaultInjectionVfs, isLsmkvError, open, type Db, type Options } from '../../../src/index.js';
import { codecFor } from '../../../src/codec/loader.js';
import { readLog } from '../../../src/log/log-reader.js';

export const DIR = '/db';

export function keyOf(i: number): string {
  return `key${String(i).padStart(5, '0')}`;
}

export function valueOf(i: number): string {
  return `value-${i}-${'x'.repeat(40)}`;
}

/** Writes keys [from, to) one put each (one WAL record each), synchronously. */
export function putRange(db: Db, from: number, to: number): void {
  for (let i = from; i < to; i++) db.put(keyOf(i), valueOf(i));
}

export async function openOn(vfs: FaultInjectionVfs, options: Partial<Options> = {}): Promise<Db> {
  return open(DIR, { codec: 'typescript', ...options, vfs });
}

export function logFiles(vfs: FaultInjectionVfs): string[] {
  return vfs.fileNames(DIR).filter((n) => n.endsWith('.log'));
}

/** Offsets of the records of a log file (WAL or MANIFEST). */
export function recordOffsets(vfs: FaultInjectionVfs, name: string): number[] {
  const offsets: number[] = [];
  readLog(vfs.readRaw(`${DIR}/${name}`), name, codecFor('typescript'), 'tolerate-tail', (_p, offset) => {
    offsets.push(offset);
  });
  return offsets;
}

/**
 * Opens the damaged database and requires one of the allowed outcomes for writes 0..count-1 (key i written
 * before key i+1): an LsmkvError (CORRUPTION or NOT_FOUND) naming `damaged`, from open or from a read; or
 * every key below some cut (at least `durable`: those synced before the damage) present with its value and
 * every key from it absent (a prefix, no hole).
 */
export async function expectPrefixOrReported(
  vfs: FaultInjectionVfs,
  count: number,
  damaged: string,
  durable = 0,
): Promise<void> {
  let db: Db | undefined;
  try {
    db = await openOn(vfs);
    const present: boolean[] = [];
    for (let i = 0; i < count; i++) {
      const v = db.get(keyOf(i));
      if (v !== undefined) expect(v.toString()).toBe(valueOf(i));
      present.push(v !== undefined);
    }
    const cut = present.indexOf(false);
    if (cut >= 0) expect(cut, `${durable} writes were durable, only ${cut} are present`).toBeGreaterThanOrEqual(durable);
    const holes = cut < 0 ? [] : present.map((p, i) => (p && i > cut ? i : -1)).filter((i) => i >= 0);
    expect(
      holes.length,
      `key ${keyOf(cut)} is missing but ${holes.length} later writes are present (first ${keyOf(holes[0] ?? -1)})`,
    ).toBe(0);
  } catch (e) {
    if (!isLsmkvError(e) || (e.code !== 'LSMKV_CORRUPTION' && e.code !== 'LSMKV_NOT_FOUND')) throw e;
    expect(e.message).toContain(damaged);
  } finally {
    await db?.close().catch(() => undefined);
  }
}
