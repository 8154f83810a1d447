import { describe, expect, it } from 'vitest';
import { LsmkvError } from '../../src/base/errors.js';
import { BLOCK_SIZE, HEADER_SIZE, RecordType } from '../../src/log/log-format.js';
import { readLog, type LogReadMode, type LogReadSummary } from '../../src/log/log-reader.js';
import { digests, fragment, payload, prng, writeLog, type WrittenLog } from './log-fixtures.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { expectCorruption } from './expect-corruption.js';

interface Read {
  payloads: Buffer[];
  offsets: number[];
  summary: LogReadSummary;
}

function read(data: Buffer, mode: LogReadMode): Read {
  const payloads: Buffer[] = [];
  const offsets: number[] = [];
  const summary = readLog(data, '000007.log', tsCodec, mode, (p, off) => {
    payloads.push(Buffer.from(p));
    offsets.push(off);
  });
  return { payloads, offsets, summary };
}

function corruptionOf(data: Buffer, mode: LogReadMode): LsmkvError {
  return expectCorruption(() => read(data, mode), '000007.log');
}

const MODES: LogReadMode[] = ['tolerate-tail', 'strict'];

/** Sizes chosen to exercise FULL, FIRST/LAST across one boundary, FIRST/MIDDLE/LAST, empty and tiny records. */
const MIXED_SIZES = [0, 1, 100, 32761, 6, 40000, 0, 7, 70000, 12, 500, 32768, 3];

function flip(data: Buffer, byteOffset: number, bit = 0): Buffer {
  const copy = Buffer.from(data);
  copy[byteOffset]! ^= 1 << bit;
  return copy;
}

describe('readLog on intact logs', () => {
  it('reads back what was written, with first-fragment offsets, in both modes', () => {
    const log = writeLog(MIXED_SIZES.map((n, i) => payload(n, i)));
    for (const mode of MODES) {
      const r = read(log.data, mode);
      expect(digests(r.payloads)).toEqual(digests(log.payloads));
      expect(r.offsets).toEqual(log.starts);
      expect(r.summary).toEqual({ records: MIXED_SIZES.length, endOffset: log.data.length });
    }
  });

  it('reads random record sizes around block boundaries', () => {
    const rnd = prng(42);
    for (let round = 0; round < 10; round++) {
      const sizes = Array.from({ length: 30 }, () => {
        const r = rnd();
        return r < 0.5 ? Math.floor(rnd() * 64) : r < 0.9 ? Math.floor(rnd() * 5000) : Math.floor(rnd() * 80000);
      });
      const log = writeLog(sizes.map((n, i) => payload(n, round * 100 + i)));
      const r = read(log.data, 'strict');
      expect(digests(r.payloads)).toEqual(digests(log.payloads));
      expect(r.offsets).toEqual(log.starts);
    }
  });

  it('handles the exact block-boundary cases: 7 bytes left (empty FIRST) and 1..6 bytes left (padding)', () => {
    for (let left = 1; left <= HEADER_SIZE + 1; left++) {
      const log = writeLog([payload(BLOCK_SIZE - HEADER_SIZE - left, 1), payload(20, 2), payload(0, 3)]);
      expect(log.ends[0]).toBe(BLOCK_SIZE - left);
      for (const mode of MODES) {
        const r = read(log.data, mode);
        expect(digests(r.payloads)).toEqual(digests(log.payloads));
        expect(r.offsets).toEqual(log.starts);
      }
    }
  });

  it('reads an empty file as zero records', () => {
    for (const mode of MODES) {
      expect(read(Buffer.alloc(0), mode).summary).toEqual({ records: 0, endOffset: 0 });
    }
  });

  it('skips fragments whose type has bit 7 set, inside and outside a record', () => {
    const data = Buffer.concat([
      fragment(RecordType.FULL, Buffer.from('a')),
      fragment(0x80, Buffer.from('future')),
      fragment(RecordType.FIRST, Buffer.from('b1')),
      fragment(0xff, Buffer.from('x')),
      fragment(RecordType.LAST, Buffer.from('b2')),
      fragment(0x81, Buffer.alloc(0)),
    ]);
    for (const mode of MODES) {
      const r = read(data, mode);
      expect(r.payloads.map(String)).toEqual(['a', 'b1b2']);
      expect(r.summary).toEqual({ records: 2, endOffset: data.length });
    }
  });

  it('ignores the contents of block padding', () => {
    const log = writeLog([payload(BLOCK_SIZE - HEADER_SIZE - 3, 1), payload(5, 2)]);
    const data = flip(log.data, BLOCK_SIZE - 2, 3);
    expect(digests(read(data, 'strict').payloads)).toEqual(digests(log.payloads));
  });
});

describe('readLog on truncated logs', () => {
  /**
   * Cuts `log` at every offset in [from, to] and checks, in both modes, that the complete records before the cut
   * (identified by offset and length; contents are checked elsewhere) and nothing else are delivered.
   * Mismatches are collected rather than asserted one by one: expect() per cut would dominate the run time.
   */
  function checkEveryCut(log: WrittenLog, from: number, to: number, step = 1): void {
    const expected = log.starts.flatMap((s, i) => [s, log.payloads[i]!.length]);
    const problems: string[] = [];
    for (let cut = from; cut <= to; cut += step) {
      const complete = log.ends.filter((e) => e <= cut).length;
      // A cut inside the zero padding before the next record damages no fragment: a clean end.
      const next = log.starts[complete];
      const torn = next === undefined || cut <= next ? undefined : next;
      for (const mode of MODES) {
        const seen: number[] = [];
        const summary = readLog(log.data.subarray(0, cut), 'x.log', tsCodec, mode, (p, off) => seen.push(off, p.length));
        const want = expected.slice(0, 2 * complete);
        if (
          summary.records !== complete ||
          seen.join() !== want.join() ||
          summary.tornTailOffset !== torn ||
          summary.endOffset !== (complete === 0 ? 0 : log.ends[complete - 1])
        ) {
          problems.push(`cut ${cut} ${mode}: ${JSON.stringify(summary)} seen ${seen.join()}`);
        }
      }
    }
    expect(problems.slice(0, 5)).toEqual([]);
  }

  it('at every byte offset delivers exactly the complete records before the cut and never throws', () => {
    // ~34 KB: empty and tiny FULL records, and a record of two fragments across the first block boundary.
    const log = writeLog([0, 5, 300, 20000, 1, 14000, 0, 2000, 40].map((n, i) => payload(n, i)));
    expect(log.starts[5]! < BLOCK_SIZE && log.ends[5]! > BLOCK_SIZE).toBe(true);
    // Every offset of the first 4 KiB and around the block boundary; every 13th elsewhere (a cut makes the
    // reader scan the rest of the block for valid fragments, so all 34 K cuts would take minutes).
    checkEveryCut(log, 0, 4096);
    checkEveryCut(log, BLOCK_SIZE - 300, BLOCK_SIZE + 300);
    checkEveryCut(log, log.data.length - 300, log.data.length);
    checkEveryCut(log, 4096, log.data.length, 13);
  });

  it('at every byte offset around padded and empty-FIRST block boundaries', () => {
    for (const left of [3, HEADER_SIZE]) {
      const log = writeLog([payload(BLOCK_SIZE - HEADER_SIZE - left - 20, 1), payload(10, 2), payload(30, 3), payload(4, 4)]);
      checkEveryCut(log, BLOCK_SIZE - 100, log.data.length);
    }
  });

  it('a record cut exactly at a block boundary is dropped', () => {
    const log = writeLog([payload(10, 1), payload(3 * BLOCK_SIZE, 2)]);
    for (const mode of MODES) {
      const r = read(log.data.subarray(0, 2 * BLOCK_SIZE), mode);
      expect(digests(r.payloads)).toEqual(digests(log.payloads.slice(0, 1)));
      expect(r.summary.tornTailOffset).toBe(log.starts[1]);
      expect(r.summary.tornReason).toContain('incomplete');
    }
  });
});

describe('readLog on damaged logs', () => {
  const log = writeLog([payload(50, 1), payload(60, 2), payload(70, 3)]);
  const last = log.starts[2]!;

  it('a bit flip in the last record is a torn tail in tolerate-tail mode and CORRUPTION in strict mode', () => {
    for (const at of [last, last + 3, last + 6, last + HEADER_SIZE, log.data.length - 1]) {
      const data = flip(log.data, at);
      const r = read(data, 'tolerate-tail');
      expect(digests(r.payloads)).toEqual(digests(log.payloads.slice(0, 2)));
      expect(r.summary.tornTailOffset).toBe(last);
      expect(r.summary.endOffset).toBe(last);
      expect(corruptionOf(data, 'strict').offset).toBe(last);
    }
  });

  it('a bit flip in an earlier record followed by valid records is CORRUPTION naming its offset', () => {
    const second = log.starts[1]!;
    for (const at of [second, second + 2, second + 6, second + HEADER_SIZE + 10]) {
      for (const mode of MODES) {
        const err = corruptionOf(flip(log.data, at), mode);
        expect(err.offset).toBe(second);
        expect(err.message).toContain(`offset ${second}`);
      }
    }
  });

  it('random bit flips: earlier damage is CORRUPTION at the damaged fragment, never a silent loss', () => {
    // Records of many sizes over ~5 blocks, so that every damaged fragment has a valid one after it: either the
    // next fragment in its block or the first fragment of a later block.
    const sizes = [30, 200, 9000, 45000, 10, 0, 20000, 300, 70000, 15, 40];
    const big = writeLog(sizes.map((n, i) => payload(n, i)));
    const lastBlockStart = Math.floor((big.data.length - 1) / BLOCK_SIZE) * BLOCK_SIZE;
    const rnd = prng(99);
    let checked = 0;
    while (checked < 150) {
      const at = Math.floor(rnd() * lastBlockStart);
      if (BLOCK_SIZE - (at % BLOCK_SIZE) <= 6 && at >= big.ends[0]!) continue; // maybe padding
      const err = corruptionOf(flip(big.data, at, Math.floor(rnd() * 8)), checked % 2 ? 'strict' : 'tolerate-tail');
      expect(err.offset).toBeLessThanOrEqual(at);
      expect(at - err.offset!).toBeLessThan(BLOCK_SIZE);
      checked++;
    }
  });

  it('a zero-filled tail ends the log in both modes', () => {
    for (const zeros of [1, 6, 7, 100, 2 * BLOCK_SIZE]) {
      const data = Buffer.concat([log.data, Buffer.alloc(zeros)]);
      for (const mode of MODES) {
        const r = read(data, mode);
        expect(digests(r.payloads)).toEqual(digests(log.payloads));
        expect(r.summary.tornTailOffset).toBe(log.data.length);
        expect(r.summary.endOffset).toBe(log.data.length);
      }
    }
  });

  it('a zeroed record with a valid fragment in a later block is CORRUPTION', () => {
    const big = writeLog([payload(50, 1), payload(60, 2), payload(BLOCK_SIZE, 3), payload(10, 4)]);
    const data = Buffer.from(big.data);
    data.fill(0, big.starts[1]!, big.ends[1]!);
    for (const mode of MODES) expect(corruptionOf(data, mode).offset).toBe(big.starts[1]);
  });

  it('a zeroed record followed by records in the same block is CORRUPTION (rule (c) scans the block)', () => {
    // A zero header hides where the next fragment starts; the scan of the rest of the block finds record 3.
    const data = Buffer.from(log.data);
    data.fill(0, log.starts[1]!, log.ends[1]!);
    for (const mode of MODES) {
      const e = corruptionOf(data, mode);
      expect(e.offset).toBe(log.starts[1]);
      expect(e.message).toContain(`valid fragment follows at offset ${log.starts[2]}`);
    }
  });

  it('a zero-filled block between valid blocks is CORRUPTION', () => {
    const big = writeLog([payload(100, 1), payload(3 * BLOCK_SIZE, 2), payload(10, 3)]);
    const data = Buffer.from(big.data);
    data.fill(0, BLOCK_SIZE, 2 * BLOCK_SIZE);
    for (const mode of MODES) expect(corruptionOf(data, mode).offset).toBe(BLOCK_SIZE);
  });

  it('garbage after the last record that does not validate is a torn tail', () => {
    // Read as a header, this garbage claims a payload running past the end of the file: a cut fragment.
    const cut = Buffer.concat([log.data, payload(500, 9)]);
    // A whole fragment with a wrong checksum.
    const bad = Buffer.concat([log.data, fragment(RecordType.FULL, Buffer.from('tail'), 12345)]);
    for (const data of [cut, bad]) {
      const r = read(data, 'tolerate-tail');
      expect(digests(r.payloads)).toEqual(digests(log.payloads));
      expect(r.summary.tornTailOffset).toBe(log.data.length);
    }
    expect(read(cut, 'strict').summary.tornReason).toContain('cut by the end of the file');
    expect(corruptionOf(bad, 'strict').message).toContain('checksum mismatch');
  });

  it('damage in a later block is found when the damaged fragment claims a length past its block', () => {
    const big = writeLog([payload(100, 1), payload(BLOCK_SIZE, 2), payload(10, 3)]);
    const data = Buffer.from(big.data);
    data.writeUInt16LE(0xffff, 4 + big.starts[0]!); // first record now claims 65535 bytes
    for (const mode of MODES) expect(corruptionOf(data, mode).offset).toBe(0);
  });

  it('a length running past the block end at the tail is torn, and CORRUPTION when strict', () => {
    const data = Buffer.concat([log.data, fragment(RecordType.FULL, Buffer.alloc(0))]);
    data.writeUInt16LE(BLOCK_SIZE, log.data.length + 4);
    expect(read(data, 'tolerate-tail').summary.tornReason).toContain('past the end of its block');
    expect(corruptionOf(data, 'strict').offset).toBe(log.data.length);
  });

  it('an unknown type with a valid checksum: torn at the end, CORRUPTION when strict or when followed', () => {
    for (const type of [0, 5, 127]) {
      const tail = Buffer.concat([log.data, fragment(type, Buffer.from('zz'))]);
      expect(read(tail, 'tolerate-tail').summary.tornReason).toBe(`unknown fragment type ${type}`);
      expect(corruptionOf(tail, 'strict').offset).toBe(log.data.length);
      const followed = Buffer.concat([tail, fragment(RecordType.FULL, Buffer.from('after'))]);
      expect(corruptionOf(followed, 'tolerate-tail').offset).toBe(log.data.length);
    }
  });

  it('a MIDDLE or LAST without a FIRST is damage', () => {
    for (const type of [RecordType.MIDDLE, RecordType.LAST]) {
      const stray = Buffer.concat([log.data, fragment(type, Buffer.from('m'))]);
      const r = read(stray, 'tolerate-tail');
      expect(digests(r.payloads)).toEqual(digests(log.payloads));
      expect(r.summary.tornTailOffset).toBe(log.data.length);
      expect(corruptionOf(stray, 'strict').offset).toBe(log.data.length);
      const followed = Buffer.concat([stray, fragment(RecordType.FULL, Buffer.from('after'))]);
      expect(corruptionOf(followed, 'tolerate-tail').offset).toBe(log.data.length);
    }
  });

  it('a FULL or FIRST while a record is open is CORRUPTION in both modes', () => {
    for (const type of [RecordType.FULL, RecordType.FIRST]) {
      const data = Buffer.concat([
        fragment(RecordType.FIRST, Buffer.from('a')),
        fragment(RecordType.MIDDLE, Buffer.from('b')),
        fragment(type, Buffer.from('c')),
        fragment(RecordType.LAST, Buffer.from('d')),
      ]);
      for (const mode of MODES) {
        const err = corruptionOf(data, mode);
        expect(err.offset).toBe(16);
        expect(err.message).toContain('record at offset 0 has no LAST fragment');
      }
    }
  });

  it('never delivers a record whose fragments span a damaged region', () => {
    const big = writeLog([payload(10, 1), payload(3 * BLOCK_SIZE, 2)]);
    // Damage the MIDDLE fragment in the third block; the LAST in the fourth block still validates.
    const data = flip(big.data, 2 * BLOCK_SIZE + 100);
    const seen: number[] = [];
    expect(() =>
      readLog(data, '000007.log', tsCodec, 'tolerate-tail', (p) => seen.push(p.length)),
    ).toThrowError(LsmkvError);
    expect(seen).toEqual([10]);
    // Damage only the LAST fragment: a torn tail; the big record is dropped from its FIRST fragment on.
    const tail = flip(big.data, big.data.length - 1);
    const r = read(tail, 'tolerate-tail');
    expect(digests(r.payloads)).toEqual(digests(big.payloads.slice(0, 1)));
    expect(r.summary.tornTailOffset).toBe(big.starts[1]);
  });

  it('damage to the FIRST fragment of a multi-block last record is CORRUPTION (rule (a): a later block validates)', () => {
    const big = writeLog([payload(10, 1), payload(2 * BLOCK_SIZE, 2)]);
    const data = flip(big.data, big.starts[1]! + HEADER_SIZE + 5);
    expect(corruptionOf(data, 'tolerate-tail').offset).toBe(big.starts[1]);
  });
});
