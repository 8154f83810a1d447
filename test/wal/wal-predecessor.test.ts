import { describe, expect, it } from 'vitest';
import { WriteBatch } from '../../src/batch/write-batch.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { BLOCK_SIZE } from '../../src/log/log-format.js';
import { readLog } from '../../src/log/log-reader.js';
import { FaultInjectionVfs } from '../../src/vfs/fault-injection-vfs.js';
import { replayWal } from '../../src/wal/wal-reader.js';
import { WalWriter } from '../../src/wal/wal-writer.js';

describe('WAL predecessor record', () => {
  it('is read back by replayWal and skipped as a batch', () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/d');
    const wal = new WalWriter(vfs.openWritable('/d/000009.log'), tsCodec, 9);
    wal.addPredecessor(7, 123_456_789_012);
    wal.addBatches([new WriteBatch().put(Buffer.from('k'), Buffer.from('v')).payload(123_456_789_013)]);
    wal.close();
    const seen: Array<[number, number]> = [];
    let batches = 0;
    replayWal(vfs.readFile('/d/000009.log'), '000009.log', tsCodec, 'strict', () => batches++, (n, s) => seen.push([n, s]));
    expect(seen).toEqual([[7, 123_456_789_012]]);
    expect(batches).toBe(1);
    // A reader that does not ask for it (an older one) skips it.
    let records = 0;
    readLog(vfs.readFile('/d/000009.log'), '000009.log', tsCodec, 'strict', () => records++);
    expect(records).toBe(1);
  });

  it('moves to the next block when it does not fit in the current one', () => {
    const vfs = new FaultInjectionVfs();
    vfs.mkdir('/d');
    const wal = new WalWriter(vfs.openWritable('/d/000009.log'), tsCodec, 9);
    // Fill the first block up to 3 bytes before its end.
    wal.addBatches([new WriteBatch().put(Buffer.from('k'), Buffer.alloc(BLOCK_SIZE - 7 - 12 - 4 - 3)).payload(1)]);
    wal.addPredecessor(300, 5);
    wal.addBatches([new WriteBatch().delete(Buffer.from('k')).payload(2)]);
    wal.close();
    const data = vfs.readFile('/d/000009.log');
    const seen: number[] = [];
    const seqs: number[] = [];
    replayWal(data, '000009.log', tsCodec, 'strict', (p) => seqs.push(p.readUInt32LE(0)), (n) => seen.push(n));
    expect(seen).toEqual([300]);
    expect(seqs).toEqual([1, 2]);
  });
});
