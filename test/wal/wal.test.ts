import { describe, expect, it } from 'vitest';
import { ErrorCode, LsmkvError } from '../../src/base/errors.js';
import { WriteBatch, forEachBatchOp } from '../../src/batch/write-batch.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { LogWriter } from '../../src/log/log-writer.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';
import { replayWal } from '../../src/wal/wal-reader.js';
import { WalWriter } from '../../src/wal/wal-writer.js';

const PATH = '/db/000005.log';

function batch(i: number, ops: number): Uint8Array {
  const b = new WriteBatch();
  for (let j = 0; j < ops; j++) {
    if (j % 3 === 2) b.delete(Buffer.from(`k${i}-${j}`));
    else b.put(Buffer.from(`k${i}-${j}`), Buffer.alloc(j * 50, i));
  }
  return Buffer.from(b.payload(1 + i * 1000));
}

/** Replays and returns (firstSeq, ops) per batch. */
function replay(data: Buffer, mode: 'tolerate-tail' | 'strict'): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  replayWal(data, '000005.log', tsCodec, mode, (payload) => {
    const r = forEachBatchOp(payload, () => {});
    out.push([r.firstSeq, r.count]);
  });
  return out;
}

function setup(): FaultInjectionVfs {
  const vfs = new FaultInjectionVfs({ seed: 1 });
  vfs.mkdir('/db');
  return vfs;
}

describe('WalWriter and replayWal', () => {
  it('replays batches written in groups, one append per group', () => {
    const vfs = setup();
    const wal = new WalWriter(vfs.openWritable(PATH), tsCodec, 5);
    expect(wal.number).toBe(5);
    const before = vfs.stats.appends;
    wal.addBatches([batch(0, 3), batch(1, 40)]);
    wal.addBatches([batch(2, 200)]);
    expect(vfs.stats.appends - before).toBe(2);
    wal.sync();
    expect(wal.size).toBe(vfs.size(PATH));
    wal.close();
    expect(replay(vfs.readFile(PATH), 'strict')).toEqual([
      [1, 3],
      [1001, 40],
      [2001, 200],
    ]);
  });

  it('after a power loss replays exactly the synced groups (a torn tail is dropped)', async () => {
    const vfs = setup();
    const wal = new WalWriter(vfs.openWritable(PATH), tsCodec, 5);
    vfs.syncDir('/db');
    wal.addBatches([batch(0, 10)]);
    await wal.syncAsync();
    wal.addBatches([batch(1, 500), batch(2, 5)]);
    const after = vfs.crash({ unsynced: 'random-prefix' });
    const got = replay(after.readFile(PATH), 'tolerate-tail');
    expect(got.slice(0, 1)).toEqual([[1, 10]]);
    // Whatever else survived is a prefix of the unsynced group.
    expect([[1001, 500], [2001, 5]].slice(0, got.length - 1)).toEqual(got.slice(1));
  });

  it('continues an existing WAL opened for appending', () => {
    const vfs = setup();
    const w1 = new WalWriter(vfs.openWritable(PATH), tsCodec, 5);
    w1.addBatches([batch(0, 2000)]);
    w1.close();
    const w2 = new WalWriter(vfs.openAppendable(PATH), tsCodec, 5);
    w2.addBatches([batch(1, 1)]);
    w2.close();
    expect(replay(vfs.readFile(PATH), 'strict')).toEqual([
      [1, 2000],
      [1001, 1],
    ]);
  });

  it('a record too short for a batch header is CORRUPTION naming the file and record offset', () => {
    const vfs = setup();
    const file = vfs.openWritable(PATH);
    const log = new LogWriter(file, tsCodec);
    log.addRecord(batch(0, 1));
    const offset = file.size;
    log.addRecord(Buffer.alloc(11));
    try {
      replay(vfs.readFile(PATH), 'tolerate-tail');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LsmkvError);
      expect((e as LsmkvError).code).toBe(ErrorCode.CORRUPTION);
      expect((e as LsmkvError).file).toBe('000005.log');
      expect((e as LsmkvError).offset).toBe(offset);
    }
  });

  it('forwards I/O errors of append and sync', () => {
    const vfs = setup();
    const wal = new WalWriter(vfs.openWritable(PATH), tsCodec, 5);
    vfs.injectError({ op: 'append' });
    expect(() => wal.addBatches([batch(0, 1)])).toThrowError(expect.objectContaining({ code: ErrorCode.IO_ERROR }));
    vfs.injectError({ op: 'sync' });
    expect(() => wal.sync()).toThrowError(expect.objectContaining({ code: ErrorCode.IO_ERROR }));
  });
});
