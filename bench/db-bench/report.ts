/**
 * report — turns the runs of every round into medians per (store, workload), the lsmkv / best-peer ratio, and the
 * markdown tables and JSON the benchmark prints. A cell is FAILED if any round of it failed or did not run.
 */

import { cpus, totalmem } from 'node:os';
import { formatBytes, formatInt, formatSeconds } from '../../src/cli/format.js';
import { markdownTable } from '../../src/cli/table.js';
import { type BenchConfig, type StoreName, type WorkloadName, PEER_NAMES, canonicalOrder } from './config.js';
import type { LoopDelay } from './driver.js';
import type { StoreRun } from './messages.js';

export interface Cell {
  failed: boolean;
  error?: string;
  /** Medians over rounds (of the rounds that succeeded). */
  opsPerSec: number;
  mbPerSec: number;
  seconds: number;
}

export interface StoreSummary {
  store: StoreName;
  cells: Partial<Record<WorkloadName, Cell>>;
  diskAfterFill?: number;
  diskAfterClose?: number;
  /** Disk bytes / live user bytes (key + value of every live entry). */
  spaceAmpAfterFill?: number;
  spaceAmpAfterClose?: number;
  peakRssBytes?: number;
  eventLoopWrites?: LoopDelay;
  /** lsmkv only, from db.stats(). */
  writeAmplification?: number;
  codec?: string;
  fatal?: string;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
}

export interface BenchSummary {
  config: BenchConfig;
  machine: Machine;
  stores: StoreSummary[];
  /** lsmkv ops/s divided by the best peer's, per workload where both ran. */
  ratios: Partial<Record<WorkloadName, { ratio: number; bestPeer: StoreName }>>;
  runs: StoreRun[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function medianOf<T>(items: readonly T[], pick: (t: T) => number | undefined): number | undefined {
  const xs = items.map(pick).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return xs.length === 0 ? undefined : median(xs);
}

export function machineInfo(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function summarize(config: BenchConfig, runs: readonly StoreRun[], machine: Machine = machineInfo()): BenchSummary {
  const workloads = canonicalOrder(config.workloads);
  const stores: StoreSummary[] = config.stores.map((store) => {
    const mine = runs.filter((r) => r.store === store);
    const cells: StoreSummary['cells'] = {};
    for (const w of workloads) {
      const results = mine.map((r) => r.workloads.find((x) => x.workload === w));
      const failed = results.length === 0 || results.some((r) => r === undefined || !r.ok);
      const bad = results.find((r) => r !== undefined && !r.ok);
      const good = results.filter((r) => r !== undefined && r.ok);
      const cell: Cell = {
        failed,
        opsPerSec: medianOf(good, (r) => r!.opsPerSec) ?? 0,
        mbPerSec: medianOf(good, (r) => r!.mbPerSec) ?? 0,
        seconds: medianOf(good, (r) => r!.seconds) ?? 0,
      };
      if (cell.failed) {
        const fatal = mine.find((r) => r.fatal !== undefined)?.fatal;
        cell.error = bad?.error ?? fatal ?? 'did not run';
      }
      cells[w] = cell;
    }
    const s: StoreSummary = { store, cells };
    const set = <K extends keyof StoreSummary>(k: K, v: StoreSummary[K] | undefined): void => {
      if (v !== undefined) s[k] = v;
    };
    set('diskAfterFill', medianOf(mine, (r) => r.diskAfterFill));
    set('diskAfterClose', medianOf(mine, (r) => r.diskAfterClose));
    set('spaceAmpAfterFill', medianOf(mine, (r) => (r.liveBytesAfterFill ? r.diskAfterFill! / r.liveBytesAfterFill : undefined)));
    set('spaceAmpAfterClose', medianOf(mine, (r) => (r.liveBytesAfterClose ? r.diskAfterClose! / r.liveBytesAfterClose : undefined)));
    set('peakRssBytes', medianOf(mine, (r) => r.peakRssBytes));
    const loops = mine.map((r) => r.eventLoopWrites).filter((d): d is LoopDelay => d !== undefined);
    if (loops.length > 0) {
      s.eventLoopWrites = {
        p50Ms: median(loops.map((d) => d.p50Ms)),
        p99Ms: median(loops.map((d) => d.p99Ms)),
        maxMs: median(loops.map((d) => d.maxMs)),
      };
    }
    set('writeAmplification', medianOf(mine, (r) => numberField(r.engineStats, 'writeAmplification')));
    const codec = mine.map((r) => r.engineStats?.['codec']).find((c) => typeof c === 'string');
    if (typeof codec === 'string') s.codec = codec;
    const fatal = mine.find((r) => r.fatal !== undefined)?.fatal;
    if (fatal !== undefined) s.fatal = fatal;
    return s;
  });
  const ratios: BenchSummary['ratios'] = {};
  const lsmkv = stores.find((s) => s.store === 'lsmkv');
  if (lsmkv) {
    for (const w of workloads) {
      const mine = lsmkv.cells[w];
      if (!mine || mine.failed) continue;
      let best: { store: StoreName; ops: number } | undefined;
      for (const s of stores) {
        const c = s.cells[w];
        if (!PEER_NAMES.includes(s.store) || !c || c.failed) continue;
        if (best === undefined || c.opsPerSec > best.ops) best = { store: s.store, ops: c.opsPerSec };
      }
      if (best && best.ops > 0) ratios[w] = { ratio: mine.opsPerSec / best.ops, bestPeer: best.store };
    }
  }
  return { config, machine, stores, ratios, runs: [...runs] };
}

function numberField(o: Record<string, unknown> | undefined, k: string): number | undefined {
  const v = o?.[k];
  return typeof v === 'number' ? v : undefined;
}

function cellText(w: WorkloadName, c: Cell | undefined): string {
  if (c === undefined) return '';
  if (c.failed) return 'FAILED';
  if (w === 'reopen') return formatSeconds(c.seconds);
  return c.mbPerSec > 0 ? `${formatInt(c.opsPerSec)} ops/s · ${c.mbPerSec.toFixed(1)} MB/s` : `${formatInt(c.opsPerSec)} ops/s`;
}

const opt = (v: number | undefined, f: (x: number) => string): string => (v === undefined ? '–' : f(v));

export function renderMarkdown(summary: BenchSummary): string {
  const { config, machine, stores, ratios } = summary;
  const workloads = canonicalOrder(config.workloads);
  const hasPeers = stores.some((s) => s.store === 'lsmkv') && stores.some((s) => PEER_NAMES.includes(s.store));
  const out: string[] = [];
  out.push(
    `db-bench: N = ${formatInt(config.n)}, keys 16 B, values ${config.valueSize} B (half compressible), ` +
      `${config.rounds} round${config.rounds === 1 ? '' : 's'}${config.rounds > 1 ? ' (medians)' : ''}; ` +
      `${machine.cpus} × ${machine.cpuModel}, ${formatBytes(machine.memoryBytes)} RAM, node ${machine.node}`,
    '',
  );
  const header = ['workload', ...stores.map((s) => s.store), ...(hasPeers ? ['lsmkv / best peer'] : [])];
  const rows = workloads.map((w) => {
    const r = ratios[w];
    return [
      w,
      ...stores.map((s) => cellText(w, s.cells[w])),
      ...(hasPeers ? [r ? `${r.ratio.toFixed(2)}× (${r.bestPeer})` : '–'] : []),
    ];
  });
  out.push(markdownTable(header, rows, header.map((_, i) => (i === 0 ? 'left' : 'right'))), '');
  const res = stores.map((s) => [
    s.store,
    opt(s.diskAfterFill, formatBytes),
    opt(s.diskAfterClose, formatBytes),
    `${opt(s.spaceAmpAfterFill, (x) => x.toFixed(2))} / ${opt(s.spaceAmpAfterClose, (x) => x.toFixed(2))}`,
    opt(s.peakRssBytes, formatBytes),
    s.eventLoopWrites
      ? `${s.eventLoopWrites.p50Ms.toFixed(1)} / ${s.eventLoopWrites.p99Ms.toFixed(1)} / ${s.eventLoopWrites.maxMs.toFixed(1)} ms`
      : '–',
  ]);
  const resHeader = ['store', 'disk after fill', 'disk after close', 'space amp (fill / close)', 'peak RSS', 'event-loop delay in writes: p50 / p99 / max'];
  out.push(markdownTable(resHeader, res, resHeader.map((_, i) => (i === 0 ? 'left' : 'right'))));
  const lsmkv = stores.find((s) => s.store === 'lsmkv');
  if (lsmkv && (lsmkv.writeAmplification !== undefined || lsmkv.codec !== undefined)) {
    out.push('', `lsmkv: write amplification ${opt(lsmkv.writeAmplification, (x) => x.toFixed(2))}, codec ${lsmkv.codec ?? '–'}`);
  }
  const failures: string[] = [];
  for (const s of stores) {
    if (s.fatal !== undefined) failures.push(`- ${s.store}: ${firstLine(s.fatal)}`);
    for (const w of workloads) {
      const c = s.cells[w];
      if (c?.failed && c.error !== s.fatal) failures.push(`- ${s.store} ${w}: ${firstLine(c.error ?? 'failed')}`);
    }
  }
  if (failures.length > 0) out.push('', 'FAILED:', ...failures);
  return `${out.join('\n')}\n`;
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** True if every cell of every store succeeded. */
export function allPassed(summary: BenchSummary): boolean {
  return summary.stores.every((s) => Object.values(s.cells).every((c) => c !== undefined && !c.failed));
}
