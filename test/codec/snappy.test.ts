/**
 * snappy tests: both codecs' raw snappy against the npm `snappy` package as the oracle — our decompressors read
 * its output, it reads our output — plus hand-built streams with every element encoding, the exact bytes of small
 * cases, damaged streams (a status, never a throw, the same on both sides), byte-identical compression between
 * the codecs, and the ratio on db_bench-like values. Native cases are skipped, with the reason, when the addon is
 * not built.
 */

import snappy from 'snappy';
import { describe, expect, it } from 'vitest';
import { ValueSource } from '../../bench/db-bench/values.js';
import type { Codec } from '../../src/codec/codec.js';
import { CodecStatus } from '../../src/codec/codec.js';
import { maxCompressedLength } from '../../src/codec/snappy.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { loadNativeForTests } from './load-native.js';
import { randomBytes, seededRandom } from '../../fuzz/native-decoder.fuzz.js';
import { compressibleBytes, damageStream, fuzzOnce, handBuiltStream, streamCase } from '../../fuzz/snappy.fuzz.js';

const maybeNative = loadNativeForTests('native snappy tests');
const codecs: Array<[string, Codec]> = [['typescript', tsCodec]];
if (maybeNative !== undefined) codecs.push(['native', maybeNative]);

/** The npm package's decompression, or 'error'. */
function oracleUncompress(stream: Buffer): Buffer | 'error' {
  try {
    return snappy.uncompressSync(stream) as Buffer;
  } catch {
    return 'error';
  }
}

/** The length a stream's header declares (up to 5 varint bytes), or -1 without a complete header. */
function declaredLength(stream: Buffer): number {
  let v = 0;
  for (let i = 0; i < 5 && i < stream.length; i++) {
    v += (stream[i]! & 0x7f) * 128 ** i;
    if (stream[i]! < 0x80) return v;
  }
  return -1;
}

/** Inputs of the sizes and shapes the oracle tests use: empty, 1 byte, runs, random, compressible, > 64 KiB. */
function inputs(): Buffer[] {
  const r = seededRandom(5);
  const out: Buffer[] = [Buffer.alloc(0), Buffer.from([7]), Buffer.alloc(3, 1), Buffer.alloc(100_000, 0x61)];
  out.push(randomBytes(r, 70_000), compressibleBytes(r, 200_000), Buffer.alloc(65_536 * 2 + 17, 0));
  for (let len = 0; len < 40; len++) out.push(compressibleBytes(r, len));
  for (let i = 0; i < 150; i++) {
    const n = Math.floor(r() * (i % 10 === 0 ? 150_000 : 6000));
    out.push(i % 3 === 0 ? randomBytes(r, n) : compressibleBytes(r, n));
  }
  return out;
}

describe.each(codecs)('%s snappy', (_name, codec) => {
  const cases = inputs();

  it('decompresses what the npm package compresses (empty, 1 byte, runs, random, > 64 KiB)', () => {
    for (const input of cases) {
      const out = codec.snappyUncompress(snappy.compressSync(input));
      expect(typeof out, `length ${input.length}`).not.toBe('number');
      expect((out as Buffer).equals(input), `length ${input.length}`).toBe(true);
    }
  });

  it('compresses to valid snappy: the npm package decompresses it back', () => {
    for (const input of cases) {
      const packed = codec.snappyCompress(input);
      expect(packed.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
      expect(Buffer.from(snappy.uncompressSync(packed) as Buffer).equals(input), `length ${input.length}`).toBe(true);
    }
  });

  it('decompresses hand-built streams with every element encoding, like the npm package', () => {
    const r = seededRandom(6);
    for (let i = 0; i < 300; i++) {
      const { stream, expected } = handBuiltStream(r);
      const out = codec.snappyUncompress(stream);
      const want = oracleUncompress(stream);
      const ok = want !== 'error' && want.equals(expected) && typeof out !== 'number' && out.equals(expected);
      if (!ok) expect.fail(`stream ${stream.toString('hex')}`);
    }
  });

  it('writes the documented bytes for small inputs', () => {
    expect(codec.snappyCompress(Buffer.alloc(0)).toString('hex')).toBe('00');
    // Shorter than the 15-byte margin: one literal.
    expect(codec.snappyCompress(Buffer.from('abcabcabcabc')).toString('hex')).toBe('0c2c' + Buffer.from('abcabcabcabc').toString('hex'));
    // 100 × 'a': varint 100, literal 'a' (the probe at 1 matches position 0), then one match of 99 at offset 1
    // (extended to the fragment end) written as copy-2 of 64 (fe 01 00) and copy-2 of 35 (8a 01 00).
    const runs = codec.snappyCompress(Buffer.alloc(100, 0x61)).toString('hex');
    expect(runs).toBe('64' + '0061' + 'fe0100' + '8a0100');
    // A short match at a short distance is a copy-1: 'abcdefgh' literal, copy-1 of 8 at offset 8 (11 = 8 bytes
    // long, (8 - 4) << 2 | 1), then the margin tail 'xyzxyzxyzxyzxyz' as a literal.
    const input = Buffer.from('abcdefghabcdefghxyzxyzxyzxyzxyz');
    expect(codec.snappyCompress(input).toString('hex')).toBe(
      '1f' + '1c' + Buffer.from('abcdefgh').toString('hex') + '1108' + '38' + Buffer.from('xyzxyzxyzxyzxyz').toString('hex'),
    );
  });

  it('rejects exactly the damaged streams the oracle rejects, with BAD_COMPRESSED_BLOCK, never throwing', () => {
    const r = seededRandom(7);
    let rejected = 0;
    for (let i = 0; i < 2000; i++) {
      const stream = damageStream(r, streamCase(r, codec));
      const out = codec.snappyUncompress(stream);
      // The npm package allocates the declared length before looking at the elements (seconds for 4 GiB); ours
      // rejects a length the input cannot produce up front. Such streams are invalid whoever decodes them.
      const want = declaredLength(stream) > 1 << 20 ? 'error' : oracleUncompress(stream);
      const agree =
        typeof out === 'number'
          ? out === CodecStatus.BAD_COMPRESSED_BLOCK && want === 'error'
          : want !== 'error' && out.equals(want);
      if (!agree) expect.fail(`ours ${typeof out === 'number' ? out : 'ok'}, oracle ${want === 'error' ? 'error' : 'ok'}: ${stream.toString('hex')}`);
      if (typeof out === 'number') rejected++;
    }
    expect(rejected).toBeGreaterThan(1000);
  });

  it('rejects each malformation the format rules out', () => {
    const bad = [
      '', // no header
      '80', // header cut off
      '8080808080', // header longer than 5 bytes
      '80808080800100', // 6-byte header
      'ffffffff1f', // length 2^33 - 1 (>= 2^32)
      '0a' + '0000', // declares 10 bytes, one literal of 1: output short
      '01' + '0041' + '0042', // more output than declared
      '06' + '0061' + '0500', // copy-1 (length 5) with offset 0
      '05' + '0061' + '0201', // copy-2 cut off
      '02' + '0061' + '020000', // copy-2 with offset 0
      '03' + '0061' + '060200', // copy-2 with offset 2 when 1 byte is written
      '02' + '0061' + '030100', // copy-4 cut off
      '02' + '0061' + '0300000000', // copy-4 with offset 0
      '05' + 'f0', // literal whose 1-byte length is missing
      '02' + '0441', // literal of 2 with only 1 byte
      'c801' + '0041', // declares 200 from 2 element bytes (no stream expands that much)
    ];
    for (const hex of bad) {
      const stream = Buffer.from(hex, 'hex');
      expect(codec.snappyUncompress(stream), hex).toBe(CodecStatus.BAD_COMPRESSED_BLOCK);
      expect(oracleUncompress(stream), hex).toBe('error');
    }
  });
});

describe.skipIf(maybeNative === undefined)('native and TypeScript snappy agree', () => {
  const native = maybeNative!;

  it('compress to identical bytes (random, compressible, multi-fragment)', () => {
    for (const input of inputs()) {
      expect(native.snappyCompress(input).equals(tsCodec.snappyCompress(input)), `length ${input.length}`).toBe(true);
    }
  });

  it('agree on 1500 fuzz rounds (streams, compression, stored blocks)', () => {
    const r = seededRandom(8);
    for (let i = 0; i < 1500; i++) expect(fuzzOnce(r, native, tsCodec, (b) => b), `round ${i}`).toBeUndefined();
  });
});

describe('compression ratio', () => {
  it('is within 5% of the npm package on db_bench-like values (50 random printable bytes + a copy)', () => {
    const values = new ValueSource(301, 100);
    let ours = 0;
    let theirs = 0;
    for (let block = 0; block < 100; block++) {
      const parts: Buffer[] = [];
      for (let j = 0; j < 40; j++) parts.push(values.value(block * 40 + j, 0));
      const raw = Buffer.concat(parts);
      ours += tsCodec.snappyCompress(raw).length;
      theirs += (snappy.compressSync(raw) as Buffer).length;
    }
    expect(ours / theirs).toBeLessThan(1.05);
    expect(ours / (100 * 4000)).toBeLessThan(0.6);
  });
});
