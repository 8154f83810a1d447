/**
 * codec.bench — every native codec function against its TypeScript twin, on the sizes the engine uses (4 KiB
 * blocks), plus the checksum candidates (XXH32 / XXH64 / XXH3-64) measured through xxhash-addon.
 *
 *   npx tsc -p . && node dist/bench/codec.bench.js [--time 500]
 *
 * Prints one line per pair: median ns per call on each side and the TypeScript/native ratio (> 1: native wins).
 * The numbers back docs/decisions/native.md (which native functions to keep) and docs/decisions/checksum.md.
 * Not part of the engine.
 */

import { createRequire } from 'node:module';
import { Bench } from 'tinybench';

import type { BlockEntries, Codec } from '../src/codec/codec.js';
import { BLOOM_SEED } from '../src/codec/codec.js';
import { codecFor } from '../src/codec/loader.js';

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

async function main(): Promise<void> {
  const ts: Codec = codecFor('typescript');
  const native: Codec = codecFor('native');
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
