/**
 * disk-usage — bytes a directory tree occupies on disk (allocated blocks, like `du`), so sparse or preallocated
 * files (lmdb's map, a preallocated WAL) count as what they really take. The store may be running: a file that
 * disappears between listing and stat (a WAL retired by a flush) counts as 0.
 */

import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

function isGone(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

export async function diskUsage(path: string): Promise<number> {
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    if (isGone(e)) return 0;
    throw e;
  }
  if (!st.isDirectory()) return st.blocks * 512;
  let names: string[];
  try {
    names = await readdir(path);
  } catch (e) {
    if (isGone(e)) return 0;
    throw e;
  }
  let total = 0;
  for (const name of names) total += await diskUsage(join(path, name));
  return total;
}
