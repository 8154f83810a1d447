/**
 * A fresh database in a temporary directory per test, closed and removed after it (register with useFreshDb()).
 */
import { afterEach } from 'vitest';
import { open, type Db } from '../../src/index.js';
import { tempDir } from './tmp-dir.js';

export type Cleanup = () => Promise<void> | void;

/** Registers an afterEach that runs the returned list's cleanups (newest first); returns the list and fresh(). */
export function useFreshDb(): {
  cleanups: Cleanup[];
  fresh: (options?: Parameters<typeof open>[1]) => Promise<{ db: Db; dir: string }>;
} {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const fresh = async (options: Parameters<typeof open>[1] = {}): Promise<{ db: Db; dir: string }> => {
    const t = tempDir();
    const db = await open(t.path, { writeBufferSize: 64 * 1024, ...options });
    cleanups.push(t.remove, () => db.close());
    return { db, dir: t.path };
  };
  return { cleanups, fresh };
}
