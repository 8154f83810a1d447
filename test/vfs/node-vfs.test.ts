import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/base/errors.js';
import { NodeVfs, nodeVfs } from '../../src/vfs/node-vfs.js';
import { caught } from './caught.js';

let dir: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsmkv-node-vfs-'));
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Spawns a node child that runs `code`; resolves once it printed its first line. */
function spawnNode(code: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('NodeVfs files', () => {
  it('appends, syncs and reads back at positions', async () => {
    const p = path.join(dir, 'a.log');
    const w = nodeVfs.openWritable(p);
    w.append(Buffer.from('hello '));
    w.append(new Uint8Array(0));
    w.append(Buffer.from('world'));
    expect(w.size).toBe(11);
    w.sync();
    await w.syncAsync();
    w.close();
    w.close();
    expect(nodeVfs.size(p)).toBe(11);
    expect(nodeVfs.readFile(p).toString()).toBe('hello world');

    const r = nodeVfs.openReadable(p);
    expect(r.size).toBe(11);
    expect(r.read(6, 5).toString()).toBe('world');
    expect(r.read(6, 100).toString()).toBe('world');
    expect(r.read(11, 4).length).toBe(0);
    r.close();
    r.close();
  });

  it('reads of every size come back intact and independent of later reads (512 B-64 KiB ones share a slab)', () => {
    const p = path.join(dir, 'r.dat');
    const data = Buffer.alloc(600 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
    fs.writeFileSync(p, data);
    const r = nodeVfs.openReadable(p);
    let seed = 5;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const sizes = [1, 100, 4095, 4096, 4097, 16 * 1024, 60 * 1024, 64 * 1024, 64 * 1024 + 1, 200 * 1024];
    const kept: Array<[Buffer, number, number]> = [];
    for (let k = 0; k < 400; k++) {
      const length = k < sizes.length ? sizes[k]! : 1 + next(70 * 1024);
      const offset = next(data.length);
      const b = r.read(offset, length);
      expect(b.length).toBe(Math.min(length, data.length - offset));
      kept.push([b, offset, length]);
    }
    // Every result still holds its bytes after all the reads that came after it.
    for (const [b, offset, length] of kept) expect(b.equals(data.subarray(offset, offset + length))).toBe(true);
    // A 2 KiB or 16 KiB read is a slice of a shared slab, not an ArrayBuffer (or a pool) of its own.
    expect(r.read(1000, 16 * 1024).buffer.byteLength).toBeGreaterThan(64 * 1024);
    expect(r.read(1000, 2 * 1024).buffer.byteLength).toBeGreaterThan(64 * 1024);
    expect(r.read(1000, 200 * 1024).buffer.byteLength).toBe(200 * 1024);
    r.close();
  });

  it('appends a large buffer completely', () => {
    const p = path.join(dir, 'big');
    const data = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    const w = nodeVfs.openWritable(p);
    w.append(data);
    w.close();
    expect(nodeVfs.readFile(p).equals(data)).toBe(true);
    const r = nodeVfs.openReadable(p);
    expect(r.read(1_000_003, 2_000_000).equals(data.subarray(1_000_003, 3_000_003))).toBe(true);
    r.close();
  });

  it('openWritable truncates, openAppendable continues at the end', () => {
    const p = path.join(dir, 'f');
    fs.writeFileSync(p, 'old content');
    const w = nodeVfs.openWritable(p);
    w.append(Buffer.from('ab'));
    w.close();
    expect(fs.readFileSync(p, 'latin1')).toBe('ab');
    const a = nodeVfs.openAppendable(p);
    expect(a.size).toBe(2);
    a.append(Buffer.from('cd'));
    expect(a.size).toBe(4);
    a.close();
    expect(fs.readFileSync(p, 'latin1')).toBe('abcd');
  });

  it('closing during syncAsync defers the close until the fsync completes', async () => {
    const w = nodeVfs.openWritable(path.join(dir, 'g'));
    w.append(Buffer.from('x'));
    const pending = w.syncAsync();
    w.close();
    await expect(pending).resolves.toBeUndefined();
    const e = caught(() => w.append(Buffer.from('y')));
    expect(e.code).toBe(ErrorCode.IO_ERROR);
    await expect(w.syncAsync()).rejects.toMatchObject({ code: ErrorCode.IO_ERROR });
  });

  it('renames, lists, removes, makes directories and syncs them', () => {
    const sub = path.join(dir, 'x', 'y');
    nodeVfs.mkdir(sub);
    nodeVfs.mkdir(sub);
    fs.writeFileSync(path.join(sub, 'tmp'), 'new');
    fs.writeFileSync(path.join(sub, 'CURRENT'), 'old');
    nodeVfs.rename(path.join(sub, 'tmp'), path.join(sub, 'CURRENT'));
    nodeVfs.syncDir(sub);
    expect(nodeVfs.list(sub)).toEqual(['CURRENT']);
    expect(fs.readFileSync(path.join(sub, 'CURRENT'), 'latin1')).toBe('new');
    expect(nodeVfs.exists(path.join(sub, 'CURRENT'))).toBe(true);
    nodeVfs.remove(path.join(sub, 'CURRENT'));
    expect(nodeVfs.exists(path.join(sub, 'CURRENT'))).toBe(false);
    expect(nodeVfs.list(sub)).toEqual([]);
  });

  it('reports a missing file as NOT_FOUND and other failures as IO_ERROR, naming the path', () => {
    const missing = path.join(dir, 'missing');
    for (const fn of [
      () => nodeVfs.openReadable(missing),
      () => nodeVfs.openAppendable(path.join(dir, 'nodir', 'f')),
      () => nodeVfs.readFile(missing),
      () => nodeVfs.remove(missing),
      () => nodeVfs.size(missing),
      () => nodeVfs.list(missing),
      () => nodeVfs.rename(missing, path.join(dir, 'other')),
      () => nodeVfs.syncDir(missing),
    ]) {
      const e = caught(fn);
      expect(e.code).toBe(ErrorCode.NOT_FOUND);
      expect(e.file).toContain(dir);
      expect(e.message).toContain(e.file!);
    }
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const e = caught(() => nodeVfs.mkdir(path.join(dir, 'file', 'sub')));
    expect(e.code).toBe(ErrorCode.IO_ERROR);
    expect(e.message).toContain(path.join(dir, 'file', 'sub'));
    expect((e.cause as { code?: string }).code).toBe('ENOTDIR');
    const e2 = caught(() => nodeVfs.openReadable(dir).read(0, 1));
    expect(e2.code).toBe(ErrorCode.IO_ERROR);
    expect(e2.file).toBe(dir);
  });

  it('a closed file refuses to write or read', () => {
    const p = path.join(dir, 'c');
    const w = nodeVfs.openWritable(p);
    w.close();
    expect(caught(() => w.append(Buffer.from('x'))).code).toBe(ErrorCode.IO_ERROR);
    expect(caught(() => w.sync()).code).toBe(ErrorCode.IO_ERROR);
    const r = nodeVfs.openReadable(p);
    r.close();
    expect(caught(() => r.read(0, 1)).message).toContain(p);
  });
});

describe('NodeVfs lock', () => {
  it('writes our pid, refuses a second lock in this process, and releases', () => {
    const p = path.join(dir, 'LOCK');
    const lock = nodeVfs.lock(p);
    expect(fs.readFileSync(p, 'latin1').trim()).toBe(String(process.pid));
    const e = caught(() => nodeVfs.lock(p));
    expect(e.code).toBe(ErrorCode.LOCKED);
    expect(e.file).toBe(p);
    // Another instance in the same process, and a relative spelling of the same path, are refused too.
    const rel = path.relative(process.cwd(), p);
    expect(caught(() => new NodeVfs().lock(rel)).code).toBe(ErrorCode.LOCKED);
    lock.release();
    lock.release();
    expect(fs.existsSync(p)).toBe(false);
    nodeVfs.lock(p).release();
  });

  it('refuses a lock held by a live process and names its pid, then takes it over after kill -9', async () => {
    const p = path.join(dir, 'LOCK');
    const child = await spawnNode(
      `require('fs').writeFileSync(${JSON.stringify(p)}, String(process.pid), { flag: 'wx' });` +
        `console.log('ready'); setInterval(() => {}, 1000);`,
    );
    const e = caught(() => nodeVfs.lock(p));
    expect(e.code).toBe(ErrorCode.LOCKED);
    expect(e.message).toContain(`pid ${child.pid}`);
    child.kill('SIGKILL');
    await exited(child);
    const lock = nodeVfs.lock(p);
    expect(fs.readFileSync(p, 'latin1').trim()).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a lock whose pid is dead, or that holds no pid', async () => {
    const p = path.join(dir, 'LOCK');
    const child = spawn(process.execPath, ['-e', '0']);
    children.push(child);
    await exited(child);
    for (const content of [String(child.pid), '', 'garbage']) {
      fs.writeFileSync(p, content);
      const lock = nodeVfs.lock(p);
      expect(fs.readFileSync(p, 'latin1').trim()).toBe(String(process.pid));
      lock.release();
      expect(fs.existsSync(p)).toBe(false);
    }
  });

  it('a LOCK holding our own pid that this thread did not take is LOCKED (another worker thread holds it)', () => {
    const p = path.join(dir, 'LOCK');
    fs.writeFileSync(p, String(process.pid));
    expect(() => nodeVfs.lock(p)).toThrow(/another thread/);
    expect(fs.readFileSync(p, 'latin1').trim()).toBe(String(process.pid));
  });

  it('release leaves a LOCK that no longer holds our pid alone', () => {
    const p = path.join(dir, 'LOCK');
    const lock = nodeVfs.lock(p);
    fs.writeFileSync(p, '1');
    lock.release();
    expect(fs.readFileSync(p, 'latin1')).toBe('1');
  });
});
