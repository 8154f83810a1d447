/**
 * End to end: the real harness, real child processes, real stores, tiny N (runs in seconds in CI).
 * Children run the TypeScript worker through ts-register.mjs, so no build is needed.
 */

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type BenchConfig, DEFAULT_CONFIG, PEER_NAMES, WORKLOAD_NAMES } from '../../bench/db-bench/config.js';
import type { BenchEvent } from '../../bench/db-bench/messages.js';
import { allPassed, renderMarkdown, summarize } from '../../bench/db-bench/report.js';
import { runBench } from '../../bench/db-bench/run.js';
import { benchCommand } from '../../src/cli/commands/bench.js';
import { captureIO } from '../cli/capture-io.js';

const child = {
  workerPath: fileURLToPath(new URL('../../bench/db-bench/worker.ts', import.meta.url)),
  execArgv: ['--import', fileURLToPath(new URL('./ts-register.mjs', import.meta.url))],
};

function tiny(stores: BenchConfig['stores']): BenchConfig {
  return { ...DEFAULT_CONFIG, n: 2000, stores, workloads: [...WORKLOAD_NAMES], syncWriters: 8, cacheSize: 8 << 20, writeBufferSize: 4 << 20 };
}

describe('db-bench end to end (N = 2000)', () => {
  it('runs every workload on every peer in its own process and verifies it', async () => {
    const events: BenchEvent[] = [];
    const config = tiny([...PEER_NAMES]);
    const runs = await runBench(config, { ...child, onEvent: (e) => events.push(e) });
    const summary = summarize(config, runs);
    for (const r of runs) expect(r.fatal).toBeUndefined();
    for (const s of summary.stores) {
      for (const [w, c] of Object.entries(s.cells)) expect(c, `${s.store} ${w}: ${c?.error}`).toMatchObject({ failed: false });
      expect(s.peakRssBytes).toBeGreaterThan(10 << 20);
      expect(s.diskAfterFill).toBeGreaterThan(0);
      expect(s.diskAfterClose).toBeGreaterThan(0);
    }
    expect(allPassed(summary)).toBe(true);
    expect(events.filter((e) => e.kind === 'workload')).toHaveLength(3 * WORKLOAD_NAMES.length);
    expect(events.some((e) => e.kind === 'progress')).toBe(true);
    const md = renderMarkdown(summary);
    for (const name of PEER_NAMES) expect(md).toContain(name);
  });

  it('reports a store that cannot start as FAILED without hiding the others', async () => {
    const config = { ...tiny(['lmdb']), workloads: ['fillrandom' as const, 'readrandom' as const] };
    const runs = await runBench(config, { ...child, workerPath: fileURLToPath(new URL('./no-such-worker.ts', import.meta.url)) });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.fatal).toMatch(/exited with code/);
    expect(allPassed(summarize(config, runs))).toBe(false);
  });

  it('lsmkv bench runs lsmkv through the public API and prints the table', async () => {
    const io = captureIO();
    const code = await benchCommand(['--n', '2000', '--workloads', WORKLOAD_NAMES.join(',')], io, false, child);
    expect(io.out, io.out).not.toContain('FAILED');
    expect(code).toBe(0);
    expect(io.out).toMatch(/\| fillrandom +\| +[\d,]+ ops\/s/);
    expect(io.out).toContain('lsmkv: write amplification');
    expect(io.err).toContain('[1/1 lsmkv] readseq:');
  });
});
