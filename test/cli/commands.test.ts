import { readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/cli.js';
import { captureIO } from './capture-io.js';
import { open } from '../../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lsmkv-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A database with 5000 entries flushed into at least one table. */
async function makeDb(): Promise<string> {
  const path = join(dir, 'db');
  const db = await open(path);
  for (let i = 0; i < 5000; i++) db.put(`key-${String(i).padStart(6, '0')}`, `value-${i}-${'x'.repeat(40)}`);
  await db.flush();
  await db.close();
  return path;
}

describe('lsmkv verify and stats', () => {
  it('verify reports a clean database as OK with exit code 0', async () => {
    const path = await makeDb();
    const io = captureIO();
    expect(await runCli(['verify', path], io)).toBe(0);
    expect(io.out).toMatch(/: OK — [1-9]\d* tables?, .* checked/);
  });

  it('verify finds a flipped byte in a table: exit code 1, the message names the file', async () => {
    const path = await makeDb();
    const table = (await readdir(path)).find((n) => n.endsWith('.sst'));
    expect(table).toBeDefined();
    const file = join(path, table!);
    const bytes = await readFile(file);
    bytes[100] ^= 0x40;
    await writeFile(file, bytes);
    const io = captureIO();
    expect(await runCli(['verify', path], io)).toBe(1);
    expect(io.out).toContain('CORRUPTION');
    expect(io.out).toContain(table!);
  });

  it('verify and stats refuse a directory without a database (exit code 3) and never create one', async () => {
    for (const cmd of ['verify', 'stats']) {
      const io = captureIO();
      expect(await runCli([cmd, join(dir, 'nothing')], io)).toBe(3);
      expect(io.err).toContain(`lsmkv ${cmd}: cannot open`);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('stats prints the levels and the counters as tables', async () => {
    const path = await makeDb();
    const io = captureIO();
    expect(await runCli(['stats', path], io)).toBe(0);
    expect(io.out).toMatch(/\| level +\| +files \| +bytes \|/);
    expect(io.out).toMatch(/\| L0 +\|/);
    expect(io.out).toMatch(/\| write amplification +\| [\d.]+ +\|/);
    expect(io.out).toMatch(/\| codec +\| (native|typescript) +\|/);
  });
});
