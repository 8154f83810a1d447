/**
 * scan.bench — the native merge step of a scan (Codec.scanMerge, native/scan-merge.cc) against the
 * TypeScript run path of DbIterator, on one database in the benchmark's read shape: a fresh random fill (db_bench
 * keys, 100-byte values, batches of 1000), so the scan merges overlapping L0 tables and a full memtable.
 *
 *   npx tsc -p . && node native/build.mjs && node dist/bench/scan.bench.js [--keys 300000] [--time 2000]
 *
 * Prints, per workload, the median ns per scanned entry (full scans) or per seek + nextv(100) on each side and the
 * TypeScript-path/native ratio (> 1: the native step wins). Both sides use the native codec for everything else;
 * tinybench alternates them in one process. The numbers back docs/decisions/native.md. Not part of the engine.
 */

import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';

import type { Codec } from '../src/codec/codec.js';
import { codecFor } from '../src/codec/loader.js';
import { open } from '../src/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main(): Promise<void> {
  const n = arg('--keys', 300_000);
  const time = arg('--time', 2000);
  const codec = codecFor('native') as { scanMerge?: Codec['scanMerge'] };
  const step = codec.scanMerge;
  if (step === undefined) throw new Error('scan.bench: the loaded addon has no scanMerge (run node native/build.mjs)');
  const dir = join(tmpdir(), `lsmkv-scan-bench-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const db = await open(dir, { codec: 'native', writeBufferSize: 16 * 1024 * 1024 });
  const key = (i: number): Buffer => Buffer.from(String(i * 2).padStart(16, '0'));
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = 301;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const value = Buffer.alloc(100, 'abcdefghij');
  for (let i = 0; i < n; i += 1000) {
    const b = db.batch();
    for (let j = i; j < Math.min(n, i + 1000); j++) b.put(key(order[j]!), value);
    db.write(b);
  }
  await new Promise((r) => setTimeout(r, 2000));
  const scan = (reverse: boolean): void => {
    const it = db.iterator({ reverse });
    while (it.nextv(1000).length > 0);
    it.close();
  };
  let s = 0;
  const seek = (): void => {
    const it = db.iterator();
    it.seek(key(order[s++ % n]!));
    it.nextv(100);
    it.close();
  };
  const rows: Array<[string, () => void, number]> = [
    ['full forward scan (per entry)', () => scan(false), n],
    ['full reverse scan (per entry)', () => scan(true), n],
    ['seek + nextv(100) (per call)', seek, 1],
  ];
  const bench = new Bench({ time });
  for (const [name, fn] of rows) {
    bench.add(`ts: ${name}`, () => {
      codec.scanMerge = undefined;
      fn();
    });
    bench.add(`native: ${name}`, () => {
      codec.scanMerge = step;
      fn();
    });
  }
  await bench.run();
  codec.scanMerge = step;
  const median = (name: string): number => {
    const result = bench.getTask(name)?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`scan.bench: ${name} did not complete`);
    return result.latency.p50 * 1e6;
  };
  for (const [name, , per] of rows) {
    const ts = median(`ts: ${name}`) / per;
    const nat = median(`native: ${name}`) / per;
    console.log(`${name}: ts ${ts.toFixed(0)} ns, native ${nat.toFixed(0)} ns, ratio ${(ts / nat).toFixed(2)}x`);
  }
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
