/**
 * memtable.bench — the arena skiplist on db_bench's workload: 16-byte zero-padded decimal keys ("%016d" of 2·i,
 * the first ~9 bytes '0' for every key), 100-byte values, written in batches of 1000 the way the db commits them
 * (one encoded write-batch payload per batch), plus random gets that hit and miss (the odd numbers 2·i + 1).
 *
 *   npx tsc -p . && node --expose-gc dist/bench/memtable.bench.js [--n 1000000] [--runs 5] [--only substring]
 *
 * Each task runs whole passes (n inserts into a fresh memtable, 100 K gets, one full scan, ...) `runs` times after
 * one warm-up pass; the line printed is operations per second from the median pass (and from the best one), by
 * wall clock and by this process's CPU time (user + system; steadier while other jobs load the shared machine,
 * though they still share its caches). Compare medians of several runs. Not part of the engine.
 *
 * Then, when the addon is built, TypeScript against native linkStaged (Codec.linkStaged), alternating the two in
 * this process pass by pass (JS, native, JS, ...; `runs` passes each) on the random and the sequential batches:
 * link-only CPU time per key (the linkStaged calls) and whole-fill ops/s by CPU time, medians, with
 * the native/JS ratio; and a third variant that also stages each batch natively (MemTable.stageBatch).
 *
 * Last, the whole-key filter (src/memtable/memtable-filter.ts) on against off, alternating pass by pass: fill CPU
 * (random batches, native stager + linker when built, else TypeScript staging), get miss and get hit CPU with the
 * key's bloomHash precomputed (the db computes it once per get for the tables anyway), and the probe alone
 * (MemTableFilter.mayContain) and the hash alone (bloomHash) per key.
 */

import { ValueKind, MAX_SEQUENCE, makeInternalKey } from '../src/base/internal-key.js';
import { WriteBatch, forEachBatchOp } from '../src/batch/write-batch.js';
import { bloomHash } from '../src/codec/bloom-probe.js';
import { codecFor } from '../src/codec/loader.js';
import { memTableFilterBytes } from '../src/memtable/memtable-filter.js';
import { type BatchStager, MemTable, type StagedLinker } from '../src/memtable/memtable.js';

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? dflt : process.argv[i + 1]!;
}

const KEY_LEN = 16;
const VALUE_LEN = 100;
const BATCH = 1000;
const LOOKUPS = 100_000;

function decimalKey(num: number): Buffer {
  return Buffer.from(String(num).padStart(KEY_LEN, '0'), 'latin1');
}

/** Encoded batch payloads of BATCH puts each, keys in the given order, sequences numbered from 1. */
function payloads(order: readonly number[], value: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  let seq = 1;
  for (let i = 0; i < order.length; i += BATCH) {
    const b = new WriteBatch(BATCH * (KEY_LEN + VALUE_LEN + 4));
    const end = Math.min(order.length, i + BATCH);
    for (let j = i; j < end; j++) b.put(decimalKey(2 * order[j]!), value);
    out.push(Buffer.from(b.payload(seq)));
    seq += end - i;
  }
  return out;
}

function main(): void {
  const n = Number(arg('n', '1000000'));
  const runs = Number(arg('runs', '5'));
  const only = arg('only', '');
  const r = random(42);
  const shuffled = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const value = Buffer.alloc(VALUE_LEN, 0x76);
  const randomBatches = payloads(shuffled, value);
  const seqBatches = payloads(
    Array.from({ length: n }, (_, i) => i),
    value,
  );
  const hits = Array.from({ length: LOOKUPS }, () => decimalKey(2 * Math.floor(r() * n)));
  const misses = Array.from({ length: LOOKUPS }, () => decimalKey(2 * Math.floor(r() * n) + 1));
  const seekTargets = hits.map((k) => makeInternalKey(k, MAX_SEQUENCE, ValueKind.Value));

  const fillPerOp = (batches: Uint8Array[]): MemTable => {
    const mt = new MemTable();
    for (const p of batches) forEachBatchOp(p, (kind, key, v, s) => mt.add(s, kind, key, v));
    return mt;
  };
  const fillStaged = (batches: Uint8Array[]): MemTable => {
    const mt = new MemTable();
    for (const p of batches) {
      forEachBatchOp(p, (kind, key, v, s) => mt.stage(s, kind, key, v));
      mt.linkStaged();
    }
    return mt;
  };
  const mt = fillStaged(randomBatches);
  let sink = 0;

  const tasks: [string, number, () => void][] = [
    [`fillrandom ${n}, add per op`, n, () => (sink += fillPerOp(randomBatches).count)],
    [`fillrandom ${n}, stage+linkStaged`, n, () => (sink += fillStaged(randomBatches).count)],
    [`fillseq ${n}, add per op`, n, () => (sink += fillPerOp(seqBatches).count)],
    [`fillseq ${n}, stage+linkStaged`, n, () => (sink += fillStaged(seqBatches).count)],
    [
      'get (hit)',
      LOOKUPS,
      () => {
        for (let i = 0; i < LOOKUPS; i++) sink += mt.get(hits[i]!, MAX_SEQUENCE)!.length;
      },
    ],
    [
      'get (miss)',
      LOOKUPS,
      () => {
        for (let i = 0; i < LOOKUPS; i++) if (mt.get(misses[i]!, MAX_SEQUENCE) === undefined) sink++;
      },
    ],
    [
      'seek',
      LOOKUPS,
      () => {
        const it = mt.iterator();
        for (let i = 0; i < LOOKUPS; i++) {
          it.seek(seekTargets[i]!);
          if (it.valid()) sink++;
        }
      },
    ],
    [
      'scan (iterator next)',
      n,
      () => {
        const it = mt.iterator();
        for (it.seekToFirst(); it.valid(); it.next()) sink += it.key().length + it.value().length;
      },
    ],
    [
      'reverse scan (prev)',
      n,
      () => {
        const it = mt.iterator();
        for (it.seekToLast(); it.valid(); it.prev()) sink += it.key().length + it.value().length;
      },
    ],
    [
      'scan (forEachRaw)',
      n,
      () =>
        mt.forEachRaw((_c, ks, ke, ve) => {
          sink += ve - ks + ke;
        }),
    ],
  ];

  console.log(
    `memtable: ${n} entries, ${KEY_LEN}-byte decimal keys, ${VALUE_LEN}-byte values, batches of ${BATCH}, ` +
      `${mt.approximateBytes} bytes; ops/s median (best) of ${runs}, by wall-clock and by process CPU time`,
  );
  for (const [name, ops, fn] of tasks) {
    if (only !== '' && !name.includes(only)) continue;
    fn();
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      fn();
      wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
    }
    const fmt = (t: number[]): string => {
      t.sort((a, b) => a - b);
      const rate = (x: number): string => Math.round(ops / x).toLocaleString('en-US');
      return `${rate(t[t.length >> 1]!).padStart(11)} (${rate(t[0]!)})`.padEnd(24);
    };
    console.log(`${name.padEnd(32)} wall ${fmt(wall)} cpu ${fmt(cpu)}`);
  }
  if (sink === 0.5) console.log(sink);
  compareLinkers(randomBatches, seqBatches, n, runs, only);
  if (only === '' || 'filter'.includes(only)) compareFilter(randomBatches, hits, misses, n, runs);
}

/** CPU seconds of fn(). */
function cpuSeconds(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/** Filter on/off, alternating in this process: fill, get miss, get hit; the probe and the hash alone. */
function compareFilter(batches: Uint8Array[], hits: Buffer[], misses: Buffer[], n: number, runs: number): void {
  let linker: StagedLinker | undefined;
  let stager: BatchStager | undefined;
  try {
    ({ linkStaged: linker, stageBatch: stager } = codecFor('native'));
  } catch {
    // TypeScript staging and linking: the filter's bits then come from MemTable.newNode.
  }
  // The db's sizing: 2% of a 64 MiB write buffer, which holds ~450 K of these entries.
  const filterBytes = memTableFilterBytes(64 << 20);
  const fill = (filter: boolean): MemTable => {
    const mt = new MemTable({ linker, stager, linkBytes: 64 << 20, ...(filter ? { filterBytes, filterHash: bloomHash } : {}) });
    for (const p of batches) {
      if (!mt.stageBatch(p)) forEachBatchOp(p, (kind, key, v, s) => mt.stage(s, kind, key, v));
      mt.linkStaged();
    }
    return mt;
  };
  const missHashes = misses.map((k) => bloomHash(k));
  const hitHashes = hits.map((k) => bloomHash(k));
  // One memtable for the get A/B (two would differ in where their memory landed, e.g. huge pages or not): with
  // the hash get probes the filter, without it get searches.
  const mt = fill(true);
  const filter = mt.keyFilter!;
  let sink = 0;
  const gets = (keys: Buffer[], hashes: number[] | undefined) => (): void => {
    for (let i = 0; i < keys.length; i++) if (mt.get(keys[i]!, MAX_SEQUENCE, hashes?.[i]) === undefined) sink++;
  };
  const variants: [string, number, () => void, () => void][] = [
    ['fill (random batches)', n, () => void (sink += fill(true).count), () => void (sink += fill(false).count)],
    ['get miss', misses.length, gets(misses, missHashes), gets(misses, undefined)],
    ['get hit', hits.length, gets(hits, hitHashes), gets(hits, undefined)],
    [
      'probe (mayContain) vs search (get miss, no filter)',
      misses.length,
      () => {
        for (let i = 0; i < missHashes.length; i++) if (!filter.mayContain(missHashes[i]!)) sink++;
      },
      gets(misses, undefined),
    ],
  ];
  const median = (t: number[]): number => t.sort((a, b) => a - b)[t.length >> 1]!;
  console.log(`filter on/off (${filterBytes} bytes, ${(filterBytes * 8) / n} bits/key), CPU, median [min-max] of ${runs}`);
  for (const [name, ops, a, b] of variants) {
    const ta: number[] = [];
    const tb: number[] = [];
    for (let i = -1; i < runs; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      const x = cpuSeconds(a);
      (globalThis as { gc?: () => void }).gc?.();
      const y = cpuSeconds(b);
      if (i < 0) continue;
      ta.push(x);
      tb.push(y);
    }
    const ns = (t: number[]): string => ((median(t) * 1e9) / ops).toFixed(0);
    const span = (t: number[]): string => `[${((t[0]! * 1e9) / ops).toFixed(0)}-${((t[t.length - 1]! * 1e9) / ops).toFixed(0)}]`;
    console.log(
      `  ${name.padEnd(52)} on ${ns(ta)} ns/op ${span(ta)}, off ${ns(tb)} ns/op ${span(tb)}: ` +
        `${(median(tb) / median(ta)).toFixed(2)}x`,
    );
  }
  const keys = misses;
  const hashTime = median(
    Array.from({ length: runs }, () =>
      cpuSeconds(() => {
        for (let i = 0; i < keys.length; i++) sink += bloomHash(keys[i]!);
      }),
    ),
  );
  console.log(`  bloomHash alone: ${((hashTime * 1e9) / keys.length).toFixed(0)} ns/key`);
  if (sink === 0.5) console.log(sink);
}

/** One fill (stage + linkStaged per batch): [linkStaged CPU seconds, whole-fill CPU seconds]. */
function timedFill(batches: Uint8Array[], linker: StagedLinker | undefined, stager?: BatchStager): [number, number] {
  const mt = new MemTable({ linker, stager });
  let link = 0;
  const c0 = process.cpuUsage();
  for (const p of batches) {
    if (!mt.stageBatch(p)) forEachBatchOp(p, (kind, key, v, s) => mt.stage(s, kind, key, v));
    const t0 = process.cpuUsage();
    mt.linkStaged();
    const t = process.cpuUsage(t0);
    link += t.user + t.system;
  }
  const c = process.cpuUsage(c0);
  return [link / 1e6, (c.user + c.system) / 1e6];
}

function compareLinkers(randomBatches: Uint8Array[], seqBatches: Uint8Array[], n: number, runs: number, only: string) {
  let linker: StagedLinker | undefined;
  let stager: BatchStager | undefined;
  try {
    ({ linkStaged: linker, stageBatch: stager } = codecFor('native'));
  } catch (e) {
    console.log(`linkStaged TypeScript vs native: skipped (${(e as Error).message})`);
    return;
  }
  const median = (t: number[]): number => t.sort((a, b) => a - b)[t.length >> 1]!;
  for (const [name, batches] of [
    ['fillrandom', randomBatches],
    ['fillseq', seqBatches],
  ] as const) {
    if (only !== '' && !`linkStaged ${name}`.includes(only)) continue;
    const sides = { ts: [undefined, undefined], native: [linker, undefined], staged: [linker, stager] } as const;
    type Side = keyof typeof sides;
    const times = { ts: [[], []] as number[][], native: [[], []] as number[][], staged: [[], []] as number[][] };
    for (let i = -1; i < runs; i++) {
      for (const side of ['ts', 'native', 'staged'] as const) {
        (globalThis as { gc?: () => void }).gc?.(); // the previous pass's ~165 MB, not charged to this one
        const [link, cpu] = timedFill(batches, sides[side][0], sides[side][1]);
        if (i < 0) continue; // warm-up
        times[side][0]!.push(link);
        times[side][1]!.push(cpu);
      }
    }
    const nsPerKey = (side: Side): number => (median(times[side][0]!) * 1e9) / n;
    const fillRate = (side: Side): number => n / median(times[side][1]!);
    const rate = (side: Side): string => Math.round(fillRate(side)).toLocaleString('en-US');
    console.log(
      `linkStaged ${name} ${n}: link CPU ns/key TS ${nsPerKey('ts').toFixed(0)} native ${nsPerKey('native').toFixed(0)} ` +
        `(${(nsPerKey('ts') / nsPerKey('native')).toFixed(2)}x); fill CPU ops/s TS ${rate('ts')}, native link ` +
        `${rate('native')} (${(fillRate('native') / fillRate('ts')).toFixed(2)}x), native stageBatch + link ` +
        `${rate('staged')} (${(fillRate('staged') / fillRate('ts')).toFixed(2)}x)`,
    );
  }
}

main();
