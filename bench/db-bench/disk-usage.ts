/**
 * disk-usage — bytes a directory tree occupies on disk (allocated blocks, like `du`), so sparse or preallocated
 * files (lmdb's map, a preallocated WAL) count as what they really take.
 */

import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function diskUsage(path: string): Promise<number> {
  const st = await lstat(path);
  if (!st.isDirectory()) return st.blocks * 512;
  let total = 0;
  for (const name of await readdir(path)) total += await diskUsage(join(path, name));
  return total;
}
