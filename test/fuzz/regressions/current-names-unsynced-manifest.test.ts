/**
 * Regression (found by fuzz/crash/power-loss.ts, seed 2001, cycle 903): open() writes a fresh MANIFEST and
 * points CURRENT at it with one directory fsync at the very end (after the rename of CURRENT). A power loss just
 * before that fsync, on a file system that does not keep directory changes in order (FaultInjectionVfs
 * dirEntries 'random'), can keep the new CURRENT but lose the new MANIFEST's directory entry: the database then
 * refuses to open ("CURRENT names MANIFEST-..., which does not exist"), although nothing acknowledged was at
 * risk. POSIX promises no order between unsynced directory changes; the MANIFEST's entry must be durable before
 * CURRENT may name it (an fsync of the directory between creating the MANIFEST and the rename).
 */
import { describe, expect, it } from 'vitest';
import { FaultInjectionVfs, open } from '../../../src/index.js';
import { CrashingVfs } from '../../../fuzz/crash/crashing-vfs.js';

describe('power loss during open() before the directory fsync that follows the CURRENT rename', () => {
  it('leaves a database that opens with every synced write (32 seeded random directory outcomes)', async () => {
    for (let seed = 0; seed < 32; seed++) {
      const vfs = new FaultInjectionVfs({ seed });
      const db = await open('/db', { vfs });
      db.put('k', 'v', { sync: true });
      await db.close();
      // A zero-filled tail (an append a crash cut) keeps open() from reusing the MANIFEST: it writes a fresh one.
      const killed = vfs.kill();
      const manifest = killed.fileNames('/db').find((n) => n.startsWith('MANIFEST-'))!;
      const tail = killed.openAppendable(`/db/${manifest}`);
      tail.append(Buffer.alloc(100));
      tail.close();
      // Reopen and lose power just before the first syncDir of open(): the one after CURRENT was renamed.
      const cv = new CrashingVfs(killed);
      cv.armAfter(1, { unsynced: 'keep', dirEntries: 'random' }, 'syncDir');
      await expect(open('/db', { vfs: cv })).rejects.toThrow();
      expect(cv.crashedAt).toBe('before syncDir db');
      const reopened = await open('/db', { vfs: cv.survivor }).catch((e: Error) => e);
      if (reopened instanceof Error) throw new Error(`seed ${seed}: ${reopened.message}`);
      expect(reopened.get('k')?.toString()).toBe('v');
      await reopened.close();
    }
  });
});
