/**
 * config — what one macro-benchmark run does: the store and workload names, their canonical order, the defaults,
 * and the validation shared by the CLI and bench/db-bench.ts. Plain data: it crosses into child processes as JSON.
 */

/** 'lsmkv-ts' is lsmkv forced onto its TypeScript codec (LSMKV_NATIVE=0): the native-vs-TypeScript comparison of
 *  the whole engine in one run (`--stores lsmkv,lsmkv-ts`). It is not a default store. */
export const STORE_NAMES = ['lsmkv', 'classic-level', 'rocksdb', 'lmdb', 'lsmkv-ts'] as const;
export type StoreName = (typeof STORE_NAMES)[number];
export const PEER_NAMES: readonly StoreName[] = ['classic-level', 'rocksdb', 'lmdb'];

/** Every workload in the order it runs (state flows: the "main" database is filled, read, deleted, reopened). */
export const WORKLOAD_NAMES = [
  'fillseq',
  'fillrandom',
  'overwrite',
  'readrandom',
  'readmissing',
  'readseq',
  'readreverse',
  'seekrandom',
  'deleterandom',
  'reopen',
  'fillrandom-single',
  'fillsync',
  'fillsync-concurrent',
] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** Workloads that write (their event-loop delay is measured). */
export const WRITE_WORKLOADS: ReadonlySet<WorkloadName> = new Set<WorkloadName>([
  'fillseq',
  'fillrandom',
  'overwrite',
  'deleterandom',
  'fillrandom-single',
  'fillsync',
  'fillsync-concurrent',
]);

/** The default of `lsmkv bench` without --peers. */
export const QUICK_WORKLOADS: readonly WorkloadName[] = [
  'fillrandom',
  'readrandom',
  'readmissing',
  'readseq',
  'seekrandom',
  'deleterandom',
];

export interface BenchConfig {
  /** Entries written by the fills and read by the reads. */
  n: number;
  stores: StoreName[];
  workloads: WorkloadName[];
  rounds: number;
  valueSize: number;
  /** LSMKV_NATIVE for the lsmkv child ('auto' leaves the environment alone). */
  native: 'auto' | '0' | '1';
  seed: number;
  /** Entries per batch in the batched fills and deleterandom. */
  batchSize: number;
  /** Entries read after each seek in seekrandom. */
  seekNexts: number;
  /** Writers in flight in fillsync-concurrent. */
  syncWriters: number;
  /** Block cache bytes for the LSM stores. */
  cacheSize: number;
  /** Memtable bytes for the LSM stores. */
  writeBufferSize: number;
}

export const DEFAULT_CONFIG: Readonly<BenchConfig> = Object.freeze({
  n: 1_000_000,
  stores: ['lsmkv', ...PEER_NAMES] as StoreName[],
  workloads: [...WORKLOAD_NAMES],
  rounds: 1,
  valueSize: 100,
  native: 'auto',
  seed: 301,
  batchSize: 1000,
  seekNexts: 100,
  syncWriters: 32,
  cacheSize: 32 * 1024 * 1024,
  writeBufferSize: 64 * 1024 * 1024,
});

/** How many operations a workload performs for a given N (fillsync N/100, seekrandom N/100 seeks). */
export function workloadOps(w: WorkloadName, n: number): number {
  switch (w) {
    case 'fillsync':
    case 'fillsync-concurrent':
    case 'seekrandom':
      return Math.max(1, Math.floor(n / 100));
    case 'deleterandom':
      return Math.max(1, Math.floor(n / 2));
    case 'reopen':
      return 1;
    default:
      return n;
  }
}

/** Parses a comma list against allowed names; throws RangeError naming the bad entry. */
export function parseNameList<T extends string>(what: string, text: string, allowed: readonly T[]): T[] {
  const out: T[] = [];
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(allowed as readonly string[]).includes(name)) {
      throw new RangeError(`unknown ${what} '${name}' (expected one of: ${allowed.join(', ')})`);
    }
    if (!out.includes(name as T)) out.push(name as T);
  }
  if (out.length === 0) throw new RangeError('empty list');
  return out;
}

/** Workloads in canonical order regardless of the order they were listed in. */
export function canonicalOrder(ws: readonly WorkloadName[]): WorkloadName[] {
  return WORKLOAD_NAMES.filter((w) => ws.includes(w));
}
