/**
 * native-decoder.fuzz — random and mutated blocks through the native decodeBlock, compared with the TypeScript
 * decoder: same status for damaged input, same entries otherwise, and never a crash (run it under valgrind or
 * ASan to catch out-of-bounds reads that happen not to crash; docs/decisions/native.md has the command).
 *
 *   npx tsc -p . && node dist/fuzz/native-decoder.fuzz.js --iterations 100000 [--seed 1]
 *
 * Exits 1 on the first mismatch, printing the seed, the iteration and the block in hex. The generators and the
 * comparison are exported for test/codec/parity.test.ts, which runs a short seeded round of the same checks.
 * Not part of the engine: nothing in src/ imports this file.
 */

import { fileURLToPath } from 'node:url';

import type { BlockEntries, Codec, DecodedBlock } from '../src/codec/codec.js';
import { codecFor } from '../src/codec/loader.js';

/** Seeded PRNG (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function int(r: () => number, n: number): number {
  return Math.floor(r() * n);
}

/** Random bytes; a small alphabet makes shared prefixes and repeated keys likely. */
export function randomBytes(r: () => number, n: number, alphabet = 256): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = int(r, alphabet);
  return b;
}

/** Flat entries from key/value pairs (the Codec's input shape). */
export function toEntries(pairs: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): BlockEntries {
  const keys = Buffer.concat(pairs.map((p) => p[0]));
  const values = Buffer.concat(pairs.map((p) => p[1]));
  const keyOffsets = new Uint32Array(pairs.length + 1);
  const valueOffsets = new Uint32Array(pairs.length + 1);
  for (let i = 0; i < pairs.length; i++) {
    keyOffsets[i + 1] = keyOffsets[i]! + pairs[i]![0].length;
    valueOffsets[i + 1] = valueOffsets[i]! + pairs[i]![1].length;
  }
  return { count: pairs.length, keys, keyOffsets, values, valueOffsets };
}

/**
 * 1..maxCount sorted entries with keys that often share prefixes (small alphabet), sometimes empty keys or
 * values, and sometimes values long enough for multi-byte varints.
 */
export function randomEntries(r: () => number, maxCount = 64): BlockEntries {
  const count = 1 + int(r, maxCount);
  const alphabet = r() < 0.5 ? 3 : 256;
  const keys: Buffer[] = [];
  for (let i = 0; i < count; i++) keys.push(randomBytes(r, int(r, r() < 0.1 ? 300 : 24), alphabet));
  keys.sort(Buffer.compare);
  const pairs = keys.map((k) => {
    const roll = r();
    const len = roll < 0.1 ? 0 : roll < 0.15 ? 128 + int(r, 20_000) : int(r, 120);
    return [k, randomBytes(r, len)] as const;
  });
  return toEntries(pairs);
}

/** A restart interval the engine might use, or an odd one. */
export function randomRestartInterval(r: () => number): number {
  const choices = [1, 2, 3, 16, 16, 16, 1000];
  return choices[int(r, choices.length)]!;
}

/** Flips one bit in each of 1..maxFlips random bytes of b, in place (draws: the count, then byte and bit per flip). */
export function flipRandomBits(r: () => number, b: Buffer, maxFlips: number): Buffer {
  const flips = 1 + int(r, maxFlips);
  for (let i = 0; i < flips && b.length > 0; i++) {
    const at = int(r, b.length);
    b[at] = b[at]! ^ (1 << int(r, 8));
  }
  return b;
}

/** Damages a block: byte flips, a truncation, an extension, a rewritten restart array, or pure garbage. */
export function damage(r: () => number, block: Buffer): Buffer {
  const b = Buffer.from(block);
  switch (int(r, 7)) {
    case 0:
      return flipRandomBits(r, b, 4);
    case 1:
      return b.subarray(0, int(r, b.length));
    case 2:
      return Buffer.concat([b, randomBytes(r, 1 + int(r, 16))]);
    case 3: {
      // A plausible restart count and offsets near real entry boundaries.
      if (b.length < 8) return b;
      const n = 1 + int(r, 4);
      b.writeUInt32LE(n, b.length - 4);
      for (let i = 0; i < n && 8 + 4 * i <= b.length; i++) {
        b.writeUInt32LE(int(r, Math.min(64, b.length)), b.length - 8 - 4 * i);
      }
      return b;
    }
    case 4: {
      // Overwrite a run with 0x80/0xff bytes: long and unterminated varints.
      if (b.length === 0) return b;
      const at = int(r, b.length);
      b.fill(r() < 0.5 ? 0x80 : 0xff, at, Math.min(b.length, at + 1 + int(r, 12)));
      return b;
    }
    case 5:
      return randomBytes(r, int(r, 64), r() < 0.5 ? 4 : 256);
    default: {
      // Garbage entries with a valid-looking restart array.
      const g = randomBytes(r, 4 + int(r, 40), 8);
      g.writeUInt32LE(1, g.length - 4);
      if (g.length >= 8) g.writeUInt32LE(0, g.length - 8);
      return g;
    }
  }
}

function sameBlock(a: DecodedBlock, b: DecodedBlock): boolean {
  return (
    a.count === b.count &&
    a.keys.equals(b.keys) &&
    Buffer.from(a.keyOffsets.buffer, a.keyOffsets.byteOffset, a.keyOffsets.byteLength).equals(
      Buffer.from(b.keyOffsets.buffer, b.keyOffsets.byteOffset, b.keyOffsets.byteLength),
    ) &&
    Buffer.from(a.valueOffsets.buffer, a.valueOffsets.byteOffset, a.valueOffsets.byteLength).equals(
      Buffer.from(b.valueOffsets.buffer, b.valueOffsets.byteOffset, b.valueOffsets.byteLength),
    ) &&
    a.data === b.data
  );
}

function describeResult(d: DecodedBlock | number): string {
  return typeof d === 'number' ? `status ${d}` : `${d.count} entries`;
}

/** Compares two decodeBlock results; returns a description of the difference, or undefined if they agree. */
export function compareDecoded(a: DecodedBlock | number, b: DecodedBlock | number): string | undefined {
  if (typeof a === 'number' || typeof b === 'number') {
    return a === b ? undefined : `native ${describeResult(a)}, typescript ${describeResult(b)}`;
  }
  return sameBlock(a, b) ? undefined : `decoded entries differ (native ${a.count}, typescript ${b.count})`;
}

/** Decodes `block` with both codecs; returns a description of the difference, or undefined if they agree. */
export function compareDecode(native: Codec, ts: Codec, block: Buffer): string | undefined {
  return compareDecoded(native.decodeBlock(block), ts.decodeBlock(block));
}

/** One fuzz case: a fresh block (sometimes damaged, sometimes as is). */
export function fuzzCase(r: () => number, codec: Codec): Buffer {
  const block = codec.encodeBlock(randomEntries(r, 40), randomRestartInterval(r));
  return r() < 0.2 ? block : damage(r, block);
}

/** The non-negative integer after `name` on the command line, or `fallback`. */
export function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`fuzz: ${name} must be a non-negative integer`);
  return v;
}

/**
 * A copy of `b` in an ArrayBuffer of exactly its length (not a slice of Node's pooled slab), so that a read one
 * byte past the end lands outside the allocation, where valgrind or ASan sees it.
 */
export function isolated(b: Buffer): Buffer {
  const copy = Buffer.from(new ArrayBuffer(b.length));
  b.copy(copy);
  return copy;
}

function main(): void {
  const iterations = argValue('--iterations', 10_000);
  const seed = argValue('--seed', 1);
  const native = codecFor('native');
  const ts = codecFor('typescript');
  const r = seededRandom(seed);
  let rejected = 0;
  for (let i = 0; i < iterations; i++) {
    const block = isolated(fuzzCase(r, ts));
    const expected = ts.decodeBlock(block);
    const problem = compareDecoded(native.decodeBlock(block), expected);
    if (problem !== undefined) {
      console.error(`fuzz: mismatch at seed ${seed} iteration ${i}: ${problem}\nblock ${block.toString('hex')}`);
      process.exit(1);
    }
    if (typeof expected === 'number') rejected++;
  }
  console.log(`fuzz: ${iterations} blocks, ${rejected} rejected by both with the same status, 0 mismatches`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
