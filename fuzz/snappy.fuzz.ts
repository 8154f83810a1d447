/**
 * snappy.fuzz — random, hand-built and damaged raw snappy streams through both codecs' snappyUncompress, random
 * inputs through both compressors, and damaged stored blocks through both readBlocks: the same status or the
 * same bytes on both sides, never a crash (run it under valgrind to catch out-of-bounds reads and writes that
 * happen not to crash; docs/decisions/snappy.md has the command and the result).
 *
 *   npx tsc -p . && node dist/fuzz/snappy.fuzz.js --iterations 20000 [--seed 1]
 *
 * Exits 1 on the first mismatch, printing the seed, the iteration and the input in hex. The generators are
 * exported for test/codec/snappy.test.ts and test/codec/block-io.test.ts, which run short seeded rounds.
 * Not part of the engine: nothing in src/ imports this file.
 */

import { fileURLToPath } from 'node:url';

import { putFixed32 } from '../src/base/coding.js';
import type { Codec, DecodedBlock } from '../src/codec/codec.js';
import { BLOCK_TRAILER_SIZE, CHECKSUM_SEED } from '../src/codec/codec.js';
import { codecFor } from '../src/codec/loader.js';
import { xxh32 } from '../src/codec/xxh32.js';
import {
  argValue,
  flipRandomBits,
  int,
  isolated,
  randomBytes,
  randomEntries,
  randomRestartInterval,
  seededRandom,
} from './native-decoder.fuzz.js';

/**
 * n bytes that compress in varied ways: random runs, byte runs (overlapping copies), and back references at
 * short and long distances, from a small or a full alphabet.
 */
export function compressibleBytes(r: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  const alphabet = [2, 4, 26, 256][int(r, 4)]!;
  let p = 0;
  while (p < n) {
    const len = Math.min(n - p, 1 + int(r, r() < 0.1 ? 600 : 40));
    const roll = r();
    if (roll < 0.4 || p === 0) {
      for (let i = 0; i < len; i++) b[p + i] = int(r, alphabet);
    } else if (roll < 0.55) {
      b.fill(int(r, 256), p, p + len);
    } else {
      const from = p - 1 - int(r, Math.min(p, r() < 0.8 ? 2048 : 70_000));
      for (let i = 0; i < len; i++) b[p + i] = b[from + i]!;
    }
    p += len;
  }
  return b;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/**
 * A valid stream built element by element with every element kind and encoding our compressor never writes
 * (copy-4, literal lengths in 1..4 extra bytes even when shorter would do, overlapping copies), and what it
 * decompresses to.
 */
export function handBuiltStream(r: () => number): { stream: Buffer; expected: Buffer } {
  const out: number[] = [];
  const body: number[] = [];
  const elements = int(r, 40);
  for (let e = 0; e < elements; e++) {
    const kind = out.length === 0 ? 0 : int(r, 4);
    if (kind === 0) {
      const len = 1 + int(r, r() < 0.2 ? 300 : 70);
      const minExtra = len - 1 < 60 ? 0 : len - 1 < 0x100 ? 1 : 2;
      const extra = Math.max(minExtra, r() < 0.3 ? int(r, 5) : 0);
      if (extra === 0) body.push((len - 1) << 2);
      else {
        body.push((59 + extra) << 2);
        for (let i = 0; i < extra; i++) body.push(Math.floor((len - 1) / 256 ** i) & 0xff);
      }
      for (let i = 0; i < len; i++) {
        const v = int(r, 256);
        body.push(v);
        out.push(v);
      }
      continue;
    }
    const offset = 1 + int(r, Math.min(out.length, kind === 1 ? 2047 : 70_000));
    let len: number;
    if (kind === 1) {
      len = 4 + int(r, 8);
      body.push(((offset >> 8) << 5) | ((len - 4) << 2) | 1, offset & 0xff);
    } else if (kind === 2 && offset < 65536) {
      len = 1 + int(r, 64);
      body.push(((len - 1) << 2) | 2, offset & 0xff, offset >> 8);
    } else {
      len = 1 + int(r, 64);
      body.push(((len - 1) << 2) | 3, offset & 0xff, (offset >> 8) & 0xff, (offset >> 16) & 0xff, 0);
    }
    for (let i = 0; i < len; i++) out.push(out[out.length - offset]!);
  }
  return { stream: Buffer.from([...varint(out.length), ...body]), expected: Buffer.from(out) };
}

/** Damages a stream: bit flips, truncation, extension, a rewritten length header, a 0x80/0xff run, or garbage. */
export function damageStream(r: () => number, stream: Buffer): Buffer {
  const b = Buffer.from(stream);
  switch (int(r, 7)) {
    case 0:
      return flipRandomBits(r, b, 3);
    case 1:
      return b.subarray(0, int(r, b.length));
    case 2:
      return Buffer.concat([b, randomBytes(r, 1 + int(r, 8))]);
    case 3: {
      // Declared length off by a little, or wildly (up to 5-byte and over-long headers).
      let i = 0;
      while (i < b.length && b[i]! >= 0x80) i++;
      const choices = [int(r, 300), 0xffff_ffff, 2 ** 32, 2 ** 35];
      return Buffer.concat([Buffer.from(varint(choices[int(r, choices.length)]!)), b.subarray(i + 1)]);
    }
    case 4: {
      if (b.length === 0) return b;
      const at = int(r, b.length);
      b.fill(r() < 0.5 ? 0x80 : 0xff, at, Math.min(b.length, at + 1 + int(r, 8)));
      return b;
    }
    case 5: {
      // A copy whose offset points before the output or is 0.
      const at = Math.min(b.length, 1 + int(r, 4));
      return Buffer.concat([b.subarray(0, at), Buffer.from([[0x01, 0x02, 0x03][int(r, 3)]!, 0, 0, 0, 0]), b.subarray(at)]);
    }
    default:
      return randomBytes(r, int(r, 48), r() < 0.5 ? 8 : 256);
  }
}

/** A stream to decompress: compressed by `codec`, hand built, or one of those damaged. */
export function streamCase(r: () => number, codec: Codec): Buffer {
  const stream =
    r() < 0.5 ? codec.snappyCompress(compressibleBytes(r, int(r, r() < 0.05 ? 100_000 : 3000))) : handBuiltStream(r).stream;
  return r() < 0.3 ? stream : damageStream(r, stream);
}

/** Recomputes the trailer checksum of a stored block + trailer in place (keeps the type byte). */
export function resealTrailer(stored: Buffer): Buffer {
  const size = stored.length - BLOCK_TRAILER_SIZE;
  putFixed32(stored, size + 1, xxh32(stored.subarray(0, size + 1), CHECKSUM_SEED));
  return stored;
}

/**
 * A stored block + trailer, often damaged: bits flipped (checksum now wrong), truncated, or damaged and resealed
 * (a valid checksum over a bad type byte, bad snappy data or a bad block).
 */
export function storedBlockCase(r: () => number, codec: Codec): Buffer {
  const compressible = r() < 0.7;
  const entries = randomEntries(r, 40);
  if (compressible) {
    // Values that repeat: most blocks end up snappy-compressed.
    const values = compressibleBytes(r, entries.values.length);
    entries.values = values;
  }
  const stored = Buffer.from(codec.writeBlock(entries, randomRestartInterval(r), r() < 0.85));
  const size = stored.length - BLOCK_TRAILER_SIZE;
  switch (int(r, 6)) {
    case 0:
      return stored;
    case 1:
      return damageStream(r, stored);
    case 2:
      stored[size] = 2 + int(r, 254);
      return resealTrailer(stored);
    case 3: {
      const body = damageStream(r, stored.subarray(0, size));
      const out = Buffer.concat([body, stored.subarray(size, size + 1), Buffer.alloc(4)]);
      return resealTrailer(out);
    }
    case 4: {
      // Valid snappy of a damaged block.
      const raw = Buffer.from(codec.encodeBlock(entries, 16));
      const at = int(r, raw.length);
      raw[at] = raw[at]! ^ (1 << int(r, 8));
      const packed = codec.snappyCompress(raw.subarray(0, r() < 0.3 ? int(r, raw.length) : raw.length));
      return resealTrailer(Buffer.concat([packed, Buffer.from([1, 0, 0, 0, 0])]));
    }
    default:
      return stored.subarray(0, int(r, stored.length));
  }
}

function same(a: Buffer | number, b: Buffer | number): boolean {
  return typeof a === 'number' || typeof b === 'number' ? a === b : a.equals(b);
}

function u32Bytes(a: Uint32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Compares two readBlock results; a description of the difference, or undefined if they agree. */
export function compareRead(a: DecodedBlock | number, b: DecodedBlock | number): string | undefined {
  if (typeof a === 'number' || typeof b === 'number') {
    return a === b ? undefined : `native ${typeof a === 'number' ? a : 'block'}, typescript ${typeof b === 'number' ? b : 'block'}`;
  }
  const ok =
    a.count === b.count &&
    a.keys.equals(b.keys) &&
    a.data.equals(b.data) &&
    u32Bytes(a.keyOffsets).equals(u32Bytes(b.keyOffsets)) &&
    u32Bytes(a.valueOffsets).equals(u32Bytes(b.valueOffsets));
  return ok ? undefined : `decoded blocks differ (native ${a.count}, typescript ${b.count} entries)`;
}

/** Runs one seeded case of each kind; returns a description of the first mismatch, or undefined. */
export function fuzzOnce(r: () => number, native: Codec, ts: Codec, isolate: (b: Buffer) => Buffer): string | undefined {
  const stream = isolate(streamCase(r, ts));
  const a = native.snappyUncompress(stream);
  const b = ts.snappyUncompress(stream);
  if (!same(a, b)) return `snappyUncompress differs on ${stream.toString('hex')}`;
  const input = isolate(compressibleBytes(r, int(r, r() < 0.05 ? 140_000 : 5000)));
  const c = native.snappyCompress(input);
  if (!c.equals(ts.snappyCompress(input))) return `snappyCompress differs on ${input.toString('hex')}`;
  const back = native.snappyUncompress(c);
  if (typeof back === 'number' || !back.equals(input)) return `round trip failed on ${input.toString('hex')}`;
  const stored = isolate(storedBlockCase(r, ts));
  const problem = compareRead(native.readBlock(stored), ts.readBlock(stored));
  return problem === undefined ? undefined : `readBlock: ${problem} on ${stored.toString('hex')}`;
}

function main(): void {
  const iterations = argValue('--iterations', 10_000);
  const seed = argValue('--seed', 1);
  const native = codecFor('native');
  const ts = codecFor('typescript');
  const r = seededRandom(seed);
  for (let i = 0; i < iterations; i++) {
    const problem = fuzzOnce(r, native, ts, isolated);
    if (problem !== undefined) {
      console.error(`fuzz: mismatch at seed ${seed} iteration ${i}: ${problem}`);
      process.exit(1);
    }
  }
  console.log(`fuzz: ${iterations} × (stream, compress, stored block), 0 mismatches`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
