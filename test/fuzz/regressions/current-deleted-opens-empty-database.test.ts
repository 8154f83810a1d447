/**
 * Regression (corruption harness, e.g. `node dist/fuzz/corruption/corruption.js --seed 1 --case 3`): with CURRENT
 * gone but the MANIFEST, tables and WAL still in the directory, open() with the default createIfMissing: true
 * creates a new, empty database over them and deletes the old files as obsolete: every write is lost in silence.
 * Expected: a CORRUPTION (or NOT_FOUND) error naming CURRENT, or the data.
 */
import { describe, expect, it } from 'vitest';
import { FaultInjectionVfs } from '../../../src/index.js';
import { DIR, expectPrefixOrReported, openOn, putRange } from './damaged-db.js';

describe('a database whose CURRENT file is missing', () => {
  it('is not replaced by an empty database on open', async () => {
    const vfs = new FaultInjectionVfs();
    const db = await openOn(vfs);
    putRange(db, 0, 200);
    await db.close();
    expect(vfs.fileNames(DIR).some((n) => n.endsWith('.sst'))).toBe(true);
    vfs.remove(`${DIR}/CURRENT`);
    await expectPrefixOrReported(vfs, 200, 'CURRENT', 200);
  });
});
