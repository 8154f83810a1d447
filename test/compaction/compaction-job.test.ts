/**
 * compaction-job: runJob over tables built with TableBuilder on a FaultInjectionVfs. Checks the dropping rules
 * (shadowed versions only below the oldest snapshot; deletions only when no deeper level can hold the key and
 * every snapshot sees them), output cutting (at targetFileSize, only between user keys), durability of the
 * outputs (file data and directory entries synced before the job returns) and flushes from a MemTable image.
 */
import { describe, expect, it } from 'vitest';
import { compareInternalKeys } from '../../src/base/comparator.js';
import { tableFileName } from '../../src/base/file-names.js';
import { ValueKind, makeInternalKey, sequenceOf, kindOf, userKeyOf } from '../../src/base/internal-key.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { runJob, type CompactJob, type FlushJob, type JobOutputOptions } from '../../src/compaction/compaction-job.js';
import type { FileMeta } from '../../src/manifest/version-edit.js';
import { MemTable } from '../../src/memtable/memtable.js';
import { TableBuilder } from '../../src/sstable/table-builder.js';
import { TableReader } from '../../src/sstable/table-reader.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';

const DIR = '/db';
const env = (vfs: FaultInjectionVfs) => ({ vfs, codec: tsCodec });
const output: JobOutputOptions = {
  blockSize: 512,
  blockRestartInterval: 16,
  bloomBitsPerKey: 10,
  compression: 'snappy',
  targetFileSize: 1 << 20,
};

/** [user key, sequence, kind, value]; 'D' = deletion. */
type E = [string, number, 'V' | 'D', string?];

function newVfs(): FaultInjectionVfs {
  const vfs = new FaultInjectionVfs({ seed: 1 });
  vfs.mkdir(DIR);
  vfs.syncDir(DIR);
  return vfs;
}

/** Writes a synced table holding `entries` (any order) and returns its metadata. */
function table(vfs: FaultInjectionVfs, number: number, entries: E[]): FileMeta {
  const keyed = entries.map(([k, s, t, v]) => ({
    ikey: makeInternalKey(Buffer.from(k), s, t === 'D' ? ValueKind.Deletion : ValueKind.Value),
    value: Buffer.from(v ?? ''),
  }));
  keyed.sort((a, b) => compareInternalKeys(a.ikey, b.ikey));
  const file = vfs.openWritable(`${DIR}/${tableFileName(number)}`);
  const b = new TableBuilder(file, output, tsCodec);
  for (const e of keyed) b.add(e.ikey, e.value);
  const info = b.finish();
  file.sync();
  file.close();
  vfs.syncDir(DIR);
  return { number, size: info.size, smallest: info.smallest, largest: info.largest };
}

/** Every entry of a table as 'key@seq' (values) or 'key@seq:D' (deletions), '=value' appended when asked. */
function contents(vfs: FaultInjectionVfs, f: FileMeta, withValues = false): string[] {
  const name = tableFileName(f.number);
  const stats = { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
  const r = TableReader.open(vfs.openReadable(`${DIR}/${name}`), name, f.number, tsCodec, undefined, stats);
  const out: string[] = [];
  const it = r.iterator();
  for (it.seekToFirst(); it.valid(); it.next()) {
    const k = it.key();
    let s = `${Buffer.from(userKeyOf(k)).toString()}@${sequenceOf(k)}${kindOf(k) === ValueKind.Deletion ? ':D' : ''}`;
    if (withValues) s += `=${Buffer.from(it.value()).toString()}`;
    out.push(s);
  }
  it.close();
  r.close();
  return out;
}

function compactJob(inputs: [FileMeta[], FileMeta[]], extra: Partial<CompactJob> = {}): CompactJob {
  return {
    kind: 'compact',
    dir: DIR,
    level: 1,
    outputLevel: 2,
    inputs,
    grandparents: [],
    deeperLevels: [],
    fileNumbers: [100, 101, 102, 103, 104, 105, 106, 107],
    smallestSnapshot: 1000,
    output,
    ...extra,
  };
}

function allOutputs(vfs: FaultInjectionVfs, outputs: FileMeta[]): string[] {
  return outputs.flatMap((f) => contents(vfs, f));
}

describe('runJob: dropping rules', () => {
  const history: E[] = [
    ['a', 10, 'V', 'a10'],
    ['a', 7, 'V', 'a7'],
    ['a', 5, 'V', 'a5'],
    ['a', 3, 'V', 'a3'],
    ['b', 4, 'V', 'b4'],
  ];

  it('keeps every version a snapshot can see and drops those shadowed below the oldest snapshot', () => {
    const cases: Array<[number, string[]]> = [
      [2, ['a@10', 'a@7', 'a@5', 'a@3', 'b@4']], // snapshot older than everything: all kept
      [5, ['a@10', 'a@7', 'a@5', 'b@4']], // a@3 is shadowed by a@5 <= 5
      [6, ['a@10', 'a@7', 'a@5', 'b@4']],
      [7, ['a@10', 'a@7', 'b@4']],
      [9, ['a@10', 'a@7', 'b@4']],
      [10, ['a@10', 'b@4']],
      [1000, ['a@10', 'b@4']],
    ];
    for (const [snapshot, expected] of cases) {
      const vfs = newVfs();
      const t1 = table(vfs, 1, history.slice(0, 2));
      const t2 = table(vfs, 2, history.slice(2));
      const r = runJob(compactJob([[t1], [t2]], { smallestSnapshot: snapshot }), env(vfs));
      expect(allOutputs(vfs, r.outputs), `snapshot ${snapshot}`).toEqual(expected);
      expect(r.entriesIn).toBe(5);
      expect(r.entriesOut).toBe(expected.length);
      expect(r.bytesRead).toBe(t1.size + t2.size);
    }
  });

  it('keeps exactly the newest version of each user key, for keys of 1-300 bytes that share long prefixes', () => {
    // The job tracks the current user key in a reused buffer (grown past 64 bytes, copied by hand up to 32): keys
    // that differ only in their last byte, keys that are prefixes of the next, and lengths across both limits.
    let state = 99;
    const rnd = (): number => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const prefix = 'p'.repeat(250);
    const keys = new Set<string>();
    while (keys.size < 150) {
      const len = 1 + Math.floor(rnd() * 300);
      keys.add(len <= 250 ? prefix.slice(0, len - 1) + String.fromCharCode(97 + Math.floor(rnd() * 3)) : prefix + 'q'.repeat(len - 250));
    }
    const entries: E[] = [];
    const newest = new Map<string, number>();
    let seq = 1;
    for (const k of keys) {
      const versions = 1 + Math.floor(rnd() * 3);
      for (let v = 0; v < versions; v++) {
        entries.push([k, seq, 'V', `${k.length}:${seq}`]);
        newest.set(k, seq++);
      }
    }
    const vfs = newVfs();
    const t1 = table(vfs, 1, entries.filter((_, i) => i % 2 === 0));
    const t2 = table(vfs, 2, entries.filter((_, i) => i % 2 === 1));
    const r = runJob(compactJob([[t1], [t2]], { smallestSnapshot: 1_000_000 }), env(vfs));
    const expected = [...newest].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map(([k, s]) => `${k}@${s}`);
    expect(allOutputs(vfs, r.outputs)).toEqual(expected);
    expect(r.entriesIn).toBe(entries.length);
  });

  it('drops a deletion (and what it shadows) only when no deeper level can hold the key and every snapshot sees it', () => {
    const entries: E[] = [
      ['k', 20, 'D'],
      ['k', 15, 'V', 'old'],
      ['m', 30, 'D'],
      ['z', 5, 'V', 'z'],
    ];
    const run = (snapshot: number, deeper: FileMeta[][]): string[] => {
      const vfs = newVfs();
      const input = table(vfs, 1, entries);
      const r = runJob(compactJob([[input], []], { smallestSnapshot: snapshot, deeperLevels: deeper }), env(vfs));
      return allOutputs(vfs, r.outputs);
    };
    const meta = (lo: string, hi: string): FileMeta => ({
      number: 50,
      size: 1,
      smallest: makeInternalKey(Buffer.from(lo), 1, ValueKind.Value),
      largest: makeInternalKey(Buffer.from(hi), 1, ValueKind.Value),
    });
    // Nothing deeper, all visible: deletions and the value under k are gone.
    expect(run(1000, [])).toEqual(['z@5']);
    expect(run(1000, [[], []])).toEqual(['z@5']);
    // A deeper level covering 'k' (but not 'm'): k's deletion must stay to hide what is below; m's goes.
    expect(run(1000, [[meta('j', 'l')]])).toEqual(['k@20:D', 'z@5']);
    expect(run(1000, [[], [meta('a', 'k')]])).toEqual(['k@20:D', 'z@5']);
    expect(run(1000, [[meta('k', 'k')]])).toEqual(['k@20:D', 'z@5']);
    // Deeper files around but not covering the keys.
    expect(run(1000, [[meta('a', 'j'), meta('l', 'l'), meta('n', 'y')]])).toEqual(['z@5']);
    // The deletion is newer than the oldest snapshot: that snapshot still sees k=old, so both stay.
    expect(run(19, [])).toEqual(['k@20:D', 'k@15', 'm@30:D', 'z@5']);
    expect(run(20, [])).toEqual(['m@30:D', 'z@5']);
    expect(run(29, [])).toEqual(['m@30:D', 'z@5']);
  });

  it('a flush keeps every deletion (older memtables and tables may hold the key)', () => {
    const vfs = newVfs();
    const mem = new MemTable();
    mem.add(1, ValueKind.Value, Buffer.from('a'), Buffer.from('1'));
    mem.add(2, ValueKind.Deletion, Buffer.from('a'), Buffer.alloc(0));
    mem.add(3, ValueKind.Deletion, Buffer.from('b'), Buffer.alloc(0));
    mem.add(4, ValueKind.Value, Buffer.from('c'), Buffer.from('4'));
    mem.add(5, ValueKind.Value, Buffer.from('c'), Buffer.from('5'));
    mem.freeze();
    const job: FlushJob = { kind: 'flush', dir: DIR, memtable: mem.image(), fileNumber: 9, smallestSnapshot: 5, output };
    const r = runJob(structuredClone(job), env(vfs));
    expect(r.outputs.map((f) => f.number)).toEqual([9]);
    expect(contents(vfs, r.outputs[0]!, true)).toEqual(['a@2:D=', 'b@3:D=', 'c@5=5']);
    expect(r.entriesIn).toBe(5);
    expect(r.entriesOut).toBe(3);
    expect(r.bytesRead).toBe(0);
    expect(r.bytesWritten).toBe(r.outputs[0]!.size);
    // With a snapshot at 1 the flush keeps what it can see.
    const r2 = runJob({ ...job, fileNumber: 10, smallestSnapshot: 1 }, env(vfs));
    expect(contents(vfs, r2.outputs[0]!)).toEqual(['a@2:D', 'a@1', 'b@3:D', 'c@5', 'c@4']);
  });

  it('an empty result writes no file', () => {
    const vfs = newVfs();
    const input = table(vfs, 1, [['x', 3, 'D'], ['x', 2, 'V', 'v']]);
    const r = runJob(compactJob([[input], []]), env(vfs));
    expect(r.outputs).toEqual([]);
    expect(vfs.fileNames(DIR)).toEqual([tableFileName(1)]);
    const mem = new MemTable();
    mem.freeze();
    const f = runJob({ kind: 'flush', dir: DIR, memtable: mem.image(), fileNumber: 9, smallestSnapshot: 0, output }, env(vfs));
    expect(f.outputs).toEqual([]);
  });

  it('merges L0 inputs that overlap each other, newest version first', () => {
    const vfs = newVfs();
    const older = table(vfs, 1, [['a', 1, 'V', 'old'], ['c', 2, 'V', 'c']]);
    const newer = table(vfs, 2, [['a', 5, 'V', 'new'], ['b', 6, 'D']]);
    const l1 = table(vfs, 3, [['b', 0, 'V', 'b0'], ['d', 0, 'V', 'd0']]);
    const r = runJob(compactJob([[newer, older], [l1]], { level: 0, outputLevel: 1 }), env(vfs));
    expect(r.outputs.flatMap((f) => contents(vfs, f, true))).toEqual(['a@5=new', 'c@2=c', 'd@0=d0']);
  });
});

describe('runJob: outputs', () => {
  /** 400 user keys, each with 1..4 versions, ~100-byte values; every version visible (snapshot 0). */
  function bigInput(vfs: FaultInjectionVfs): { meta: FileMeta[]; entries: number } {
    const entries: E[] = [];
    for (let i = 0; i < 400; i++) {
      const k = `key${String(i).padStart(4, '0')}`;
      for (let v = 0; v <= i % 4; v++) entries.push([k, 1 + i * 4 + v, 'V', `${k}-${v}-${'x'.repeat(100)}`]);
    }
    return { meta: [table(vfs, 1, entries.slice(0, 500)), table(vfs, 2, entries.slice(500))], entries: entries.length };
  }

  it('cuts at targetFileSize, only between user keys, into sorted disjoint synced files', () => {
    const vfs = newVfs();
    const { meta, entries } = bigInput(vfs);
    const target = 8 * 1024;
    const numbers = Array.from({ length: 40 }, (_, i) => 100 + i);
    const job = compactJob([meta.slice(0, 1), meta.slice(1)], {
      smallestSnapshot: 0,
      fileNumbers: numbers,
      output: { ...output, compression: 'none', targetFileSize: target },
    });
    const r = runJob(job, env(vfs));
    expect(r.outputs.length).toBeGreaterThan(5);
    expect(r.entriesOut).toBe(entries);
    expect(r.outputs.map((f) => f.number)).toEqual(numbers.slice(0, r.outputs.length));
    let all: string[] = [];
    for (let i = 0; i < r.outputs.length; i++) {
      const f = r.outputs[i]!;
      const path = `${DIR}/${tableFileName(f.number)}`;
      expect(vfs.size(path)).toBe(f.size);
      // The data is synced and the directory entry is durable: a power loss keeps the whole file.
      expect(vfs.syncedSize(path)).toBe(f.size);
      expect(vfs.durableFileNames(DIR)).toContain(tableFileName(f.number));
      // Cut near the target: at most one user key's versions (< 1 KiB here) plus a block past it.
      if (i < r.outputs.length - 1) {
        expect(f.size).toBeGreaterThanOrEqual(target * 0.5);
        expect(f.size).toBeLessThan(target + 2048);
      }
      if (i > 0) {
        const prev = r.outputs[i - 1]!;
        expect(compareInternalKeys(prev.largest, f.smallest)).toBeLessThan(0);
        // Never a user key in two files.
        expect(Buffer.compare(Buffer.from(userKeyOf(prev.largest)), Buffer.from(userKeyOf(f.smallest)))).toBeLessThan(0);
      }
      const c = contents(vfs, f);
      expect(c[0]).toBe(`${Buffer.from(userKeyOf(f.smallest)).toString()}@${sequenceOf(f.smallest)}`);
      all = all.concat(c);
    }
    expect(all.length).toBe(entries);
    expect(r.bytesWritten).toBe(r.outputs.reduce((n, f) => n + f.size, 0));
    // Power loss right after the job: every output survives intact.
    const after = vfs.crash();
    for (const f of r.outputs) expect(after.size(`${DIR}/${tableFileName(f.number)}`)).toBe(f.size);
  });

  it('when the preallocated numbers run out, the last output grows past the target', () => {
    const vfs = newVfs();
    const { meta, entries } = bigInput(vfs);
    const r = runJob(
      compactJob([meta.slice(0, 1), meta.slice(1)], {
        smallestSnapshot: 0,
        fileNumbers: [200, 201],
        output: { ...output, targetFileSize: 4096 },
      }),
      env(vfs),
    );
    expect(r.outputs.map((f) => f.number)).toEqual([200, 201]);
    expect(r.outputs[1]!.size).toBeGreaterThan(4 * 4096);
    expect(allOutputs(vfs, r.outputs).length).toBe(entries);
  });

  it('cuts early when an output would overlap more than 10 × targetFileSize of grandparent bytes', () => {
    const vfs = newVfs();
    const { meta } = bigInput(vfs);
    const target = 64 * 1024; // larger than the whole input: only grandparent overlap can cut
    const gp = (i: number): FileMeta => ({
      number: 300 + i,
      size: 4 * target,
      smallest: makeInternalKey(Buffer.from(`key${String(i * 40).padStart(4, '0')}`), 1, ValueKind.Value),
      largest: makeInternalKey(Buffer.from(`key${String(i * 40 + 39).padStart(4, '0')}`), 1, ValueKind.Value),
    });
    const grandparents = Array.from({ length: 10 }, (_, i) => gp(i));
    const base = { smallestSnapshot: 0, output: { ...output, targetFileSize: target } };
    const without = runJob(compactJob([meta.slice(0, 1), meta.slice(1)], base), env(vfs));
    expect(without.outputs.length).toBe(1);
    const vfs2 = newVfs();
    const { meta: meta2 } = bigInput(vfs2);
    const withGp = runJob(compactJob([meta2.slice(0, 1), meta2.slice(1)], { ...base, grandparents }), env(vfs2));
    expect(withGp.outputs.length).toBeGreaterThan(1);
    for (let i = 1; i < withGp.outputs.length; i++) {
      const a = Buffer.from(userKeyOf(withGp.outputs[i - 1]!.largest));
      const b = Buffer.from(userKeyOf(withGp.outputs[i]!.smallest));
      expect(Buffer.compare(a, b)).toBeLessThan(0);
    }
  });

  it('a failed output sync surfaces as IO_ERROR', () => {
    const vfs = newVfs();
    const input = table(vfs, 1, [['a', 1, 'V', 'x']]);
    vfs.injectError({ op: 'sync', path: /000100\.sst$/ });
    expect(() => runJob(compactJob([[input], []]), env(vfs))).toThrow(expect.objectContaining({ code: 'LSMKV_IO_ERROR' }));
  });

  it('a corrupt input surfaces as CORRUPTION naming the input', () => {
    const vfs = newVfs();
    const input = table(vfs, 1, [['a', 1, 'V', 'x'.repeat(50)], ['b', 2, 'V', 'y'.repeat(50)]]);
    vfs.flipBit(`${DIR}/${tableFileName(1)}`, 3, 0);
    let err: unknown;
    try {
      runJob(compactJob([[input], []]), env(vfs));
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'LSMKV_CORRUPTION', file: tableFileName(1) });
  });
});

describe('runJob: creation time', () => {
  const entries: E[] = Array.from({ length: 300 }, (_, i) => [`k${String(i).padStart(4, '0')}`, i + 1, 'V', `v${i}`]);

  /** The bytes of the single output of compacting one table, with Date.now() returning `wallClock`. */
  function outputBytes(wallClock: number, vfsClock: boolean): { bytes: Buffer; creationTime: number } {
    const vfs = newVfs();
    if (!vfsClock) (vfs as { now?: () => number }).now = undefined;
    const input = table(vfs, 1, entries);
    const realNow = Date.now;
    Date.now = () => wallClock;
    let outputs: FileMeta[];
    try {
      outputs = runJob(compactJob([[input], []]), env(vfs)).outputs;
    } finally {
      Date.now = realNow;
    }
    expect(outputs).toHaveLength(1);
    const name = tableFileName(outputs[0]!.number);
    const stats = { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
    const r = TableReader.open(vfs.openReadable(`${DIR}/${name}`), name, outputs[0]!.number, tsCodec, undefined, stats);
    const creationTime = r.properties.creationTime;
    r.close();
    return { bytes: vfs.readFile(`${DIR}/${name}`), creationTime };
  }

  it("stamps tables with the vfs clock when the vfs has one, so a simulated run's files never depend on the wall clock", () => {
    const a = outputBytes(1_000_000_000_000, true);
    const b = outputBytes(1_999_999_999_999, true);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.creationTime).toBe(Date.UTC(2026, 0, 1) + 0);
  });

  it('uses the wall clock on a vfs without one, and a pinned creation time over both', () => {
    expect(outputBytes(1_234_567_890_123, false).creationTime).toBe(1_234_567_890_123);
    const vfs = newVfs();
    const input = table(vfs, 1, entries);
    const pinned = runJob(compactJob([[input], []], { output: { ...output, creationTime: 42 } }), env(vfs)).outputs[0]!;
    const name = tableFileName(pinned.number);
    const stats = { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
    const r = TableReader.open(vfs.openReadable(`${DIR}/${name}`), name, pinned.number, tsCodec, undefined, stats);
    expect(r.properties.creationTime).toBe(42);
    r.close();
  });
});
