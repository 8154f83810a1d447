import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/base/coding.js';
import { COMPARATOR_NAME } from '../../src/base/comparator.js';
import { ErrorCode, LsmkvError } from '../../src/base/errors.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { LogWriter } from '../../src/log/log-writer.js';
import { setCurrent } from '../../src/manifest/manifest-files.js';
import { EditTag, emptyEdit, encodeVersionEdit, type FileMeta, type VersionEdit } from '../../src/manifest/version-edit.js';
import { VersionSet, type VersionSetOptions } from '../../src/manifest/version-set.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';
import { expectCorruption } from '../log/expect-corruption.js';
import { describeVersion, fm } from './manifest-fixtures.js';

const DIR = '/db';
const LEVELS = 4;

function setup(): FaultInjectionVfs {
  const vfs = new FaultInjectionVfs({ seed: 3 });
  vfs.mkdir(DIR);
  return vfs;
}

function create(vfs: FaultInjectionVfs, options?: VersionSetOptions): VersionSet {
  return VersionSet.create(vfs, DIR, tsCodec, LEVELS, options);
}

function recover(vfs: FaultInjectionVfs, options?: VersionSetOptions): VersionSet {
  return VersionSet.recover(vfs, DIR, tsCodec, LEVELS, options);
}

function edit(add: Array<[number, FileMeta]>, del: Array<[number, number]> = [], extra: Partial<VersionEdit> = {}) {
  return {
    ...emptyEdit(),
    ...extra,
    newFiles: add.map(([level, file]) => ({ level, file })),
    deletedFiles: del.map(([level, number]) => ({ level, number })),
  };
}

/** Builds a few versions: flushes to L0, a compaction to L1, counters moving. */
function populate(set: VersionSet): void {
  const a = set.newFileNumber();
  const b = set.newFileNumber();
  set.lastSequence = 50;
  set.logAndApply(edit([[0, fm(a, 'a', 'm')]], [], { logNumber: b }));
  const c = set.newFileNumber();
  set.lastSequence = 90;
  set.logAndApply(edit([[0, fm(c, 'k', 'z')]]));
  const d = set.newFileNumber();
  const e = set.newFileNumber();
  set.logAndApply(
    edit(
      [
        [1, fm(d, 'a', 'k')],
        [1, fm(e, 'l', 'z')],
      ],
      [
        [0, a],
        [0, c],
      ],
    ),
  );
}

function manifestPath(set: VersionSet): string {
  return `${DIR}/MANIFEST-${String(set.manifestNumber).padStart(6, '0')}`;
}

describe('VersionSet.create', () => {
  it('writes MANIFEST-000001 holding a snapshot and points CURRENT at it, durably', () => {
    const vfs = setup();
    const set = create(vfs);
    expect(set.manifestNumber).toBe(1);
    expect(set.state).toEqual({ logNumber: 0, nextFileNumber: 2, lastSequence: 0 });
    expect(vfs.readFile(`${DIR}/CURRENT`).toString()).toBe('MANIFEST-000001\n');
    set.close();
    const after = vfs.crash();
    const again = recover(after, { reuseManifest: false });
    expect(describeVersion(again.current)).toEqual([[], [], [], []]);
    expect(again.state).toEqual({ logNumber: 0, nextFileNumber: 3, lastSequence: 0 });
    expect(again.manifestNumber).toBe(2);
    expect(after.readFile(`${DIR}/CURRENT`).toString()).toBe('MANIFEST-000002\n');
  });
});

describe('VersionSet.logAndApply and recover', () => {
  it('replays appended edits: same version, counters and (reuse off) a fresh compact manifest', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    const expected = describeVersion(set.current);
    expect(expected).toEqual([[], ['5:a-k', '6:l-z'], [], []]);
    const state = set.state;
    expect(state).toEqual({ logNumber: 3, nextFileNumber: 7, lastSequence: 90 });
    set.close();

    const afterCrash = vfs.crash();
    const again = recover(afterCrash, { reuseManifest: false });
    expect(describeVersion(again.current)).toEqual(expected);
    expect(again.logNumber).toBe(3);
    expect(again.lastSequence).toBe(90);
    // The new MANIFEST took number 7; every number allocated before stays used.
    expect(again.manifestNumber).toBe(7);
    expect(again.newFileNumber()).toBe(8);
    expect(again.recovered?.manifest).toBe('MANIFEST-000001');
    expect(again.recovered?.summary.records).toBe(4);
    again.close();
    // The fresh manifest is one snapshot record.
    const reread = recover(afterCrash.crash());
    expect(reread.recovered).toMatchObject({ manifest: 'MANIFEST-000007', summary: { records: 1 } });
    expect(describeVersion(reread.current)).toEqual(expected);
  });

  it('fills the counters into the edit, keeping a larger log number or last sequence from the edit', () => {
    const set = create(setup());
    set.lastSequence = 10;
    const e = edit([], [], { logNumber: 40, lastSequence: 5 });
    set.logAndApply(e);
    expect(e).toMatchObject({ logNumber: 40, lastSequence: 10, nextFileNumber: 2 });
    expect(set.logNumber).toBe(40);
    expect(set.lastSequence).toBe(10);
    const e2 = edit([], [], { logNumber: 30, lastSequence: 70 });
    set.logAndApply(e2);
    expect(set.logNumber).toBe(40);
    expect(set.lastSequence).toBe(70);
  });

  it('an edit that does not apply is CORRUPTION and changes nothing; the set stays usable', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    const before = describeVersion(set.current);
    const size = vfs.size(manifestPath(set));
    expectCorruption(() => set.logAndApply(edit([[1, fm(20, 'b', 'c')]])));
    expectCorruption(() => set.logAndApply(edit([], [[2, 5]])));
    expect(describeVersion(set.current)).toEqual(before);
    expect(vfs.size(manifestPath(set))).toBe(size);
    set.logAndApply(edit([[2, fm(21, 'b', 'c')]]));
    expect(set.current.numFiles(2)).toBe(1);
  });

  it('tolerates a torn manifest tail: edits before it survive, the torn edit is gone', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    set.close();
    const path = `${DIR}/MANIFEST-000001`;
    const full = vfs.size(path);
    expect(recover(vfs.kill()).recovered?.summary).toEqual({ records: 4, endOffset: full });
    // Every cut inside the last record (the compaction edit) recovers the state before it.
    for (const cut of [full - 1, full - 10, full - 30]) {
      const v2 = setup();
      const s2 = create(v2);
      populate(s2);
      s2.close();
      v2.truncate(path, cut);
      // The compaction wrote its tables before its edit was torn off: their numbers must not be reused.
      v2.openWritable(`${DIR}/000006.sst`).close();
      const got = recover(v2);
      expect(describeVersion(got.current)).toEqual([['4:k-z', '2:a-m'], [], [], []]);
      expect(got.recovered?.summary.tornTailOffset).toBeLessThan(cut);
      expect(got.manifestNumber).toBe(7);
      expect(got.newFileNumber()).toBe(8);
    }
  });

  it('a bit flip in an earlier manifest record with valid records after it is CORRUPTION', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    set.close();
    vfs.flipBit(`${DIR}/MANIFEST-000001`, 10, 0);
    const err = expectCorruption(() => recover(vfs), 'MANIFEST-000001');
    expect(err.offset).toBe(0);
  });

  it('a zero-filled tail after the last edit is tolerated', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    set.close();
    const file = vfs.openAppendable(`${DIR}/MANIFEST-000001`);
    file.append(Buffer.alloc(5000));
    file.close();
    expect(describeVersion(recover(vfs).current)).toEqual([[], ['5:a-k', '6:l-z'], [], []]);
  });

  it('survives a power loss after each synced edit, with unsynced bytes partially kept', () => {
    for (let steps = 0; steps < 4; steps++) {
      const vfs = setup();
      const set = create(vfs);
      const seen: string[][][] = [describeVersion(set.current)];
      for (let i = 0; i < steps; i++) {
        const n = set.newFileNumber();
        set.logAndApply(edit([[0, fm(n, String(i), String(i))]]));
        seen.push(describeVersion(set.current));
      }
      const after = vfs.crash({ unsynced: 'random-prefix', dirEntries: 'random' });
      expect(describeVersion(recover(after).current)).toEqual(seen[steps]);
    }
  });
});

describe('VersionSet.recover rejects', () => {
  it('a missing CURRENT with NOT_FOUND', () => {
    expect(() => recover(setup())).toThrowError(expect.objectContaining({ code: ErrorCode.NOT_FOUND }));
  });

  it('a malformed CURRENT, or one naming a missing MANIFEST, with CORRUPTION', () => {
    const vfs = setup();
    create(vfs).close();
    const f = vfs.openWritable(`${DIR}/CURRENT`);
    f.append(Buffer.from('MANIFEST-1'));
    f.close();
    expectCorruption(() => recover(vfs), 'CURRENT');
    setCurrent(vfs, DIR, 99, 100);
    expect(expectCorruption(() => recover(vfs), 'CURRENT').message).toContain('MANIFEST-000099');
  });

  function manifestWith(records: VersionEdit[]): FaultInjectionVfs {
    const vfs = setup();
    const file = vfs.openWritable(`${DIR}/MANIFEST-000005`);
    new LogWriter(file, tsCodec).addRecords(records.map(encodeVersionEdit));
    file.close();
    setCurrent(vfs, DIR, 5, 6);
    return vfs;
  }

  const counters = { logNumber: 1, nextFileNumber: 10, lastSequence: 0 };

  it('a different comparator with NOT_SUPPORTED', () => {
    const vfs = manifestWith([edit([], [], { ...counters, comparator: 'leveldb.BytewiseComparator' })]);
    try {
      recover(vfs);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LsmkvError);
      expect((e as LsmkvError).code).toBe(ErrorCode.NOT_SUPPORTED);
      expect((e as LsmkvError).message).toContain('leveldb.BytewiseComparator');
    }
    const ok = manifestWith([edit([], [], { ...counters, comparator: COMPARATOR_NAME })]);
    expect(recover(ok).state).toEqual({ logNumber: 1, nextFileNumber: 10, lastSequence: 0 });
  });

  it('an empty manifest, or one missing a counter, with CORRUPTION', () => {
    expect(expectCorruption(() => recover(manifestWith([])), 'MANIFEST-000005').message).toContain('no version edit');
    for (const missing of ['logNumber', 'nextFileNumber', 'lastSequence'] as const) {
      const partial: Partial<VersionEdit> = { ...counters };
      delete partial[missing];
      expectCorruption(() => recover(manifestWith([edit([], [], partial)])), 'MANIFEST-000005');
    }
  });

  it('edits that do not apply (overlap, missing file) with CORRUPTION naming the record', () => {
    const first = edit([[1, fm(3, 'a', 'c')]], [], counters);
    const firstLength = encodeVersionEdit(first).length + 7;
    const overlap = manifestWith([first, edit([[1, fm(4, 'b', 'd')]])]);
    expect(expectCorruption(() => recover(overlap), 'MANIFEST-000005').offset).toBe(firstLength);
    const missing = manifestWith([first, edit([], [[0, 3]])]);
    expect(expectCorruption(() => recover(missing), 'MANIFEST-000005').offset).toBe(firstLength);
  });

  it('a record that is not a version edit with CORRUPTION', () => {
    const vfs = setup();
    const file = vfs.openWritable(`${DIR}/MANIFEST-000005`);
    const w = new ByteWriter();
    w.varint(EditTag.LOG_NUMBER);
    w.varint(1);
    w.varint(99);
    new LogWriter(file, tsCodec).addRecord(w.finish());
    file.close();
    setCurrent(vfs, DIR, 5, 6);
    expect(expectCorruption(() => recover(vfs), 'MANIFEST-000005').message).toContain('unknown tag 99');
  });
});

describe('VersionSet failures and rolling', () => {
  it('a failed MANIFEST sync is IO_ERROR, and every later edit is refused', () => {
    const vfs = setup();
    const set = create(vfs);
    vfs.injectError({ op: 'sync' });
    expect(() => set.logAndApply(edit([[0, fm(9, 'a', 'b')]]))).toThrowError(
      expect.objectContaining({ code: ErrorCode.IO_ERROR }),
    );
    expect(set.current.numFiles(0)).toBe(0);
    expect(() => set.logAndApply(edit([]))).toThrowError(/earlier MANIFEST write failed/);
    set.close();
    expect(() => set.logAndApply(edit([]))).toThrowError(expect.objectContaining({ code: ErrorCode.CLOSED }));
  });

  it('a failed MANIFEST append is IO_ERROR as well', () => {
    const vfs = setup();
    const set = create(vfs);
    vfs.injectError({ op: 'append' });
    expect(() => set.logAndApply(edit([]))).toThrowError(expect.objectContaining({ code: ErrorCode.IO_ERROR }));
    expect(() => set.logAndApply(edit([]))).toThrowError(expect.objectContaining({ code: ErrorCode.IO_ERROR }));
  });

  it('rolls to a new MANIFEST past maxManifestSize, and recovery reads the new one', () => {
    const vfs = setup();
    const set = create(vfs, { maxManifestSize: 200 });
    const manifests = new Set<number>([set.manifestNumber]);
    for (let i = 0; i < 30; i++) {
      const n = set.newFileNumber();
      set.logAndApply(edit([[0, fm(n, `k${i}`, `k${i}z`)]]));
      manifests.add(set.manifestNumber);
      expect(vfs.size(manifestPath(set))).toBeLessThan(200 + 80 * (i + 2));
    }
    expect(manifests.size).toBeGreaterThan(3);
    expect(vfs.readFile(`${DIR}/CURRENT`).toString()).toBe(`MANIFEST-${String(set.manifestNumber).padStart(6, '0')}\n`);
    const expected = describeVersion(set.current);
    set.close();
    const again = recover(vfs.crash());
    expect(describeVersion(again.current)).toEqual(expected);
    expect(again.current.numFiles(0)).toBe(30);
  });

  it('a failure while creating the MANIFEST at create() leaves no CURRENT', () => {
    const vfs = setup();
    vfs.injectError({ op: 'sync' });
    expect(() => create(vfs)).toThrowError(expect.objectContaining({ code: ErrorCode.IO_ERROR }));
    expect(vfs.exists(`${DIR}/CURRENT`)).toBe(false);
    expect(vfs.list(DIR)).toEqual([]);
  });
});

describe('VersionSet.recover reuses a cleanly ended MANIFEST', () => {
  it('appends to it: no new MANIFEST, CURRENT unchanged, later edits recovered after a power loss', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    set.close();
    const sizeBefore = vfs.size(`${DIR}/MANIFEST-000001`);
    const again = recover(vfs);
    expect(again.manifestNumber).toBe(1);
    expect(vfs.list(DIR).filter((n) => n.startsWith('MANIFEST-'))).toEqual(['MANIFEST-000001']);
    expect(vfs.readFile(`${DIR}/CURRENT`).toString()).toBe('MANIFEST-000001\n');
    // The first edit after the reuse continues the block framing at the old end.
    const n = again.newFileNumber();
    again.logAndApply(edit([[0, fm(n, 'b', 'c')]]));
    const expected = describeVersion(again.current);
    expect(vfs.size(`${DIR}/MANIFEST-000001`)).toBeGreaterThan(sizeBefore);
    again.close();
    const after = recover(vfs.crash({ unsynced: 'random-prefix', dirEntries: 'random' }));
    expect(describeVersion(after.current)).toEqual(expected);
    expect(after.recovered?.summary.records).toBe(5);
    expect(after.state.nextFileNumber).toBeGreaterThan(n);
  });

  it('makes edits read from the OS durable first: a crash before their sync, then a power loss, keeps them', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    set.close();
    // A process appends an edit and dies before its fsync (the bytes are in the OS, not on disk).
    const file = vfs.openAppendable(`${DIR}/MANIFEST-000001`);
    new LogWriter(file, tsCodec).addRecord(encodeVersionEdit(edit([[2, fm(50, 'x', 'y')]], [], { nextFileNumber: 51 })));
    file.close();
    // The next process opens over the same OS (this vfs instance still knows the edit is not on disk).
    const reopened = recover(vfs);
    const seen = describeVersion(reopened.current);
    expect(seen[2]).toEqual(['50:x-y']);
    reopened.close();
    // This process may now act on that edit (delete what it made obsolete): it must survive a power loss.
    expect(describeVersion(recover(vfs.crash({ unsynced: 'drop' })).current)).toEqual(seen);
  });

  it('starts a fresh MANIFEST instead after a torn tail, and the set past maxManifestSize', () => {
    const vfs = setup();
    const set = create(vfs);
    populate(set);
    set.close();
    vfs.truncate(`${DIR}/MANIFEST-000001`, vfs.size(`${DIR}/MANIFEST-000001`) - 3);
    const torn = recover(vfs);
    // The torn compaction edit had allocated 5 and 6; nothing of them exists, so the fresh MANIFEST takes 5.
    expect(torn.manifestNumber).toBe(5);
    expect(vfs.readFile(`${DIR}/CURRENT`).toString()).toBe('MANIFEST-000005\n');
    torn.close();
    const big = recover(vfs, { maxManifestSize: 10 });
    expect(big.recovered?.manifest).toBe('MANIFEST-000005');
    expect(big.manifestNumber).toBeGreaterThan(5);
    expect(vfs.readFile(`${DIR}/CURRENT`).toString()).toBe(`MANIFEST-00000${big.manifestNumber}\n`);
  });
});

describe('VersionSet refs and file numbers', () => {
  it('liveFiles covers the current version and every version still ref’d', () => {
    const set = create(setup());
    set.logAndApply(edit([[0, fm(10, 'a', 'b')], [0, fm(11, 'c', 'd')]]));
    const pinned = set.current;
    pinned.ref(); // an iterator
    set.logAndApply(edit([[1, fm(12, 'a', 'd')]], [[0, 10], [0, 11]]));
    expect([...set.liveFiles()].sort()).toEqual([10, 11, 12]);
    set.logAndApply(edit([[2, fm(13, 'a', 'd')]], [[1, 12]]));
    // 12 lived only in an intermediate version nobody holds.
    expect([...set.liveFiles()].sort()).toEqual([10, 11, 13]);
    pinned.unref();
    expect([...set.liveFiles()]).toEqual([13]);
    expect(set.current.refCount).toBe(1);
  });

  it('markFileNumberUsed moves the next number past it, never backwards', () => {
    const set = create(setup());
    expect(set.newFileNumber()).toBe(2);
    set.markFileNumberUsed(40);
    expect(set.newFileNumber()).toBe(41);
    set.markFileNumberUsed(5);
    expect(set.newFileNumber()).toBe(42);
  });
});

describe('VersionSet.logAndApplyAsync', () => {
  /** A vfs whose MANIFEST fsyncs off the event loop complete only when the test releases them. */
  function deferredSyncs(vfs: FaultInjectionVfs): { vfs: FaultInjectionVfs; release: () => void; pending: () => number } {
    const queue: Array<() => void> = [];
    const openWritable = vfs.openWritable.bind(vfs);
    vfs.openWritable = (path: string) => {
      const f = openWritable(path);
      f.syncAsync = () =>
        new Promise<void>((resolve, reject) =>
          queue.push(() => {
            try {
              f.sync();
              resolve();
            } catch (e) {
              reject(e as Error);
            }
          }),
        );
      return f;
    };
    return { vfs, release: () => queue.splice(0).forEach((f) => f()), pending: () => queue.length };
  }
  const flushMicrotasks = () => new Promise((r) => setImmediate(r));

  it('installs only once the edit is durable; a power loss before that recovers the version without it', async () => {
    const { vfs, pending } = deferredSyncs(setup());
    const set = create(vfs, { reuseManifest: false });
    const installed: string[][][] = [];
    set.logAndApplyAsync(edit([[0, fm(10, 'a', 'b')]]), (v) => installed.push(describeVersion(v)), (e) => {
      throw e;
    });
    await flushMicrotasks();
    expect(pending()).toBe(1);
    expect(set.hasPending).toBe(true);
    expect(describeVersion(set.current)).toEqual([[], [], [], []]);
    expect(installed).toEqual([]);
    // Power loss now: the edit was appended but not synced; nothing acted on it, and it is gone.
    expect(describeVersion(recover(vfs.crash({ unsynced: 'drop' })).current)).toEqual([[], [], [], []]);
  });

  it('the fsync completing installs it and calls onInstalled once; completePending does it synchronously', async () => {
    const { vfs, release } = deferredSyncs(setup());
    const set = create(vfs, { reuseManifest: false });
    const calls: number[] = [];
    set.logAndApplyAsync(edit([[0, fm(10, 'a', 'b')]]), () => calls.push(1), (e) => {
      throw e;
    });
    release();
    await flushMicrotasks();
    expect(calls).toEqual([1]);
    expect(describeVersion(set.current)).toEqual([['10:a-b'], [], [], []]);
    // A second edit, completed synchronously (a stalled writer): installed now, its later fsync changes nothing.
    set.logAndApplyAsync(edit([[0, fm(11, 'c', 'd')]]), () => calls.push(2), (e) => {
      throw e;
    });
    set.completePending();
    expect(calls).toEqual([1, 2]);
    expect(describeVersion(set.current)).toEqual([['11:c-d', '10:a-b'], [], [], []]);
    // A third edit while nothing is released, then a synchronous logAndApply: the pending one goes first.
    set.logAndApplyAsync(edit([[1, fm(12, 'e', 'f')]]), () => calls.push(3), (e) => {
      throw e;
    });
    set.logAndApply(edit([], [[1, 12]]));
    expect(calls).toEqual([1, 2, 3]);
    release();
    await flushMicrotasks();
    expect(calls).toEqual([1, 2, 3]);
    const expected = describeVersion(set.current);
    set.close();
    expect(describeVersion(recover(vfs.crash({ unsynced: 'drop' })).current)).toEqual(expected);
  });

  it('a failed fsync calls onError, installs nothing and refuses later edits', async () => {
    const vfs = setup();
    const set = create(vfs);
    vfs.injectError({ op: 'sync' });
    let error: Error | undefined;
    set.logAndApplyAsync(edit([[0, fm(10, 'a', 'b')]]), () => expect.unreachable(), (e) => (error = e));
    await flushMicrotasks();
    expect(error).toMatchObject({ code: ErrorCode.IO_ERROR });
    expect(describeVersion(set.current)).toEqual([[], [], [], []]);
    expect(() => set.logAndApply(edit([]))).toThrowError(/earlier MANIFEST write failed/);
  });
});
