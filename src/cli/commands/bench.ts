/**
 * bench command — `lsmkv bench [options]`: the db_bench-style macro benchmark (bench/db-bench/).
 *
 * Without --peers it measures lsmkv alone on the quick workload set; with --peers (and in bench/db-bench.ts)
 * every store and every workload. Prints progress on stderr, the result tables on stdout, optionally JSON to a
 * file. Exit code 0 if every cell passed verification, 1 if any FAILED, 2 for a usage error.
 */

import { writeFile } from 'node:fs/promises';
import {
  type BenchConfig,
  DEFAULT_CONFIG,
  QUICK_WORKLOADS,
  PEER_NAMES,
  STORE_NAMES,
  WORKLOAD_NAMES,
  canonicalOrder,
  parseNameList,
} from '../../../bench/db-bench/config.js';
import { ProgressView } from '../../../bench/db-bench/progress.js';
import { allPassed, renderMarkdown, summarize } from '../../../bench/db-bench/report.js';
import { runBench } from '../../../bench/db-bench/run.js';
import { UsageError, choiceOption, integerOption, parseCommandLine, type OptionSpecs } from '../args.js';
import type { CliIO } from '../io.js';

export const BENCH_OPTIONS: OptionSpecs = {
  n: { type: 'string' },
  stores: { type: 'string' },
  workloads: { type: 'string' },
  rounds: { type: 'string' },
  dir: { type: 'string' },
  'value-size': { type: 'string' },
  native: { type: 'string' },
  json: { type: 'string' },
  seed: { type: 'string' },
  peers: { type: 'boolean' },
  quiet: { type: 'boolean' },
};

export interface BenchInvocation {
  config: BenchConfig;
  /** Parent directory of the temporary root; undefined = os.tmpdir(). */
  dir?: string;
  json?: string;
  quiet: boolean;
}

/** Turns bench arguments into a config; `peers` is the default of --peers (true for bench/db-bench.ts). */
export function parseBenchArgs(argv: readonly string[], peersByDefault = false): BenchInvocation {
  const { values: v } = parseCommandLine(argv, BENCH_OPTIONS, 0);
  const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const peers = v['peers'] === true || peersByDefault;
  const list = <T extends string>(flag: string, allowed: readonly T[]): T[] | undefined => {
    const text = str(flag);
    if (text === undefined) return undefined;
    try {
      return parseNameList(flag.replace(/s$/, ''), text, allowed);
    } catch (e) {
      throw new UsageError(`--${flag}: ${(e as Error).message}`);
    }
  };
  const config: BenchConfig = {
    ...DEFAULT_CONFIG,
    stores: list('stores', STORE_NAMES) ?? (peers ? ['lsmkv', ...PEER_NAMES] : ['lsmkv']),
    workloads: canonicalOrder(list('workloads', WORKLOAD_NAMES) ?? (peers ? [...WORKLOAD_NAMES] : [...QUICK_WORKLOADS])),
  };
  const n = str('n');
  if (n !== undefined) config.n = integerOption('n', n, 1, 100_000_000);
  const rounds = str('rounds');
  if (rounds !== undefined) config.rounds = integerOption('rounds', rounds, 1, 100);
  const vs = str('value-size');
  if (vs !== undefined) config.valueSize = integerOption('value-size', vs, 1, 1024 * 1024);
  const seed = str('seed');
  if (seed !== undefined) config.seed = integerOption('seed', seed, 0, 2 ** 31 - 1);
  const native = str('native');
  if (native !== undefined) config.native = choiceOption('native', native, ['auto', '0', '1'] as const);
  const out: BenchInvocation = { config, quiet: v['quiet'] === true };
  const dir = str('dir');
  if (dir !== undefined) out.dir = dir;
  const json = str('json');
  if (json !== undefined) out.json = json;
  return out;
}

export interface BenchRunHooks {
  /** Overrides for tests (a TypeScript loader for the child, the worker script). */
  execArgv?: string[];
  workerPath?: string;
}

export async function benchCommand(argv: readonly string[], io: CliIO, peersByDefault = false, hooks: BenchRunHooks = {}): Promise<number> {
  const inv = parseBenchArgs(argv, peersByDefault);
  const view = new ProgressView(io.stderr, io.stderrIsTTY);
  const runs = await runBench(inv.config, {
    ...(inv.dir !== undefined && { dir: inv.dir }),
    ...(hooks.execArgv !== undefined && { execArgv: hooks.execArgv }),
    ...(hooks.workerPath !== undefined && { workerPath: hooks.workerPath }),
    ...(!inv.quiet && { onEvent: (e) => view.onEvent(e) }),
  });
  view.finish();
  const summary = summarize(inv.config, runs);
  io.stdout.write(renderMarkdown(summary));
  if (inv.json !== undefined) await writeFile(inv.json, `${JSON.stringify(summary, null, 2)}\n`);
  return allPassed(summary) ? 0 : 1;
}
