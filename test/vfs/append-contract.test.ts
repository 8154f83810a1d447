import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Vfs } from '../../src/base/vfs.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';
import { nodeVfs } from '../../src/vfs/node-vfs.js';

// The WAL and table writers reuse one output buffer across appends (src/log/log-writer.ts,
// src/sstable/table-builder.ts), which is only safe because every vfs copies or writes the bytes before append
// returns (the WritableFile contract in src/base/vfs.ts). A vfs that kept a reference would store later bytes.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cases: [string, () => { vfs: Vfs; dir: string }][] = [
  ['node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsmkv-append-'));
    dirs.push(dir);
    return { vfs: nodeVfs, dir };
  }],
  ['fault-injection', () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/db');
    return { vfs, dir: '/db' };
  }],
];

describe.each(cases)('WritableFile.append on the %s vfs', (_name, make) => {
  it('keeps the bytes as they were at the call, whatever the caller does to its buffer afterwards', () => {
    const { vfs, dir } = make();
    const path = `${dir}/f`;
    const f = vfs.openWritable(path);
    const scratch = Buffer.from('first-');
    f.append(scratch);
    scratch.write('secnd-'); // the writer reuses its buffer for the next append
    f.append(scratch);
    scratch.fill(0x21);
    const view = scratch.subarray(1, 3);
    f.append(view);
    view.fill(0x40);
    f.sync();
    f.close();
    expect(vfs.readFile(path).toString()).toBe('first-secnd-!!');
  });
});
