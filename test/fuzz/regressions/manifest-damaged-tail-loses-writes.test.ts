/**
 * Regression (corruption harness, e.g. `node dist/fuzz/corruption/corruption.js --seed 1 --case 5` and
 * `--case 7`): the MANIFEST is read with the torn-tail rule, so a damaged last edit — or a zeroed range with
 * valid edits after it in the same 32 KiB block, or a flipped bit in an earlier edit's length field (the reader
 * then cannot find the next fragment and takes the rest of the block for a torn tail) — is dropped in silence. But the engine acted on those edits
 * once they were synced: it deleted the WAL a flush made obsolete, and the input tables of a compaction. After
 * the drop, the flushed writes are gone while later writes (in the newer WAL) are present, or the version
 * names deleted tables (reads then fail with NOT_FOUND naming a table, not the MANIFEST).
 * Expected: CORRUPTION naming the MANIFEST, or no hole.
 */
import { describe, it } from 'vitest';
import { FaultInjectionVfs } from '../../../src/index.js';
import { DIR, expectPrefixOrReported, openOn, putRange, recordOffsets } from './damaged-db.js';

function manifestOf(vfs: FaultInjectionVfs): string {
  return vfs.readRaw(`${DIR}/CURRENT`).toString('latin1').trim();
}

/** A killed database: keys 0..99 flushed by the MANIFEST's last edits, keys 100..149 in the WAL. */
async function flushedThenKilled(): Promise<FaultInjectionVfs> {
  const vfs = new FaultInjectionVfs();
  const db = await openOn(vfs);
  putRange(db, 0, 50);
  await db.flush();
  putRange(db, 50, 100);
  await db.flush();
  putRange(db, 100, 150);
  return vfs.kill();
}

describe('a damaged MANIFEST', () => {
  it('with a flipped bit in its last edit does not lose the flushed writes in silence', async () => {
    const vfs = await flushedThenKilled();
    const manifest = manifestOf(vfs);
    const offsets = recordOffsets(vfs, manifest);
    vfs.flipBit(`${DIR}/${manifest}`, offsets[offsets.length - 1]! + 10, 3);
    await expectPrefixOrReported(vfs, 150, manifest, 100);
  });

  it('with a flipped bit in the length field of an earlier edit does not drop the valid edits after it', async () => {
    // e.g. `node dist/fuzz/corruption/corruption.js --seed 20240601 --case 580`
    const vfs = await flushedThenKilled();
    const manifest = manifestOf(vfs);
    const offsets = recordOffsets(vfs, manifest);
    vfs.flipBit(`${DIR}/${manifest}`, offsets[offsets.length - 2]! + 4, 2);
    await expectPrefixOrReported(vfs, 150, manifest, 100);
  });

  it('with a zeroed edit followed by a valid one does not drop the rest in silence', async () => {
    const vfs = await flushedThenKilled();
    const manifest = manifestOf(vfs);
    const offsets = recordOffsets(vfs, manifest);
    const victim = offsets.length - 2;
    vfs.zero(`${DIR}/${manifest}`, offsets[victim]!, offsets[victim + 1]! - offsets[victim]!);
    await expectPrefixOrReported(vfs, 150, manifest, 100);
  });
});
