/**
 * Regression (corruption harness, e.g. `node dist/fuzz/corruption/corruption.js --seed 1 --case 35` and
 * `--case 13`): when the memtable rotated and the process died before the flush, two WALs remain. If the older
 * one is missing, or cut short, open() replays the newer one alone: the writes of the older WAL are gone while
 * later writes are present — a hole in the history, returned in silence (durability promise 3). The older WAL
 * was fsynced before the newer one received a write, so its loss is damage, not a torn tail.
 * Expected: CORRUPTION naming the WAL (the batches carry sequence numbers: the newer WAL does not start right
 * after the last sequence the MANIFEST and the replayed WALs account for), or no hole.
 */
import { describe, expect, it } from 'vitest';
import { FaultInjectionVfs } from '../../../src/index.js';
import { DIR, expectPrefixOrReported, logFiles, openOn, putRange, recordOffsets } from './damaged-db.js';

/** A killed database with two WALs: keys 0..count-1, the rotation somewhere in the middle. */
async function twoWals(): Promise<{ vfs: FaultInjectionVfs; count: number; older: string }> {
  let vfs = new FaultInjectionVfs();
  const db = await openOn(vfs, { writeBufferSize: 4096 });
  let count = 0;
  while (logFiles(vfs).length < 2) putRange(db, count, ++count);
  putRange(db, count, count + 20);
  count += 20;
  vfs = vfs.kill();
  const logs = logFiles(vfs);
  expect(logs).toHaveLength(2);
  return { vfs, count, older: logs[0]! };
}

describe('the older of two WALs', () => {
  it('missing is not replayed around in silence', async () => {
    const { vfs, count, older } = await twoWals();
    vfs.remove(`${DIR}/${older}`);
    await expectPrefixOrReported(vfs, count, older);
  });

  it('cut at a record boundary is not replayed around in silence', async () => {
    const { vfs, count, older } = await twoWals();
    const offsets = recordOffsets(vfs, older);
    vfs.truncate(`${DIR}/${older}`, offsets[Math.floor(offsets.length / 2)]!);
    await expectPrefixOrReported(vfs, count, older);
  });
});
