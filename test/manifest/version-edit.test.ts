import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/base/coding.js';
import { ErrorCode, LsmkvError } from '../../src/base/errors.js';
import {
  EditTag,
  OptionalTag,
  decodeVersionEdit,
  emptyEdit,
  encodeVersionEdit,
  type VersionEdit,
} from '../../src/manifest/version-edit.js';
import { prng } from '../helpers/model.js';
import { fm } from './manifest-fixtures.js';
import { expectCorruption } from '../log/expect-corruption.js';

function corruptionOf(data: Uint8Array): LsmkvError {
  return expectCorruption(() => decodeVersionEdit(data, 'MANIFEST-000004', 777), 'MANIFEST-000004', 777);
}

function randomEdit(rnd: () => number): VersionEdit {
  const edit = emptyEdit();
  if (rnd() < 0.5) edit.comparator = rnd() < 0.5 ? 'lsmkv.BytewiseComparator' : 'ünïcode ✓';
  if (rnd() < 0.5) edit.logNumber = Math.floor(rnd() * 2 ** 40);
  if (rnd() < 0.5) edit.nextFileNumber = Math.floor(rnd() * 1000);
  if (rnd() < 0.5) edit.lastSequence = rnd() < 0.2 ? Number.MAX_SAFE_INTEGER : Math.floor(rnd() * 2 ** 53);
  for (let i = Math.floor(rnd() * 5); i > 0; i--) {
    edit.deletedFiles.push({ level: Math.floor(rnd() * 7), number: Math.floor(rnd() * 1e6) });
  }
  for (let i = Math.floor(rnd() * 5); i > 0; i--) {
    const lo = String(Math.floor(rnd() * 1000));
    const file = fm(Math.floor(rnd() * 1e6), lo, lo + 'z'.repeat(Math.floor(rnd() * 300)), Math.floor(rnd() * 2 ** 35));
    if (rnd() < 0.5) {
      const entries = Math.floor(rnd() * 2 ** 33);
      file.stats = { entries, deletions: Math.floor(rnd() * entries), maxSequence: Math.floor(rnd() * 2 ** 53) };
    }
    edit.newFiles.push({ level: Math.floor(rnd() * 7), file });
  }
  return edit;
}

describe('version edit encoding', () => {
  it('encodes the documented tags byte for byte', () => {
    const edit: VersionEdit = {
      comparator: 'c',
      logNumber: 5,
      nextFileNumber: 300,
      lastSequence: 2,
      deletedFiles: [{ level: 1, number: 9 }],
      newFiles: [
        {
          level: 2,
          file: { number: 10, size: 128, smallest: Buffer.alloc(8, 1), largest: Buffer.alloc(9, 2) },
        },
      ],
    };
    expect(encodeVersionEdit(edit).toString('hex')).toBe(
      '01' + '01' + '63' + // comparator "c"
        '02' + '05' + // log number
        '03' + 'ac02' + // next file number 300
        '04' + '02' + // last sequence
        '06' + '01' + '09' + // deleted file L1 #9
        '07' + '02' + '0a' + '8001' + '08' + '01'.repeat(8) + '09' + '02'.repeat(9), // new file
    );
  });

  it('round-trips random edits', () => {
    const rnd = prng(3);
    for (let i = 0; i < 300; i++) {
      const edit = randomEdit(rnd);
      expect(decodeVersionEdit(encodeVersionEdit(edit), 'm', 0)).toEqual(edit);
    }
  });

  it('an empty edit encodes to nothing and decodes back', () => {
    expect(encodeVersionEdit(emptyEdit()).length).toBe(0);
    expect(decodeVersionEdit(new Uint8Array(0), 'm', 0)).toEqual(emptyEdit());
  });

  it("records a new file's stats as optional tag 8193 right after it, byte for byte", () => {
    const file = { number: 10, size: 128, smallest: Buffer.alloc(8, 1), largest: Buffer.alloc(9, 2) };
    const plain = encodeVersionEdit({ ...emptyEdit(), newFiles: [{ level: 2, file }] });
    const stats = { entries: 300, deletions: 2, maxSequence: 5 };
    const edit = { ...emptyEdit(), newFiles: [{ level: 2, file: { ...file, stats } }] };
    const data = encodeVersionEdit(edit);
    expect(data.subarray(plain.length).toString('hex')).toBe('8140' + '05' + '0a' + 'ac02' + '02' + '05');
    expect(decodeVersionEdit(data, 'm', 0)).toEqual(edit);
    // A reader that knows no optional tag (only the bit-13 rule) reads the same files without stats.
    const skipped = Buffer.concat([plain, Buffer.from([0x80 | 0x05, 0x40, 1, 0])]);
    expect(decodeVersionEdit(skipped, 'm', 0)).toEqual({ ...emptyEdit(), newFiles: [{ level: 2, file }] });
  });

  it('file stats: trailing fields a later writer adds are skipped; stats for a file the edit does not add, or more deletions than entries, are CORRUPTION', () => {
    const file = { number: 10, size: 128, smallest: Buffer.alloc(8, 1), largest: Buffer.alloc(9, 2) };
    const withStats = (payload: number[]): Buffer => {
      const w = new ByteWriter();
      w.varint(EditTag.NEW_FILE);
      w.varint(1);
      w.varint(file.number);
      w.varint(file.size);
      w.lengthPrefixed(file.smallest);
      w.lengthPrefixed(file.largest);
      w.varint(OptionalTag.FILE_STATS);
      w.lengthPrefixed(Buffer.from(payload));
      return w.finish();
    };
    expect(decodeVersionEdit(withStats([10, 7, 3, 9, 0x7f, 0x7f]), 'm', 0).newFiles[0]!.file.stats).toEqual({
      entries: 7,
      deletions: 3,
      maxSequence: 9,
    });
    expect(corruptionOf(withStats([11, 7, 3, 9])).message).toContain('file stats for file 11');
    expect(corruptionOf(withStats([10, 3, 7, 9])).message).toContain('7 deletions of 3 entries');
    expect(corruptionOf(withStats([10, 7, 3])).message).toContain('max sequence in file stats');
  });

  it('skips tags with bit 13 set, with their length-prefixed bytes', () => {
    const w = new ByteWriter();
    w.varint(EditTag.LOG_NUMBER);
    w.varint(7);
    w.varint(8192 | 5);
    w.lengthPrefixed(Buffer.from('future data'));
    w.varint(8192);
    w.varint(0);
    w.varint(EditTag.LAST_SEQUENCE);
    w.varint(42);
    expect(decodeVersionEdit(w.finish(), 'm', 0)).toEqual({ ...emptyEdit(), logNumber: 7, lastSequence: 42 });
  });
});

describe('decodeVersionEdit rejects bad input with CORRUPTION naming file and record offset', () => {
  it('unknown tags without bit 13', () => {
    for (const tag of [0, 5, 8, 100, 8191, 16384]) {
      const w = new ByteWriter();
      w.varint(tag);
      w.varint(0);
      expect(corruptionOf(w.finish()).message).toContain(`unknown tag ${tag}`);
    }
  });

  it('every truncation either decodes to an edit or is CORRUPTION, never another error', () => {
    const rnd = prng(8);
    for (let round = 0; round < 20; round++) {
      const data = encodeVersionEdit(randomEdit(rnd));
      for (let n = 0; n < data.length; n++) {
        try {
          decodeVersionEdit(data.subarray(0, n), 'MANIFEST-000004', 777);
        } catch (e) {
          expect((e as LsmkvError).code).toBe(ErrorCode.CORRUPTION);
        }
      }
    }
  });

  it('a cut inside a new-file record is CORRUPTION', () => {
    const data = encodeVersionEdit({ ...emptyEdit(), newFiles: [{ level: 1, file: fm(3, 'a', 'b') }] });
    for (let n = 1; n < data.length; n++) corruptionOf(data.subarray(0, n));
  });

  it('lengths running past the end', () => {
    expect(corruptionOf(Buffer.from([EditTag.COMPARATOR, 5, 0x61])).message).toContain('runs past the end');
    expect(corruptionOf(Buffer.from([0x80, 0x40, 3, 1])).message).toContain('runs past the end'); // tag 8192
  });

  it('an overlong varint', () => {
    corruptionOf(Buffer.from([EditTag.LOG_NUMBER, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
  });

  it('table keys shorter than an internal-key trailer', () => {
    const w = new ByteWriter();
    w.varint(EditTag.NEW_FILE);
    w.varint(1);
    w.varint(3);
    w.varint(100);
    w.lengthPrefixed(Buffer.alloc(7));
    w.lengthPrefixed(Buffer.alloc(8));
    expect(corruptionOf(w.finish()).message).toContain('shorter than an internal key trailer');
  });
});
