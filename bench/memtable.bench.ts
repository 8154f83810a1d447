/**
 * memtable.bench — the arena skiplist on the write buffer's workload: 1 M random 16-byte keys with 100-byte values.
 *
 *   npx tsc -p . && node dist/bench/memtable.bench.js [--n 1000000] [--iterations 5]
 *
 * Each task runs a whole batch per iteration (1 M inserts into a fresh memtable, 100 K gets, one full scan, ...);
 * the line printed is entries (operations) per second from the mean batch time. "seek (≈ findLessThan step)"
 * stands for what prev() would cost without level-0 back links (LevelDB's "find the last node < key" is the same
 * descent from the head as a seek), to compare with "reverse scan (prev)". Not part of the engine.
 *
 * Two runs on the 2-core dev machine under load from other jobs (load average ~5), Node 20, ops/s:
 *   insert 1 M 568 K / 664 K   get hit 321 K / 280 K   get miss 403 K / 462 K   seek 202 K / 425 K
 *   scan: iterator 1.8 M / 3.4 M   reverse (prev) 1.9 M / 2.4 M   forEach 2.9 M / 2.0 M   forEachRaw 4.9 M / 7.9 M
 * Before the key prefix moved into the node (every search step then read the arena too): insert 139 K, get 130 K.
 */

import { Bench } from 'tinybench';

import { MAX_SEQUENCE, ValueKind, makeInternalKey } from '../src/base/internal-key.js';
import { MemTable } from '../src/memtable/memtable.js';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
}

const KEY_LEN = 16;
const VALUE_LEN = 100;
const LOOKUPS = 100_000;

async function main(): Promise<void> {
  const n = arg('n', 1_000_000);
  const iterations = arg('iterations', 5);
  const r = random(42);
  const keyBytes = Buffer.allocUnsafe(n * KEY_LEN);
  for (let i = 0; i < keyBytes.length; i++) keyBytes[i] = Math.floor(r() * 256);
  const keys = Array.from({ length: n }, (_, i) => keyBytes.subarray(i * KEY_LEN, (i + 1) * KEY_LEN));
  const value = Buffer.alloc(VALUE_LEN, 0x76);
  const lookups = Array.from({ length: LOOKUPS }, () => keys[Math.floor(r() * n)]!);
  const misses = Array.from({ length: LOOKUPS }, () => {
    const k = Buffer.allocUnsafe(KEY_LEN);
    for (let i = 0; i < KEY_LEN; i++) k[i] = Math.floor(r() * 256);
    return k;
  });
  const seekTargets = lookups.map((k) => makeInternalKey(k, MAX_SEQUENCE, ValueKind.Value));

  const fill = (): MemTable => {
    const mt = new MemTable();
    for (let i = 0; i < n; i++) mt.add(i + 1, ValueKind.Value, keys[i]!, value);
    return mt;
  };
  const mt = fill();
  let sink = 0;

  const perIteration = new Map<string, number>();
  const bench = new Bench({ iterations, time: 0, warmupIterations: 1, warmupTime: 0, throws: true });
  const task = (name: string, ops: number, fn: () => void): void => {
    perIteration.set(name, ops);
    bench.add(name, fn);
  };

  task(`insert ${n}`, n, () => {
    sink += fill().count;
  });
  task('get (hit)', LOOKUPS, () => {
    for (let i = 0; i < LOOKUPS; i++) sink += mt.get(lookups[i]!, MAX_SEQUENCE)!.length;
  });
  task('get (miss)', LOOKUPS, () => {
    for (let i = 0; i < LOOKUPS; i++) if (mt.get(misses[i]!, MAX_SEQUENCE) === undefined) sink++;
  });
  task('scan (iterator next)', n, () => {
    const it = mt.iterator();
    for (it.seekToFirst(); it.valid(); it.next()) sink += it.key().length + it.value().length;
  });
  task('reverse scan (prev)', n, () => {
    const it = mt.iterator();
    for (it.seekToLast(); it.valid(); it.prev()) sink += it.key().length + it.value().length;
  });
  task('scan (forEach)', n, () => {
    mt.forEach((k, v) => {
      sink += k.length + v.length;
    });
  });
  task('scan (forEachRaw)', n, () => {
    mt.forEachRaw((_c, ks, ke, ve) => {
      sink += ve - ks + ke;
    });
  });
  task('seek (≈ findLessThan step)', LOOKUPS, () => {
    const it = mt.iterator();
    for (let i = 0; i < LOOKUPS; i++) {
      it.seek(seekTargets[i]!);
      if (it.valid()) sink++;
    }
  });

  await bench.run();
  console.log(`memtable: ${n} entries, ${KEY_LEN}-byte keys, ${VALUE_LEN}-byte values, ${mt.approximateBytes} bytes`);
  for (const t of bench.tasks) {
    const result = t.result;
    if (result === undefined || !('latency' in result)) throw new Error(`bench: ${t.name} did not complete`);
    const opsPerSec = (perIteration.get(t.name)! * 1000) / result.latency.mean;
    console.log(`${t.name.padEnd(30)} ${Math.round(opsPerSec).toLocaleString('en-US').padStart(14)} ops/s`);
  }
  if (sink === 0.5) console.log(sink);
}

await main();
