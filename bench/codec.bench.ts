/**
 * codec.bench — every native codec function against its TypeScript twin, on the sizes the engine uses (4 KiB
 * blocks), plus the checksum candidates (XXH32 / XXH64 / XXH3-64) measured through xxhash-addon, and snappy: the
 * npm `snappy` package against our TypeScript and native snappy, and the fused per-block calls (writeBlock /
 * readBlock) against the path the table builder and reader took before them (encodeBlock + npm snappy + XXH32,
 * XXH32 + npm snappy + decodeBlock, with the native codec's functions).
 *
 *   npx tsc -p . && node dist/bench/codec.bench.js [--time 500] [--only snappy]
 *
 * Prints one line per pair: median ns per call on each side and the TypeScript/native ratio (> 1: native wins),
 * and for snappy one line per operation with each contender's median and its ratio to the npm package / old path.
 * The numbers back docs/decisions/native.md (which native functions to keep), docs/decisions/checksum.md and
 * docs/decisions/snappy.md. Not part of the engine.
 */

import { createRequire } from 'node:module';
import snappy from 'snappy';
import { Bench } from 'tinybench';

import { getFixed32, putFixed32 } from '../src/base/coding.js';
import type { BlockEntries, Codec, DecodedBlock } from '../src/codec/codec.js';
import { BLOCK_TRAILER_SIZE, BLOOM_SEED, BlockCompression, CHECKSUM_SEED } from '../src/codec/codec.js';
import { codecFor } from '../src/codec/loader.js';
import { ValueSource } from './db-bench/values.js';

interface OneShotHash {
  hash(data: Buffer): Buffer;
}
interface XxhashAddon {
  XXHash32: OneShotHash;
  XXHash64: OneShotHash;
  XXHash3: OneShotHash;
}

/** Seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bytes(r: () => number, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** `count` sorted keys of `keyLen` bytes (a shared 8-byte prefix, as internal keys of nearby user keys have). */
function flatKeys(r: () => number, count: number, keyLen: number): { keys: Buffer; offsets: Uint32Array } {
  const list = Array.from({ length: count }, () => Buffer.concat([Buffer.from('user:000'), bytes(r, keyLen - 8)]));
  list.sort(Buffer.compare);
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) offsets[i + 1] = offsets[i]! + keyLen;
  return { keys: Buffer.concat(list), offsets };
}

/** A data block's worth (~4 KiB encoded) of 16-byte keys and 100-byte values. */
function blockEntries(r: () => number): BlockEntries {
  const count = 34;
  const { keys, offsets } = flatKeys(r, count, 16);
  const valueOffsets = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) valueOffsets[i + 1] = valueOffsets[i]! + 100;
  return { count, keys, keyOffsets: offsets, values: bytes(r, 100 * count), valueOffsets };
}

/**
 * A db_bench-like data block: 16-byte user keys as internal keys (24 bytes, sorted) and 100-byte half-compressible
 * values (50 random printable bytes, then a copy of them), enough entries for ~4 KiB encoded.
 */
function benchLikeEntries(): BlockEntries {
  const values = new ValueSource(301, 100);
  const count = 34;
  const keys = Buffer.alloc(24 * count);
  const keyOffsets = new Uint32Array(count + 1);
  const valueOffsets = new Uint32Array(count + 1);
  const valueBytes: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    keys.write(String(1_000_000 + i * 7919).padStart(16, '0'), 24 * i, 'latin1');
    keys.writeUInt32LE(((1000 + i) << 8) | 1, 24 * i + 16);
    keyOffsets[i + 1] = 24 * (i + 1);
    valueBytes.push(values.value(i, 0));
    valueOffsets[i + 1] = 100 * (i + 1);
  }
  return { count, keys, keyOffsets, values: Buffer.concat(valueBytes), valueOffsets };
}

/** The table builder's block write before writeBlock: encodeBlock, npm snappy if it saves 1/8, XXH32 trailer. */
function oldWriteBlock(codec: Codec, entries: BlockEntries): Buffer {
  const raw = codec.encodeBlock(entries, 16);
  const packed = snappy.compressSync(raw);
  const [stored, type] =
    raw.length - packed.length >= raw.length / 8 ? [packed, BlockCompression.SNAPPY] : [raw, BlockCompression.NONE];
  const out = Buffer.allocUnsafe(stored.length + BLOCK_TRAILER_SIZE);
  stored.copy(out, 0);
  out[stored.length] = type;
  putFixed32(out, stored.length + 1, codec.xxh32(out.subarray(0, stored.length + 1), CHECKSUM_SEED));
  return out;
}

/** The table reader's block read before readBlock: XXH32 check, npm snappy, decodeBlock. */
function oldReadBlock(codec: Codec, stored: Buffer): DecodedBlock | number {
  const size = stored.length - BLOCK_TRAILER_SIZE;
  if (codec.xxh32(stored.subarray(0, size + 1), CHECKSUM_SEED) !== getFixed32(stored, size + 1)) return -1;
  const contents = stored[size] === BlockCompression.SNAPPY ? snappy.uncompressSync(stored.subarray(0, size)) : stored;
  return codec.decodeBlock(contents as Buffer);
}

function nsPerCall(bench: Bench, name: string): number {
  const task = bench.getTask(name);
  const result = task?.result;
  if (result === undefined || !('latency' in result)) throw new Error(`bench: ${name} did not complete`);
  return result.latency.p50 * 1e6;
}

function argTime(): number {
  const i = process.argv.indexOf('--time');
  return i < 0 ? 500 : Number(process.argv[i + 1]);
}

/** npm snappy vs TypeScript vs native snappy, and the fused block calls vs the old path. */
async function snappyBench(ts: Codec, native: Codec): Promise<void> {
  const entries = benchLikeEntries();
  const raw = native.encodeBlock(entries, 16);
  const packed = snappy.compressSync(raw);
  const stored = native.writeBlock(entries, 16, true);
  let sink = 0;
  const rows: Array<[string, Array<[string, () => void]>]> = [
    [`snappy compress ${raw.length} B block`, [
      ['npm snappy', () => (sink ^= snappy.compressSync(raw).length)],
      ['ts', () => (sink ^= ts.snappyCompress(raw).length)],
      ['native', () => (sink ^= native.snappyCompress(raw).length)],
    ]],
    [`snappy uncompress ${packed.length} B → ${raw.length} B`, [
      ['npm snappy', () => (sink ^= (snappy.uncompressSync(packed) as Buffer).length)],
      ['ts', () => (sink ^= (ts.snappyUncompress(packed) as Buffer).length)],
      ['native', () => (sink ^= (native.snappyUncompress(packed) as Buffer).length)],
    ]],
    [`writeBlock ${entries.count} entries → ${stored.length} B`, [
      ['old path', () => (sink ^= oldWriteBlock(native, entries).length)],
      ['ts', () => (sink ^= ts.writeBlock(entries, 16, true).length)],
      ['native', () => (sink ^= native.writeBlock(entries, 16, true).length)],
    ]],
    [`readBlock ${stored.length} B`, [
      ['old path', () => (sink ^= (oldReadBlock(native, stored) as DecodedBlock).count)],
      ['ts', () => (sink ^= (ts.readBlock(stored) as DecodedBlock).count)],
      ['native', () => (sink ^= (native.readBlock(stored) as DecodedBlock).count)],
    ]],
  ];
  const bench = new Bench({ time: argTime(), warmup: true });
  for (const [op, contenders] of rows) for (const [who, fn] of contenders) bench.add(`${op}: ${who}`, fn);
  await bench.run();
  const ours = native.snappyCompress(raw).length;
  console.log(`snappy (block ${raw.length} B; compressed: npm ${packed.length} B, ours ${ours} B)`);
  for (const [op, contenders] of rows) {
    const base = nsPerCall(bench, `${op}: ${contenders[0]![0]}`);
    const cells = contenders.map(([who]) => {
      const ns = nsPerCall(bench, `${op}: ${who}`);
      return `${who} ${ns.toFixed(0).padStart(6)} ns (${(base / ns).toFixed(2)}x)`;
    });
    console.log(`${op.padEnd(40)} ${cells.join('  ')}`);
  }
  if (sink === 0.5) console.log(sink); // keeps the results alive
}

async function main(): Promise<void> {
  const ts: Codec = codecFor('typescript');
  const native: Codec = codecFor('native');
  await snappyBench(ts, native);
  if (process.argv.includes('--only')) return;
  const xxh = createRequire(import.meta.url)('xxhash-addon') as XxhashAddon;
  const r = random(42);
  const page = bytes(r, 4096);
  const record = bytes(r, 100);
  const record256 = bytes(r, 256);
  const entries = blockEntries(r);
  const block = ts.encodeBlock(entries, 16);
  const bloomKeys = flatKeys(r, 10_000, 16);
  const probe = bloomKeys.keys.subarray(0, 16);
  const filter = ts.bloomBuild(bloomKeys.keys, bloomKeys.offsets, 10_000, 10);
  let sink = 0;

  const pairs: Array<[string, (c: Codec) => void]> = [
    ['xxh32 4 KiB', (c) => (sink ^= c.xxh32(page, 0))],
    ['xxh32 100 B (TypeScript on both sides: below the threshold)', (c) => (sink ^= c.xxh32(record, 0))],
    ['xxh32 256 B', (c) => (sink ^= c.xxh32(record256, 0))],
    [`encodeBlock ${entries.count}×(16 B key, 100 B value) = ${block.length} B`, (c) => (sink ^= c.encodeBlock(entries, 16).length)],
    [`decodeBlock ${block.length} B`, (c) => {
      const d = c.decodeBlock(block);
      sink ^= typeof d === 'number' ? d : d.count;
    }],
    ['bloomBuild 10k keys, 10 bits/key', (c) => (sink ^= c.bloomBuild(bloomKeys.keys, bloomKeys.offsets, 10_000, 10).length)],
    ['bloomMayContain (TypeScript on both sides)', (c) => (sink ^= c.bloomMayContain(filter, probe) ? 1 : 0)],
  ];

  const bench = new Bench({ time: argTime(), warmup: true });
  for (const [name, fn] of pairs) {
    bench.add(`ts: ${name}`, () => fn(ts));
    bench.add(`native: ${name}`, () => fn(native));
  }
  const hashes: Array<[string, () => void]> = [
    ['lsmkv native XXH32', () => (sink ^= native.xxh32(page, BLOOM_SEED))],
    ['lsmkv TypeScript XXH32', () => (sink ^= ts.xxh32(page, BLOOM_SEED))],
    ['xxhash-addon XXH32', () => (sink ^= xxh.XXHash32.hash(page)[0]!)],
    ['xxhash-addon XXH64', () => (sink ^= xxh.XXHash64.hash(page)[0]!)],
    ['xxhash-addon XXH3-64', () => (sink ^= xxh.XXHash3.hash(page)[0]!)],
  ];
  for (const [name, fn] of hashes) bench.add(`hash 4 KiB: ${name}`, fn);
  await bench.run();

  console.log(`codec benchmark (node ${process.version}, median ns per call)`);
  for (const [name] of pairs) {
    const t = nsPerCall(bench, `ts: ${name}`);
    const n = nsPerCall(bench, `native: ${name}`);
    console.log(`${name.padEnd(62)} ts ${t.toFixed(0).padStart(9)}  native ${n.toFixed(0).padStart(9)}  ts/native ${(t / n).toFixed(2)}`);
  }
  for (const [name] of hashes) {
    const ns = nsPerCall(bench, `hash 4 KiB: ${name}`);
    console.log(`hash 4 KiB: ${name.padEnd(40)} ${ns.toFixed(0).padStart(9)} ns  ${(4096 / ns).toFixed(2)} GB/s`);
  }
  if (sink === 0.5) console.log(sink); // keeps the results alive
}

await main();
