/**
 * writeBlock / readBlock (the fused per-block calls) on both codecs: the stored bytes follow docs/FORMAT.md
 * (trailer, the 1/8 rule), blocks written the old way (encodeBlock + the npm snappy package + XXH32) read back,
 * damaged stored blocks give the documented status in the documented order, and the native and TypeScript codecs
 * give identical bytes and identical results. Native cases are skipped, with the reason, when the addon is not
 * built.
 */

import snappy from 'snappy';
import { describe, expect, it } from 'vitest';
import { getFixed32, putFixed32 } from '../../src/base/coding.js';
import type { BlockEntries, Codec, DecodedBlock } from '../../src/codec/codec.js';
import { BLOCK_TRAILER_SIZE, BlockCompression, CHECKSUM_SEED, CodecStatus } from '../../src/codec/codec.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { loadNativeForTests } from './load-native.js';
import { xxh32 } from '../../src/codec/xxh32.js';
import { randomBytes, randomEntries, randomRestartInterval, seededRandom, toEntries } from '../../fuzz/native-decoder.fuzz.js';
import { compareRead, compressibleBytes, resealTrailer, storedBlockCase } from '../../fuzz/snappy.fuzz.js';

const maybeNative = loadNativeForTests('native block-io tests');
const codecs: Array<[string, Codec]> = [['typescript', tsCodec]];
if (maybeNative !== undefined) codecs.push(['native', maybeNative]);

/** Random entries whose values compress (half the time) or not. */
function entriesCase(r: () => number, compressible: boolean, maxCount = 40): BlockEntries {
  const e = randomEntries(r, maxCount);
  if (compressible) e.values = compressibleBytes(r, e.values.length);
  return e;
}

/** The stored block the way the table builder wrote it before the fused calls. */
function oldPath(entries: BlockEntries, restartInterval: number, compress: boolean): Buffer {
  const raw = tsCodec.encodeBlock(entries, restartInterval);
  let stored = raw;
  let type: number = BlockCompression.NONE;
  if (compress) {
    const c = snappy.compressSync(raw) as Buffer;
    if (raw.length - c.length >= raw.length / 8) {
      stored = c;
      type = BlockCompression.SNAPPY;
    }
  }
  const out = Buffer.alloc(stored.length + BLOCK_TRAILER_SIZE);
  stored.copy(out);
  out[stored.length] = type;
  putFixed32(out, stored.length + 1, xxh32(out.subarray(0, stored.length + 1), CHECKSUM_SEED));
  return out;
}

function expectEntries(d: DecodedBlock | number, e: BlockEntries): void {
  if (typeof d === 'number') throw new Error(`status ${d}`);
  expect(d.count).toBe(e.count);
  for (let i = 0; i < e.count; i++) {
    const key = d.keys.subarray(d.keyOffsets[i]!, d.keyOffsets[i + 1]!);
    const value = d.data.subarray(d.valueOffsets[2 * i]!, d.valueOffsets[2 * i + 1]!);
    if (!key.equals(e.keys.subarray(e.keyOffsets[i]!, e.keyOffsets[i + 1]!))) expect.fail(`key ${i} differs`);
    if (!value.equals(e.values.subarray(e.valueOffsets[i]!, e.valueOffsets[i + 1]!))) expect.fail(`value ${i} differs`);
  }
}

describe.each(codecs)('%s writeBlock / readBlock', (_name, codec) => {
  it('stores the encoded block plus a trailer; compressed exactly when snappy saves >= 1/8', () => {
    const r = seededRandom(21);
    const types = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const entries = entriesCase(r, i % 2 === 0);
      const interval = randomRestartInterval(r);
      const raw = codec.encodeBlock(entries, interval);
      const stored = codec.writeBlock(entries, interval, i % 5 !== 0);
      const size = stored.length - BLOCK_TRAILER_SIZE;
      const type = stored[size]!;
      types.add(type);
      expect(getFixed32(stored, size + 1)).toBe(xxh32(stored.subarray(0, size + 1), CHECKSUM_SEED));
      const packed = codec.snappyCompress(raw);
      const shouldCompress = i % 5 !== 0 && 8 * packed.length <= 7 * raw.length;
      expect(type).toBe(shouldCompress ? BlockCompression.SNAPPY : BlockCompression.NONE);
      expect(stored.subarray(0, size).equals(shouldCompress ? packed : raw)).toBe(true);
      const d = codec.readBlock(stored);
      expectEntries(d, entries);
      expect((d as DecodedBlock).data.equals(raw)).toBe(true);
    }
    expect([...types].sort()).toEqual([0, 1]);
  });

  it('reads blocks written the old way (encodeBlock + npm snappy + XXH32): the format did not change', () => {
    const r = seededRandom(22);
    for (let i = 0; i < 200; i++) {
      const entries = entriesCase(r, i % 3 !== 0);
      const interval = randomRestartInterval(r);
      expectEntries(codec.readBlock(oldPath(entries, interval, true)), entries);
      expectEntries(codec.readBlock(oldPath(entries, interval, false)), entries);
    }
  });

  it('handles blocks larger than the native scratch buffers (a 1 MiB value, compressible and not)', () => {
    const r = seededRandom(23);
    for (const value of [Buffer.alloc(1 << 20, 0x5a), randomBytes(r, 300_000), compressibleBytes(r, 200_000)]) {
      const entries = toEntries([
        [Buffer.from('a'), Buffer.from('x')],
        [Buffer.from('b'), value],
      ]);
      const stored = codec.writeBlock(entries, 16, true);
      expectEntries(codec.readBlock(stored), entries);
      expectEntries(codec.readBlock(oldPath(entries, 16, true)), entries);
    }
  });

  it('keeps each result intact after later calls (no aliasing of scratch buffers)', () => {
    const r = seededRandom(24);
    const all = Array.from({ length: 20 }, () => entriesCase(r, true));
    const stored = all.map((e) => codec.writeBlock(e, 16, true));
    const read = stored.map((s) => codec.readBlock(s));
    read.forEach((d, i) => expectEntries(d, all[i]!));
  });

  it('keeps results intact across many reads of mixed sizes (results share slabs; some do not fit one)', () => {
    const r = seededRandom(25);
    const all = Array.from({ length: 300 }, (_, i) => {
      const e = entriesCase(r, i % 2 === 0, i % 7 === 0 ? 400 : 40);
      if (i % 13 === 0) return toEntries([[Buffer.from('k'), compressibleBytes(r, 20_000 + Math.floor(r() * 60_000))]]);
      return e;
    });
    const read = all.map((e) => codec.readBlock(codec.writeBlock(e, 1 + Math.floor(r() * 16), r() < 0.7)));
    read.forEach((d, i) => expectEntries(d, all[i]!));
  });

  it('returns the documented status for each kind of damage, in the documented order', () => {
    const entries = toEntries(
      Array.from({ length: 30 }, (_, i) => [Buffer.from(`key${String(i).padStart(3, '0')}`), Buffer.alloc(40, 0x61)] as const),
    );
    const stored = codec.writeBlock(entries, 16, true);
    const size = stored.length - BLOCK_TRAILER_SIZE;
    expect(stored[size]).toBe(BlockCompression.SNAPPY);

    expect(codec.readBlock(Buffer.alloc(0))).toBe(CodecStatus.BAD_CHECKSUM);
    expect(codec.readBlock(stored.subarray(0, 4))).toBe(CodecStatus.BAD_CHECKSUM);
    expect(codec.readBlock(stored.subarray(0, stored.length - 1))).toBe(CodecStatus.BAD_CHECKSUM);
    for (let bit = 0; bit < stored.length * 8; bit += 7) {
      const flipped = Buffer.from(stored);
      flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7));
      expect(codec.readBlock(flipped), `bit ${bit}`).toBe(CodecStatus.BAD_CHECKSUM);
    }
    // A valid checksum over an unknown compression byte.
    for (const type of [2, 3, 0x80, 0xff]) {
      const t = Buffer.from(stored);
      t[size] = type;
      expect(codec.readBlock(resealTrailer(t))).toBe(CodecStatus.BAD_COMPRESSED_BLOCK);
    }
    // A valid checksum over damaged snappy data: truncated elements, a wrong declared length.
    const cut = Buffer.concat([stored.subarray(0, size - 3), stored.subarray(size)]);
    expect(codec.readBlock(resealTrailer(cut))).toBe(CodecStatus.BAD_COMPRESSED_BLOCK);
    const longer = Buffer.from(stored);
    longer[0] = longer[0]! + 1;
    expect(codec.readBlock(resealTrailer(longer))).toBe(CodecStatus.BAD_COMPRESSED_BLOCK);
    // Valid snappy of a bad block: the decoder's status.
    const raw = codec.encodeBlock(entries, 16);
    const badRestarts = Buffer.from(raw);
    putFixed32(badRestarts, raw.length - 4, 0);
    const packed = codec.snappyCompress(badRestarts);
    const sealed = resealTrailer(Buffer.concat([packed, Buffer.from([BlockCompression.SNAPPY, 0, 0, 0, 0])]));
    expect(codec.readBlock(sealed)).toBe(CodecStatus.BAD_RESTART_ARRAY);
    // The same bad block stored uncompressed.
    const plain = resealTrailer(Buffer.concat([badRestarts, Buffer.from([BlockCompression.NONE, 0, 0, 0, 0])]));
    expect(codec.readBlock(plain)).toBe(CodecStatus.BAD_RESTART_ARRAY);
  });

  it('never throws on damaged stored blocks, and reaches every status', () => {
    const r = seededRandom(25);
    const seen = new Set<number>();
    for (let i = 0; i < 1200; i++) {
      const d = codec.readBlock(storedBlockCase(r, codec));
      if (typeof d === 'number') seen.add(d);
    }
    for (const s of [1, 3, 4, 5, 6, 7]) expect(seen.has(s), `status ${s}`).toBe(true);
  });
});

describe.skipIf(maybeNative === undefined)('native and TypeScript writeBlock / readBlock agree', () => {
  const native = maybeNative!;

  it('write identical bytes for random entries (compressible and not, compression on and off)', () => {
    const r = seededRandom(31);
    for (let i = 0; i < 600; i++) {
      const entries = entriesCase(r, i % 2 === 0);
      const interval = randomRestartInterval(r);
      const compress = i % 4 !== 0;
      if (!native.writeBlock(entries, interval, compress).equals(tsCodec.writeBlock(entries, interval, compress))) {
        expect.fail(`case ${i} differs`);
      }
    }
  });

  it('give identical results and statuses for damaged stored blocks (flips, truncation, type byte, resealed)', () => {
    const r = seededRandom(32);
    for (let i = 0; i < 1500; i++) {
      const stored = storedBlockCase(r, i % 2 === 0 ? native : tsCodec);
      const problem = compareRead(native.readBlock(stored), tsCodec.readBlock(stored));
      if (problem !== undefined) expect.fail(`case ${i}: ${problem}: ${stored.toString('hex')}`);
    }
  });

  it('give identical statuses for every truncation and single-bit flip of a compressed block', () => {
    const r = seededRandom(33);
    const stored = native.writeBlock(entriesCase(r, true, 12), 4, true);
    expect(stored[stored.length - 5]).toBe(BlockCompression.SNAPPY);
    for (let n = 0; n <= stored.length; n++) {
      const cut = stored.subarray(0, n);
      expect(compareRead(native.readBlock(cut), tsCodec.readBlock(cut)), `length ${n}`).toBeUndefined();
    }
    for (let bit = 0; bit < (stored.length - 5) * 8; bit++) {
      const flipped = Buffer.from(stored);
      flipped[bit >> 3] = flipped[bit >> 3]! ^ (1 << (bit & 7));
      const sealed = resealTrailer(flipped);
      expect(compareRead(native.readBlock(sealed), tsCodec.readBlock(sealed)), `bit ${bit}`).toBeUndefined();
    }
  });

  it('reject bad arguments to the native calls with TypeError/RangeError, never a crash', () => {
    const e = toEntries([[Buffer.from('a'), Buffer.from('1')]]);
    expect(() => native.writeBlock({ ...e, count: 0 }, 16, true)).toThrow(RangeError);
    expect(() => native.writeBlock(e, 0, true)).toThrow(
      new RangeError('codec: native writeBlock: restartInterval must be an integer >= 1'),
    );
    expect(() => native.writeBlock({ ...e, keyOffsets: Uint32Array.of(0, 9) }, 16, false)).toThrow(RangeError);
    expect(() => native.readBlock('abc' as unknown as Buffer)).toThrow(
      new TypeError('codec: native readBlock: expected a Uint8Array'),
    );
    expect(() => native.snappyCompress([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
