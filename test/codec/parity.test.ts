/**
 * Parity of the native and TypeScript codecs: the same bytes for the same input (fixed vectors and seeded
 * random inputs), the same status for the same damaged block, and XXH32 equal to the reference C implementation
 * (xxhash-addon) on both sides. Skipped, with the reason, when the addon is not built.
 */

import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BlockEntries, Codec, DecodedBlock } from '../../src/codec/codec.js';
import { BLOOM_SEED, CodecStatus } from '../../src/codec/codec.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import { loadNativeForTests } from './load-native.js';
import {
  compareDecode,
  damage,
  fuzzCase,
  randomBytes,
  randomEntries,
  randomRestartInterval,
  seededRandom,
  toEntries,
} from '../../fuzz/native-decoder.fuzz.js';

interface XXHash32Ctor {
  new (seed: Buffer): { update(data: Buffer): void; digest(): Buffer };
}
const XXHash32 = (createRequire(import.meta.url)('xxhash-addon') as { XXHash32: XXHash32Ctor }).XXHash32;

/** XXH32 by the reference C implementation. */
function oracle(data: Uint8Array, seed: number): number {
  const s = Buffer.alloc(4);
  s.writeUInt32BE(seed >>> 0);
  const h = new XXHash32(s);
  h.update(Buffer.from(data.buffer, data.byteOffset, data.length));
  return h.digest().readUInt32BE(0);
}

const maybeNative = loadNativeForTests('parity tests');

/** Describes the first entry of `e` that `d` does not hold, or undefined if they hold the same entries. */
function entriesDiffer(d: DecodedBlock, e: BlockEntries): string | undefined {
  if (d.count !== e.count) return `count ${d.count} != ${e.count}`;
  for (let i = 0; i < e.count; i++) {
    const key = d.keys.subarray(d.keyOffsets[i]!, d.keyOffsets[i + 1]!);
    const value = d.data.subarray(d.valueOffsets[2 * i]!, d.valueOffsets[2 * i + 1]!);
    if (!key.equals(e.keys.subarray(e.keyOffsets[i]!, e.keyOffsets[i + 1]!))) return `key ${i} differs`;
    if (!value.equals(e.values.subarray(e.valueOffsets[i]!, e.valueOffsets[i + 1]!))) return `value ${i} differs`;
  }
  return undefined;
}

describe.skipIf(maybeNative === undefined)('native and TypeScript codecs agree', () => {
  const native = maybeNative!;

  describe('xxh32', () => {
    it('matches the reference for every length 0..300 and chosen seeds', () => {
      const r = seededRandom(11);
      const data = randomBytes(r, 300);
      for (const seed of [0, 1, 0x7fffffff, 0xffffffff, BLOOM_SEED]) {
        for (let len = 0; len <= 300; len++) {
          const slice = data.subarray(0, len);
          const want = oracle(slice, seed);
          expect(native.xxh32(slice, seed), `len ${len} seed ${seed}`).toBe(want);
          expect(tsCodec.xxh32(slice, seed), `len ${len} seed ${seed}`).toBe(want);
        }
      }
    });

    it('reads a view at its byte offset, not the start of its ArrayBuffer', () => {
      const whole = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
      const view = new Uint8Array(whole.buffer, whole.byteOffset + 3, 20);
      expect(native.xxh32(view, 0)).toBe(oracle(view, 0));
    });

    it('treats any number seed as the TypeScript side does (ToInt32/ToUint32)', () => {
      const data = Buffer.from('seed coercion');
      for (const seed of [-1, 2 ** 32 + 5, 1.75, -0.5, Number.NaN]) {
        expect(native.xxh32(data, seed), String(seed)).toBe(tsCodec.xxh32(data, seed));
      }
    });

    it('matches on random inputs (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 2000 }), fc.nat({ max: 0xffffffff }), (data, seed) => {
          const want = oracle(data, seed);
          return native.xxh32(data, seed) === want && tsCodec.xxh32(data, seed) === want;
        }),
        { seed: 7, numRuns: 300 },
      );
    });
  });

  describe('encodeBlock / decodeBlock', () => {
    it('encodes fixed vectors to the same bytes and decodes them to the same entries', () => {
      const vectors: Array<[Array<[string, string]>, number]> = [
        [[['a', '']], 16],
        [[['', 'empty key']], 1],
        [
          [
            ['apple', '1'],
            ['applepie', '22'],
            ['apply', '333'],
            ['apt', ''],
            ['b', 'x'.repeat(200)],
          ],
          2,
        ],
        [Array.from({ length: 40 }, (_, i) => [`key${String(i).padStart(4, '0')}`, `v${i}`]), 16],
      ];
      for (const [pairs, interval] of vectors) {
        const entries = toEntries(pairs.map(([k, v]) => [Buffer.from(k), Buffer.from(v)] as const));
        const a = native.encodeBlock(entries, interval);
        const b = tsCodec.encodeBlock(entries, interval);
        expect(a.toString('hex')).toBe(b.toString('hex'));
        const d = native.decodeBlock(a);
        if (typeof d === 'number') throw new Error(`status ${d}`);
        expect(entriesDiffer(d, entries)).toBeUndefined();
      }
    });

    it('produces identical bytes and entries on random blocks (1..200 entries, varied keys and values)', () => {
      const r = seededRandom(21);
      for (let i = 0; i < 150; i++) {
        const entries = randomEntries(r, 200);
        const interval = randomRestartInterval(r);
        const a = native.encodeBlock(entries, interval);
        if (!a.equals(tsCodec.encodeBlock(entries, interval))) throw new Error(`case ${i}: encodings differ`);
        const d = native.decodeBlock(a);
        if (typeof d === 'number') throw new Error(`case ${i}: status ${d}`);
        expect(d.data).toBe(a);
        expect(entriesDiffer(d, entries), `case ${i}`).toBeUndefined();
        expect(compareDecode(native, tsCodec, a), `case ${i}`).toBeUndefined();
      }
    });

    it('keeps earlier decoded blocks intact when later ones are decoded (no shared output buffer)', () => {
      const r = seededRandom(8);
      const inputs = Array.from({ length: 20 }, () => randomEntries(r, 60));
      const decoded = inputs.map((e) => native.decodeBlock(native.encodeBlock(e, 16)));
      decoded.forEach((d, i) => {
        if (typeof d === 'number') throw new Error(`block ${i}: status ${d}`);
        expect(entriesDiffer(d, inputs[i]!), `block ${i}`).toBeUndefined();
      });
    });

    it('encodes entries whose offsets do not start at 0 (a window into larger arrays) like TypeScript', () => {
      const keys = Buffer.from('xxxxaaabbb');
      const values = Buffer.from('yy12');
      const entries = { count: 2, keys, keyOffsets: Uint32Array.of(4, 7, 10), values, valueOffsets: Uint32Array.of(2, 3, 4) };
      expect(native.encodeBlock(entries, 16).equals(tsCodec.encodeBlock(entries, 16))).toBe(true);
    });

    it('encodes a 64 KiB key and a 1 MiB value (multi-byte varints) identically', () => {
      const r = seededRandom(5);
      const entries = toEntries([
        [randomBytes(r, 65536), randomBytes(r, 1 << 20)],
        [Buffer.concat([randomBytes(r, 0), Buffer.alloc(65537, 0xff)]), randomBytes(r, 3)],
      ]);
      const a = native.encodeBlock(entries, 16);
      expect(a.equals(tsCodec.encodeBlock(entries, 16))).toBe(true);
      expect(compareDecode(native, tsCodec, a)).toBeUndefined();
    });
  });

  describe('damaged blocks', () => {
    it('gives the same status or the same entries for 5k damaged and random blocks, covering every status', () => {
      const r = seededRandom(33);
      const seen = new Set<number | string>();
      for (let i = 0; i < 5_000; i++) {
        const block = fuzzCase(r, tsCodec);
        const problem = compareDecode(native, tsCodec, block);
        if (problem !== undefined) throw new Error(`case ${i}: ${problem}; block ${block.toString('hex')}`);
        const s = tsCodec.decodeBlock(block);
        seen.add(typeof s === 'number' ? s : 'ok');
      }
      // decodeBlock's statuses: every status but the stored-block ones (block-io.test.ts covers those).
      const decodeStatuses = Object.values(CodecStatus).filter(
        (s) => s !== CodecStatus.OK && s !== CodecStatus.BAD_COMPRESSED_BLOCK && s !== CodecStatus.BAD_CHECKSUM,
      );
      expect([...seen].sort()).toEqual([...decodeStatuses, 'ok'].sort());
    });

    it('agrees on every truncation of a real block', () => {
      const block = tsCodec.encodeBlock(randomEntries(seededRandom(2), 30), 4);
      for (let n = 0; n <= block.length; n++) {
        expect(compareDecode(native, tsCodec, block.subarray(0, n)), `length ${n}`).toBeUndefined();
      }
    });

    it('agrees on every single-bit flip of a real block', () => {
      const block = tsCodec.encodeBlock(randomEntries(seededRandom(3), 12), 3);
      for (let i = 0; i < block.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const b = Buffer.from(block);
          b[i] = b[i]! ^ (1 << bit);
          expect(compareDecode(native, tsCodec, b), `byte ${i} bit ${bit}`).toBeUndefined();
        }
      }
    });

    it('agrees on random garbage (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), (data) => {
          return compareDecode(native, tsCodec, Buffer.from(data)) === undefined;
        }),
        { seed: 9, numRuns: 3000 },
      );
    });

    it('returns the documented status for hand-made damage', () => {
      const cases: Array<[string, number]> = [
        ['', CodecStatus.BAD_RESTART_ARRAY],
        ['010000', CodecStatus.BAD_RESTART_ARRAY],
        ['00000000', CodecStatus.BAD_RESTART_ARRAY],
        ['0000000001000000', CodecStatus.BAD_RESTART_ARRAY], // no byte left for entries
        ['80' + '00000000' + '01000000', CodecStatus.BAD_ENTRY_HEADER],
        ['000100' + '61' + '01000000' + '01000000', CodecStatus.BAD_RESTART_POINT], // restart inside the entry
        ['01010061' + '00000000' + '01000000', CodecStatus.BAD_RESTART_POINT], // restart entry has shared 1
        ['000100' + '61' + '020100' + '62' + '00000000' + '01000000', CodecStatus.BAD_SHARED_PREFIX],
        ['000500' + '61' + '00000000' + '01000000', CodecStatus.BAD_ENTRY_BOUNDS],
      ];
      for (const [h, status] of cases) {
        const block = Buffer.from(h, 'hex');
        expect(native.decodeBlock(block), h).toBe(status);
        expect(tsCodec.decodeBlock(block), h).toBe(status);
      }
    });

    it('never reads past a block that is a view into a larger buffer', () => {
      const r = seededRandom(4);
      const block = tsCodec.encodeBlock(randomEntries(r, 10), 2);
      const padded = Buffer.concat([randomBytes(r, 7), block, Buffer.alloc(64, 0x00)]);
      for (let n = 0; n <= block.length; n++) {
        const view = padded.subarray(7, 7 + n);
        expect(compareDecode(native, tsCodec, view), `length ${n}`).toBeUndefined();
      }
    });
  });

  describe('bloomBuild', () => {
    it('builds identical filters for random key sets and bits per key (integer and fractional)', () => {
      const r = seededRandom(44);
      for (let i = 0; i < 100; i++) {
        const count = Math.floor(r() * (i < 20 ? 3 : 2000));
        const keys = Array.from({ length: count }, () => randomBytes(r, Math.floor(r() * 40), 16));
        const e = toEntries(keys.map((k) => [k, Buffer.alloc(0)] as const));
        const bpk = i % 3 === 0 ? Math.round(r() * 64) : r() * 30;
        const a = native.bloomBuild(e.keys, e.keyOffsets, count, bpk);
        expect(a.equals(tsCodec.bloomBuild(e.keys, e.keyOffsets, count, bpk)), `case ${i} bpk ${bpk}`).toBe(true);
        expect(keys.every((k) => native.bloomMayContain(a, k))).toBe(true);
      }
    });

    it('rounds the probe count half up at every x.5 boundary like Math.round', () => {
      // bitsPerKey × 0.69 lands on or next to x.5 for these; both sides must pick the same k.
      const e = toEntries([[Buffer.from('k'), Buffer.alloc(0)]]);
      for (const bpk of [0, 0.72463768115942, 2.1739130434782608, 3.6231884057971016, 5.072463768115942, 100]) {
        const a = native.bloomBuild(e.keys, e.keyOffsets, 1, bpk);
        const b = tsCodec.bloomBuild(e.keys, e.keyOffsets, 1, bpk);
        expect(a.toString('hex'), `bpk ${bpk}`).toBe(b.toString('hex'));
      }
    });
  });

  describe('argument mistakes in native calls are errors, never crashes', () => {
    const entries = toEntries([
      [Buffer.from('a'), Buffer.from('1')],
      [Buffer.from('b'), Buffer.from('2')],
    ]);

    it('rejects offsets that run past the byte array or go backwards', () => {
      expect(() => native.encodeBlock({ ...entries, keyOffsets: Uint32Array.of(0, 1, 99) }, 16)).toThrow(
        new RangeError('codec: native encodeBlock: offsets must be non-decreasing and within the byte array'),
      );
      expect(() => native.encodeBlock({ ...entries, valueOffsets: Uint32Array.of(0, 2, 1) }, 16)).toThrow(RangeError);
      expect(() => native.encodeBlock({ ...entries, keyOffsets: Uint32Array.of(0, 1) }, 16)).toThrow(
        new RangeError('codec: native encodeBlock: offsets must have at least count + 1 elements'),
      );
      expect(() => native.bloomBuild(entries.keys, Uint32Array.of(0, 5), 1, 10)).toThrow(RangeError);
    });

    it('rejects count 0 and restart interval 0 (TypeScript would write an unreadable block)', () => {
      expect(() => native.encodeBlock({ ...entries, count: 0 }, 16)).toThrow(RangeError);
      expect(() => native.encodeBlock(entries, 0)).toThrow(
        new RangeError('codec: native encodeBlock: restartInterval must be an integer >= 1'),
      );
    });

    it('rejects wrong types', () => {
      expect(() => native.decodeBlock('abc' as unknown as Buffer)).toThrow(
        new TypeError('codec: native decodeBlock: expected a Uint8Array'),
      );
      expect(() => native.xxh32(new Uint16Array(512) as unknown as Uint8Array, 0)).toThrow(TypeError);
      expect(() => native.bloomBuild(entries.keys, entries.keyOffsets, 2, Number.NaN)).toThrow(TypeError);
    });
  });
});
