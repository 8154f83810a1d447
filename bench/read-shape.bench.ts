/**
 * read-shape.bench — lsmkv's reads in db-bench's read shape, measured in CPU time, for profiling and for A/B of one
 * build against itself (e.g. with and without a cache size). Not a comparison with other stores: db-bench is that.
 *
 *   npx tsc -p . && node dist/bench/read-shape.bench.js [--mode get|miss|seek|scan] [--cache-mb 32] [--rounds 6]
 *       [--keys 1000000] [--dir DIR]
 *
 * The shape is the one db-bench's reads see: fillrandom then overwrite (db_bench keys, 100-byte half-compressible
 * values, batches of 1000, yielding between batches, the benchmark's 64 MiB write buffer and compression), then a
 * wait until no compaction runs and L0 is under its trigger, the database still open, so the newest ~450 K
 * entries are in the memtable and the rest in L1. Each round then times, with process.cpuUsage (all threads; the
 * database is idle, so that is the main thread):
 *   get  200 K gets of present keys in a seeded random order   miss  the same for keys never written
 *   seek N/200 seeks + nextv(100)                              scan  one full forward scan with nextv(1000)
 * and prints ops/s per round, the median, and block-cache hits/misses. Run under `node --cpu-prof` or
 * `perf record -g` (with --perf-basic-prof) to see where the time goes; "reads from" prints when the timed part
 * starts (seconds since process start) so a profile can be cut there. The directory is removed at the end.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KeySpace } from './db-bench/keys.js';
import { permutation, randomIndices } from './db-bench/random.js';
import { ValueSource } from './db-bench/values.js';
import { open } from '../src/index.js';

type Mode = 'get' | 'miss' | 'seek' | 'scan';
const MODES: readonly Mode[] = ['get', 'miss', 'seek', 'scan'];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function intArg(name: string, fallback: number, min: number): number {
  const text = arg(name);
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`read-shape: ${name} must be an integer >= ${min}, got '${text}'`);
  return v;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function main(): Promise<void> {
  const mode = (arg('--mode') ?? 'get') as Mode;
  if (!MODES.includes(mode)) throw new RangeError(`read-shape: --mode must be one of ${MODES.join(', ')}, got '${mode}'`);
  const n = intArg('--keys', 1_000_000, 1000);
  const rounds = intArg('--rounds', 6, 1);
  const cacheMb = intArg('--cache-mb', 32, 0);
  const dir = arg('--dir') ?? mkdtempSync(join(tmpdir(), 'lsmkv-read-shape-'));
  const keys = new KeySpace(n);
  const values = new ValueSource(301, 100, 0.5);
  const db = await open(dir, { blockCacheSize: cacheMb * 1024 * 1024, writeBufferSize: 64 * 1024 * 1024, compression: 'snappy' });
  try {
    for (const version of [0, 1]) {
      const order = permutation(n, 301 + version);
      for (let i = 0; i < n; i += 1000) {
        const b = db.batch();
        const end = Math.min(n, i + 1000);
        for (let j = i; j < end; j++) b.put(keys.key(order[j]!), values.value(order[j]!, version));
        db.write(b);
        await tick();
      }
    }
    for (let i = 0; i < 1200; i++) {
      const st = db.stats();
      if (!st.compaction.running && st.levels[0]!.files < 4 && st.immutableMemtables === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const st = db.stats();
    console.log(
      `shape: ${n} keys, tables per level ${JSON.stringify(st.levels.map((l) => l.files))}, memtable ` +
        `${(st.memtableBytes / 2 ** 20).toFixed(1)} MiB, cache ${cacheMb} MiB, codec ${st.codec}`,
    );
    console.log(`reads from ${(performance.now() / 1000).toFixed(1)} s`);
    const rates: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const c0 = process.cpuUsage();
      let ops = 0;
      let check = 0;
      if (mode === 'get' || mode === 'miss') {
        const idx = randomIndices(200_000, n, 99 + r);
        for (let i = 0; i < idx.length; i++) {
          const k = mode === 'get' ? keys.key(idx[i]!) : keys.missingKey(idx[i]!);
          if (db.get(k) !== undefined) check++;
        }
        ops = idx.length;
        if (check !== (mode === 'get' ? ops : 0)) throw new Error(`read-shape: ${mode} found ${check} of ${ops}`);
      } else if (mode === 'seek') {
        const idx = randomIndices(Math.max(1, Math.floor(n / 200)), n, 77 + r);
        const it = db.iterator();
        for (let i = 0; i < idx.length; i++) {
          it.seek(keys.key(idx[i]!));
          check += it.nextv(100).length;
        }
        it.close();
        ops = idx.length;
      } else {
        const it = db.iterator();
        for (;;) {
          const e = it.nextv(1000);
          if (e.length === 0) break;
          ops += e.length;
        }
        it.close();
        if (ops !== n) throw new Error(`read-shape: scan returned ${ops} of ${n}`);
      }
      const c = process.cpuUsage(c0);
      const rate = ops / ((c.user + c.system) / 1e6);
      rates.push(rate);
      const cache = db.stats().blockCache;
      console.log(`round ${r + 1}: ${mode} ${Math.round(rate).toLocaleString('en-US')} ops/s CPU (cache hits ${cache.hits}, misses ${cache.misses})`);
    }
    const sorted = [...rates].sort((a, b) => a - b);
    console.log(`median: ${mode} ${Math.round(sorted[sorted.length >> 1]!).toLocaleString('en-US')} ops/s CPU over ${rounds} rounds`);
  } finally {
    await db.close();
    if (arg('--dir') === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
