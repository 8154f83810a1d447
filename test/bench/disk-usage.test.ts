import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { diskUsage } from '../../bench/db-bench/disk-usage.js';

it('disk usage counts allocated blocks of a tree, and a path that vanished as 0', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'db-bench-du-'));
  try {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'a'), Buffer.alloc(10_000, 1));
    await writeFile(join(dir, 'sub', 'b'), Buffer.alloc(50_000, 1));
    const du = await diskUsage(dir);
    expect(du).toBeGreaterThanOrEqual(60_000);
    expect(du).toBeLessThan(60_000 + 5 * 8192);
    expect(await diskUsage(join(dir, 'gone'))).toBe(0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
