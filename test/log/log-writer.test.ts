import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { getFixed32 } from '../../src/base/coding.js';
import { BLOCK_SIZE, HEADER_SIZE, RecordType } from '../../src/log/log-format.js';
import { LogWriter } from '../../src/log/log-writer.js';
import { fragment, payload, prng } from './log-fixtures.js';
import { loadNativeForTests } from '../codec/load-native.js';
import { MemFile } from './mem-file.js';
import { tsCodec } from '../../src/codec/ts-codec.js';

/** The reference XXH32 (xxhash-addon, seed 0): an oracle independent of the codec under test. */
const { XXHash32 } = createRequire(import.meta.url)('xxhash-addon') as { XXHash32: { hash(b: Buffer): Buffer } };
const referenceXxh32 = (b: Buffer): number => XXHash32.hash(b).readUInt32BE(0);

/** Parses the fragments of a log file (no validation) as [offset, type, length]. */
function fragments(data: Buffer): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  let pos = 0;
  while (pos < data.length) {
    if (BLOCK_SIZE - (pos % BLOCK_SIZE) < HEADER_SIZE) {
      pos += BLOCK_SIZE - (pos % BLOCK_SIZE);
      continue;
    }
    const n = data.readUInt16LE(pos + 4);
    out.push([pos, data[pos + 6]!, n]);
    pos += HEADER_SIZE + n;
  }
  return out;
}

/** Reference framing, fragment by fragment with the fixtures' own header code: an oracle for the writer. */
function referenceFrames(payloads: readonly Buffer[], start: number): { bytes: Buffer; end: number } {
  const parts: Buffer[] = [];
  let pos = start;
  for (const p of payloads) {
    let src = 0;
    do {
      if (BLOCK_SIZE - pos < HEADER_SIZE) {
        parts.push(Buffer.alloc(BLOCK_SIZE - pos));
        pos = 0;
      }
      const n = Math.min(p.length - src, BLOCK_SIZE - pos - HEADER_SIZE);
      const first = src === 0;
      const last = src + n === p.length;
      const type = first && last ? RecordType.FULL : first ? RecordType.FIRST : last ? RecordType.LAST : RecordType.MIDDLE;
      parts.push(fragment(type, p.subarray(src, src + n)));
      pos += HEADER_SIZE + n;
      src += n;
    } while (src < p.length);
  }
  return { bytes: Buffer.concat(parts), end: pos };
}

const nativeCodec = loadNativeForTests('log-writer native checksum cases');

describe('LogWriter', () => {
  it('writes a small record as one FULL fragment with the documented header', () => {
    const file = new MemFile();
    new LogWriter(file, tsCodec).addRecord(Buffer.from('hello'));
    const data = file.contents();
    expect(data.length).toBe(HEADER_SIZE + 5);
    expect(data.readUInt16LE(4)).toBe(5);
    expect(data[6]).toBe(RecordType.FULL);
    expect(getFixed32(data, 0)).toBe(referenceXxh32(Buffer.concat([Buffer.from([1]), Buffer.from('hello')])));
    expect(data.subarray(7).toString()).toBe('hello');
    expect(data).toEqual(fragment(RecordType.FULL, Buffer.from('hello')));
  });

  it('writes an empty record as a FULL fragment of length 0', () => {
    const file = new MemFile();
    new LogWriter(file, tsCodec).addRecord(new Uint8Array(0));
    expect(file.contents()).toEqual(fragment(RecordType.FULL, new Uint8Array(0)));
  });

  it('splits a record over several blocks as FIRST, MIDDLE*, LAST filling each block', () => {
    const file = new MemFile();
    const p = payload(3 * BLOCK_SIZE + 100, 1);
    new LogWriter(file, tsCodec).addRecord(p);
    const frags = fragments(file.contents());
    expect(frags.map((f) => f[1])).toEqual([2, 3, 3, 4]);
    expect(frags.slice(0, 3).map((f) => f[2])).toEqual([BLOCK_SIZE - 7, BLOCK_SIZE - 7, BLOCK_SIZE - 7]);
    expect(frags.map((f) => f[0])).toEqual([0, BLOCK_SIZE, 2 * BLOCK_SIZE, 3 * BLOCK_SIZE]);
    expect(frags[3]![2]).toBe(p.length - 3 * (BLOCK_SIZE - 7));
  });

  it('with exactly 7 bytes left in a block writes an empty FIRST there', () => {
    const file = new MemFile();
    const w = new LogWriter(file, tsCodec);
    w.addRecord(payload(BLOCK_SIZE - 2 * HEADER_SIZE, 1)); // leaves 7 bytes
    expect(file.size).toBe(BLOCK_SIZE - 7);
    w.addRecord(payload(10, 2));
    const frags = fragments(file.contents());
    expect(frags.slice(1)).toEqual([
      [BLOCK_SIZE - 7, RecordType.FIRST, 0],
      [BLOCK_SIZE, RecordType.LAST, 10],
    ]);
  });

  it('with fewer than 7 bytes left pads the block with zeros and starts at the next block', () => {
    for (let left = 1; left < HEADER_SIZE; left++) {
      const file = new MemFile();
      const w = new LogWriter(file, tsCodec);
      w.addRecord(payload(BLOCK_SIZE - HEADER_SIZE - left, 1));
      expect(file.size).toBe(BLOCK_SIZE - left);
      w.addRecord(payload(3, 2));
      const data = file.contents();
      expect(data.subarray(BLOCK_SIZE - left, BLOCK_SIZE).every((b) => b === 0)).toBe(true);
      expect(fragments(data).slice(1)).toEqual([[BLOCK_SIZE, RecordType.FULL, 3]]);
      // Padding is written in the same append as the record that follows it.
      expect(file.appends).toBe(2);
    }
  });

  it('addRecords appends exactly once per call and matches record-by-record framing byte for byte', () => {
    const rnd = prng(7);
    for (let round = 0; round < 20; round++) {
      const payloads = Array.from({ length: 1 + Math.floor(rnd() * 8) }, (_, i) =>
        payload(Math.floor(rnd() * (rnd() < 0.2 ? 70000 : 300)), round * 10 + i),
      );
      const batched = new MemFile();
      const wb = new LogWriter(batched, tsCodec);
      const single = new MemFile();
      const ws = new LogWriter(single, tsCodec);
      for (let call = 0; call < 3; call++) {
        wb.addRecords(payloads);
        for (const p of payloads) ws.addRecord(p);
      }
      expect(batched.appends).toBe(3);
      expect(single.appends).toBe(3 * payloads.length);
      expect(batched.contents().equals(single.contents())).toBe(true);
    }
  });

  it('addRecords of nothing appends nothing', () => {
    const file = new MemFile();
    new LogWriter(file, tsCodec).addRecords([]);
    expect(file.appends).toBe(0);
  });

  it('continues the block layout when reopened at an existing offset', () => {
    const whole = new MemFile();
    const w = new LogWriter(whole, tsCodec);
    const first = new MemFile();
    const w1 = new LogWriter(first, tsCodec);
    for (let i = 0; i < 5; i++) {
      w.addRecord(payload(9000, i));
      w1.addRecord(payload(9000, i));
    }
    const second = new MemFile();
    const w2 = new LogWriter(second, tsCodec, first.size);
    for (let i = 5; i < 9; i++) {
      w.addRecord(payload(9000, i));
      w2.addRecord(payload(9000, i));
    }
    expect(Buffer.concat([first.contents(), second.contents()]).equals(whole.contents())).toBe(true);
  });

  it('does not retain the caller payload: later mutation does not change what was written', () => {
    const file = new MemFile();
    const p = Buffer.from('abc');
    new LogWriter(file, tsCodec).addRecord(p);
    p[0] = 0x7a;
    expect(file.contents().subarray(7).toString()).toBe('abc');
  });

  it('one same-sized record per call (single puts), around a group that replaces the scratch buffer', () => {
    const file = new MemFile();
    const w = new LogWriter(file, tsCodec);
    const payloads: Buffer[] = [];
    for (let i = 0; i < 600; i++) payloads.push(payload(i === 300 ? 200000 : 135, i));
    for (const p of payloads) w.addRecords([p]);
    expect(file.appends).toBe(600);
    expect(file.contents().equals(referenceFrames(payloads, 0).bytes)).toBe(true);
  });

  it('an append of the same framed size right after the scratch buffer grew sends the new bytes', () => {
    // 3 bytes of padding + header + 135 = 145 fills a 163-byte scratch; then 138 bytes frame to 145 too but need a
    // bigger scratch: a view cached by length alone would still point at the old buffer.
    const file = new MemFile();
    const w = new LogWriter(file, tsCodec, BLOCK_SIZE - 3);
    const a = payload(135, 1);
    const b = payload(138, 2);
    w.addRecords([a]);
    w.addRecords([b]);
    expect(file.size).toBe(290);
    expect(file.contents().equals(referenceFrames([a, b], BLOCK_SIZE - 3).bytes)).toBe(true);
  });

  it.each([
    ['typescript', tsCodec],
    ['native', nativeCodec],
  ] as const)(
    'reusing its output buffer, every append is the reference framing (%s codec, groups up to past the kept size)',
    (_name, codec) => {
      if (codec === undefined) return;
      const rnd = prng(41);
      const file = new MemFile();
      const w = new LogWriter(file, codec);
      const want: Buffer[] = [];
      let pos = 0;
      for (let call = 0; call < 60; call++) {
        const big = call % 20 === 19;
        const payloads = Array.from({ length: 1 + Math.floor(rnd() * 5) }, (_, i) => {
          const r = rnd();
          const n = big
            ? (1 << 20) + Math.floor(rnd() * 9000)
            : r < 0.5
              ? Math.floor(rnd() * 200)
              : r < 0.8
                ? 190 + Math.floor(rnd() * 20)
                : Math.floor(rnd() * 150000);
          return payload(n, call * 8 + i);
        });
        const ref = referenceFrames(payloads, pos);
        const [appends, size] = [file.appends, file.size];
        w.addRecords(payloads);
        expect(file.appends).toBe(appends + 1);
        expect(file.size - size).toBe(ref.bytes.length);
        want.push(ref.bytes);
        pos = ref.end;
      }
      expect(file.contents().equals(Buffer.concat(want))).toBe(true);
    },
  );
});

