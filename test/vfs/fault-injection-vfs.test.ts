import { describe, expect, it } from 'vitest';
import { ErrorCode, type LsmkvError } from '../../src/base/errors.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';
import { caught } from './caught.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** A vfs with directory /db and a file written, synced and made durable by syncDir. */
function withDurableFile(name = '/db/a', content = 'synced'): FaultInjectionVfs {
  const vfs = new FaultInjectionVfs({ seed: 1 });
  vfs.mkdir('/db');
  const w = vfs.openWritable(name);
  w.append(bytes(content));
  w.sync();
  w.close();
  vfs.syncDir('/db');
  return vfs;
}

function write(vfs: FaultInjectionVfs, path: string, content: string, sync: boolean): void {
  const w = vfs.openWritable(path);
  w.append(bytes(content));
  if (sync) w.sync();
  w.close();
}

describe('FaultInjectionVfs as a file system', () => {
  it('reads see the latest state; sizes, lists and appendable files behave like node', async () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/db/sub');
    const w = vfs.openWritable('/db/x');
    w.append(bytes('abc'));
    w.append(bytes('def'));
    expect(w.size).toBe(6);
    await w.syncAsync();
    expect(vfs.size('/db/x')).toBe(6);
    expect(vfs.readFile('/db/x').toString()).toBe('abcdef');
    const r = vfs.openReadable('/db/x');
    expect(r.size).toBe(6);
    expect(r.read(2, 3).toString()).toBe('cde');
    expect(r.read(4, 10).toString()).toBe('ef');
    expect(r.read(9, 1).length).toBe(0);
    const a = vfs.openAppendable('/db/x');
    expect(a.size).toBe(6);
    a.append(bytes('g'));
    expect(vfs.readFile('/db/x').toString()).toBe('abcdefg');
    expect(vfs.list('/db')).toEqual(['sub', 'x']);
    expect(vfs.fileNames('/db')).toEqual(['x']);
    expect(vfs.list('/')).toEqual(['db']);
    expect(vfs.exists('/db/sub')).toBe(true);
    expect(vfs.exists('/db/y')).toBe(false);
    expect(vfs.stats.syncs).toBe(1);
    expect(vfs.stats.appends).toBe(3);
    expect(vfs.stats.bytesAppended).toBe(7);
  });

  it('normalises paths', () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/db/');
    write(vfs, '/db//a', 'x', true);
    expect(vfs.readFile('/db/./a').toString()).toBe('x');
    expect(vfs.exists('/db/sub/../a')).toBe(true);
    vfs.syncDir('/db//');
    expect(vfs.durableFileNames('/db')).toEqual(['a']);
    write(vfs, 'rel', 'y', false);
    expect(vfs.readFile('./rel').toString()).toBe('y');
  });

  it('reports missing files as NOT_FOUND and refuses files in missing directories', () => {
    const vfs = new FaultInjectionVfs();
    for (const fn of [
      () => vfs.openReadable('/nope'),
      () => vfs.readFile('/nope'),
      () => vfs.remove('/nope'),
      () => vfs.size('/nope'),
      () => vfs.rename('/nope', '/other'),
      () => vfs.list('/nodir'),
      () => vfs.syncDir('/nodir'),
      () => vfs.openWritable('/nodir/f'),
    ]) {
      const e = caught(fn);
      expect(e.code).toBe(ErrorCode.NOT_FOUND);
      expect(e.message).toContain('/no');
    }
    write(vfs, '/f', '', false);
    expect(caught(() => vfs.mkdir('/f/sub')).code).toBe(ErrorCode.IO_ERROR);
  });

  it('keeps a removed file readable through an open handle', () => {
    const vfs = withDurableFile();
    const r = vfs.openReadable('/db/a');
    vfs.remove('/db/a');
    expect(vfs.exists('/db/a')).toBe(false);
    expect(r.read(0, 6).toString()).toBe('synced');
  });

  it('locks in memory, writes LOCK, and releases', () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/db');
    const lock = vfs.lock('/db/LOCK');
    expect(vfs.readRaw('/db/LOCK').toString().trim()).toBe(String(process.pid));
    expect(caught(() => vfs.lock('/db//LOCK')).code).toBe(ErrorCode.LOCKED);
    lock.release();
    expect(vfs.exists('/db/LOCK')).toBe(false);
    vfs.lock('/db/LOCK').release();
  });
});

describe('FaultInjectionVfs crash semantics', () => {
  it('keeps synced bytes of a durable entry and drops the unsynced tail', () => {
    const vfs = withDurableFile();
    const a = vfs.openAppendable('/db/a');
    a.append(bytes(' tail'));
    expect(vfs.syncedSize('/db/a')).toBe(6);
    const after = vfs.crash();
    expect(after.readFile('/db/a').toString()).toBe('synced');
    expect(after.syncedSize('/db/a')).toBe(6);
  });

  it("loses a file never synced, or synced but whose directory entry was never synced, with dirEntries 'drop'", () => {
    const vfs = withDurableFile();
    write(vfs, '/db/unsynced', 'u', false);
    write(vfs, '/db/nodirsync', 'n', true);
    expect(vfs.fileNames('/db')).toEqual(['a', 'nodirsync', 'unsynced']);
    expect(vfs.crash().fileNames('/db')).toEqual(['a']);
  });

  it('a file whose entry is durable but whose data is unsynced survives empty', () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/db');
    const w = vfs.openWritable('/db/f');
    vfs.syncDir('/db');
    w.append(bytes('data'));
    const after = vfs.crash();
    expect(after.fileNames('/db')).toEqual(['f']);
    expect(after.size('/db/f')).toBe(0);
  });

  it('undoes a rename not followed by syncDir, and keeps one that was', () => {
    const vfs = withDurableFile('/db/CURRENT', 'old');
    write(vfs, '/db/tmp', 'new', true);
    vfs.syncDir('/db');
    vfs.rename('/db/tmp', '/db/CURRENT');
    const lost = vfs.crash();
    expect(lost.readFile('/db/CURRENT').toString()).toBe('old');
    expect(lost.readFile('/db/tmp').toString()).toBe('new');

    lost.rename('/db/tmp', '/db/CURRENT');
    lost.syncDir('/db');
    const kept = lost.crash();
    expect(kept.readFile('/db/CURRENT').toString()).toBe('new');
    expect(kept.fileNames('/db')).toEqual(['CURRENT']);
  });

  it('needs syncDir of both directories for a rename across directories', () => {
    const vfs = withDurableFile('/db/a', 'x');
    vfs.mkdir('/db/archive');
    vfs.rename('/db/a', '/db/archive/a');
    vfs.syncDir('/db/archive');
    const after = vfs.crash();
    // The new entry is durable, the old one's removal is not: both names exist.
    expect(after.fileNames('/db')).toEqual(['a']);
    expect(after.fileNames('/db/archive')).toEqual(['a']);
  });

  it("brings a removed file back unless the removal was synced (dirEntries 'drop')", () => {
    const vfs = withDurableFile();
    vfs.remove('/db/a');
    const back = vfs.crash();
    expect(back.readFile('/db/a').toString()).toBe('synced');
    back.remove('/db/a');
    back.syncDir('/db');
    expect(back.crash().exists('/db/a')).toBe(false);
  });

  it('brings back the old content when a file is recreated but the directory is not synced', () => {
    const vfs = withDurableFile('/db/a', 'first');
    write(vfs, '/db/a', 'second', true);
    expect(vfs.readFile('/db/a').toString()).toBe('second');
    expect(vfs.crash().readFile('/db/a').toString()).toBe('first');
  });

  it("keeps unsynced entries and bytes with 'keep', and kill() keeps everything", () => {
    const vfs = withDurableFile();
    write(vfs, '/db/b', 'unsynced', false);
    vfs.remove('/db/a');
    const kept = vfs.crash({ unsynced: 'keep', dirEntries: 'keep' });
    expect(kept.fileNames('/db')).toEqual(['b']);
    expect(kept.readFile('/db/b').toString()).toBe('unsynced');
    // Everything is durable in the new instance.
    expect(kept.crash().readFile('/db/b').toString()).toBe('unsynced');

    const v2 = withDurableFile();
    const a = v2.openAppendable('/db/a');
    a.append(bytes('+more'));
    write(v2, '/db/c', 'c', false);
    const killed = v2.kill();
    expect(killed.readFile('/db/a').toString()).toBe('synced+more');
    expect(killed.fileNames('/db')).toEqual(['a', 'c']);
  });

  it("keeps a seeded random prefix of each unsynced tail with 'random-prefix'", () => {
    const lengths = new Set<number>();
    const run = (seed: number): number => {
      const vfs = new FaultInjectionVfs({ seed });
      vfs.mkdir('/db');
      const w = vfs.openWritable('/db/f');
      vfs.syncDir('/db');
      w.append(bytes('0123456789'));
      w.sync();
      w.append(bytes('abcdefghijklmnopqrst'));
      const after = vfs.crash({ unsynced: 'random-prefix' });
      const content = after.readFile('/db/f').toString();
      expect('0123456789abcdefghijklmnopqrst'.startsWith(content)).toBe(true);
      expect(content.length).toBeGreaterThanOrEqual(10);
      return content.length;
    };
    for (let seed = 0; seed < 40; seed++) {
      const n = run(seed);
      expect(run(seed)).toBe(n);
      lengths.add(n);
    }
    expect(lengths.size).toBeGreaterThan(5);
  });

  it("keeps, per differing entry, either its durable or its live binding with dirEntries 'random'", () => {
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const v = new FaultInjectionVfs({ seed });
      v.mkdir('/db');
      write(v, '/db/CURRENT', 'old', true);
      write(v, '/db/gone', 'g', true);
      v.syncDir('/db');
      write(v, '/db/tmp', 'new', true);
      v.rename('/db/tmp', '/db/CURRENT');
      v.remove('/db/gone');
      write(v, '/db/created', 'c', true);
      const after = v.crash({ dirEntries: 'random' });
      const current = after.readFile('/db/CURRENT').toString();
      expect(['old', 'new']).toContain(current);
      const state = `${current} ${after.fileNames('/db').join(',')}`;
      outcomes.add(state);
    }
    // Three independent binary choices (CURRENT, gone, created): several combinations must show up.
    expect(outcomes.size).toBeGreaterThan(3);
  });

  it('applies the corruption helpers to both the volatile and the durable view', () => {
    const vfs = withDurableFile('/db/a', 'abcdef');
    vfs.flipBit('/db/a', 0, 1);
    vfs.zero('/db/a', 2, 2);
    expect([...vfs.readRaw('/db/a')]).toEqual([0x61 ^ 2, 0x62, 0, 0, 0x65, 0x66]);
    vfs.truncate('/db/a', 3);
    expect(vfs.syncedSize('/db/a')).toBe(3);
    const after = vfs.crash();
    expect([...after.readFile('/db/a')]).toEqual([0x61 ^ 2, 0x62, 0]);
    expect(() => after.flipBit('/db/a', 3, 0)).toThrow(RangeError);
    expect(() => after.flipBit('/db/a', 0, 8)).toThrow(RangeError);
    expect(() => after.truncate('/db/a', 4)).toThrow(RangeError);
    expect(() => after.zero('/db/a', 2, 2)).toThrow(RangeError);
  });

  it('makes the old instance dead: every call and every open file throws IO_ERROR', () => {
    const vfs = withDurableFile();
    const w = vfs.openAppendable('/db/a');
    const r = vfs.openReadable('/db/a');
    const lock = vfs.lock('/db/LOCK');
    const next = vfs.crash();
    expect(vfs.crashed).toBe(true);
    for (const fn of [
      () => w.append(bytes('x')),
      () => w.sync(),
      () => r.read(0, 1),
      () => vfs.openWritable('/db/b'),
      () => vfs.readFile('/db/a'),
      () => vfs.exists('/db/a'),
      () => vfs.list('/db'),
      () => vfs.syncDir('/db'),
      () => vfs.rename('/db/a', '/db/b'),
      () => vfs.lock('/db/LOCK2'),
      () => vfs.crash(),
      () => vfs.readRaw('/db/a'),
    ]) {
      const e = caught(fn);
      expect(e.code).toBe(ErrorCode.IO_ERROR);
      expect(e.message).toContain('crashed');
    }
    // Shutting down on the dead instance is silent; the new instance starts unlocked.
    w.close();
    r.close();
    lock.release();
    next.lock('/db/LOCK').release();
    expect(next.readFile('/db/a').toString()).toBe('synced');
  });
});

describe('FaultInjectionVfs error injection', () => {
  it('fails the next matching call once by default, with the errno code as cause', () => {
    const vfs = withDurableFile();
    vfs.injectError({ op: 'append', code: 'ENOSPC' });
    const w = vfs.openAppendable('/db/a');
    const e = caught(() => w.append(bytes('x')));
    expect(e.code).toBe(ErrorCode.IO_ERROR);
    expect(e.file).toBe('/db/a');
    expect((e.cause as { code?: string }).code).toBe('ENOSPC');
    expect(vfs.size('/db/a')).toBe(6);
    w.append(bytes('y'));
    expect(vfs.readFile('/db/a').toString()).toBe('syncedy');
    expect(vfs.stats.injectedErrors).toBe(1);
  });

  it("honours 'after' and 'times' and matches paths by string or RegExp", () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/db');
    vfs.injectError({ op: 'openWritable', path: /\.sst$/, after: 2, times: 2 });
    const results: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      write(vfs, `/db/00000${i}.log`, '', false);
      try {
        write(vfs, `/db/00000${i}.sst`, '', false);
        results.push(true);
      } catch (e) {
        expect((e as LsmkvError).code).toBe(ErrorCode.IO_ERROR);
        results.push(false);
      }
    }
    expect(results).toEqual([true, true, false, false, true, true]);
    expect(vfs.exists('/db/000002.sst')).toBe(false);

    vfs.injectError({ op: 'remove', path: '/db//000001.log', times: 5 });
    vfs.remove('/db/000000.log');
    expect(caught(() => vfs.remove('/db/000001.log')).code).toBe(ErrorCode.IO_ERROR);
    expect(vfs.exists('/db/000001.log')).toBe(true);
    vfs.clearErrors();
    vfs.remove('/db/000001.log');
  });

  it('a failed sync syncs nothing and poisons the writer', async () => {
    const vfs = withDurableFile();
    const w = vfs.openAppendable('/db/a');
    w.append(bytes('+'));
    vfs.injectError({ op: 'sync' });
    await expect(w.syncAsync()).rejects.toMatchObject({ code: ErrorCode.IO_ERROR });
    expect(vfs.syncedSize('/db/a')).toBe(6);
    expect(caught(() => w.sync()).code).toBe(ErrorCode.IO_ERROR);
    expect(caught(() => w.append(bytes('x'))).code).toBe(ErrorCode.IO_ERROR);
    expect(vfs.crash().readFile('/db/a').toString()).toBe('synced');
  });

  it('failed syncDir, rename and read change nothing', () => {
    const vfs = withDurableFile();
    write(vfs, '/db/b', 'b', true);
    vfs.injectError({ op: 'syncDir' });
    expect(caught(() => vfs.syncDir('/db')).code).toBe(ErrorCode.IO_ERROR);
    expect(vfs.durableFileNames('/db')).toEqual(['a']);
    vfs.injectError({ op: 'rename', path: '/db/c' });
    expect(caught(() => vfs.rename('/db/b', '/db/c')).code).toBe(ErrorCode.IO_ERROR);
    expect(vfs.fileNames('/db')).toEqual(['a', 'b']);
    vfs.injectError({ op: 'read', times: 2 });
    const r = vfs.openReadable('/db/a');
    expect(caught(() => r.read(0, 1)).code).toBe(ErrorCode.IO_ERROR);
    expect(caught(() => vfs.readFile('/db/a')).code).toBe(ErrorCode.IO_ERROR);
    expect(r.read(0, 1).toString()).toBe('s');
  });

  it('rejects malformed rules', () => {
    const vfs = new FaultInjectionVfs();
    expect(() => vfs.injectError({ op: 'write' as 'append' })).toThrow(TypeError);
    expect(() => vfs.injectError({ op: 'sync', times: 0 })).toThrow(RangeError);
    expect(() => vfs.injectError({ op: 'sync', after: -1 })).toThrow(RangeError);
    expect(() => vfs.crash({ unsynced: 'some' as 'drop' })).toThrow(TypeError);
  });
});

describe('FaultInjectionVfs simulated time', () => {
  it('delay() takes one event-loop turn, not a timer, so replays do not depend on the wall clock', async () => {
    const vfs = new FaultInjectionVfs({ seed: 1 });
    const order: string[] = [];
    setImmediate(() => order.push('immediate queued before'));
    await vfs.delay(600_000);
    order.push('delay done');
    // A real 10-minute sleep would outlast the test timeout (60 s); one turn ends right after the queued immediate.
    expect(order.indexOf('delay done')).toBeGreaterThan(order.indexOf('immediate queued before'));
    expect(order.indexOf('immediate queued before')).toBeGreaterThanOrEqual(0);
  });
});

describe('FaultInjectionVfs simulated clock', () => {
  it('advances one millisecond per call from a fixed epoch and carries over to the instance a crash or kill leaves', () => {
    const vfs = new FaultInjectionVfs({ seed: 4 });
    const t0 = vfs.now();
    expect(t0).toBe(Date.UTC(2026, 0, 1));
    expect(vfs.now()).toBe(t0 + 1);
    const after = vfs.crash();
    expect(after.now()).toBe(t0 + 2);
    expect(after.kill().now()).toBe(t0 + 3);
    // Two runs from the same seed see the same times whatever the wall clock says.
    expect(new FaultInjectionVfs({ seed: 9 }).now()).toBe(t0);
  });
});
