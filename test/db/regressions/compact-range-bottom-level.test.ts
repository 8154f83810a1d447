/**
 * Regression (fixed): compactRange() never rewrites the last level. Background.startManualStep walks levels
 * 0..numLevels-2 and compacts each into the next; once everything sits in the bottom level (after any full
 * compactRange), a later compactRange finds nothing above it and returns without touching it. So versions kept
 * for a snapshot (and tombstones kept for one) stay on disk forever after the snapshot is released, however
 * often compactRange runs. Expected: after release + compactRange, the old versions are gone from the tables.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open } from '../../../src/index.js';
import { tempDir } from '../../helpers/tmp-dir.js';

describe('regression: compactRange and the bottom level', () => {
  it('drops versions a released snapshot kept alive', async () => {
    const t = tempDir();
    const db = await open(t.path, { compression: 'none', background: 'inline' });
    try {
      for (let i = 0; i < 100; i++) db.put(`k${i}`, `OLD-${i}`);
      const snap = db.snapshot();
      for (let i = 0; i < 100; i++) db.put(`k${i}`, `NEW-${i}`);
      await db.compactRange(); // the snapshot is live: both versions go to the bottom level
      expect(snap.get('k1')!.toString()).toBe('OLD-1');
      snap.release();
      await db.compactRange();
      const tables = readdirSync(t.path).filter((n) => n.endsWith('.sst'));
      expect(tables.length).toBeGreaterThan(0);
      const holdsOld = tables.some((n) => readFileSync(join(t.path, n)).includes('OLD-'));
      expect(holdsOld).toBe(false);
    } finally {
      await db.close();
      t.remove();
    }
  });
});
