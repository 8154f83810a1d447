import { describe, expect, it } from 'vitest';
import { type BenchConfig, DEFAULT_CONFIG, type StoreName } from '../../bench/db-bench/config.js';
import type { WorkloadResult } from '../../bench/db-bench/driver.js';
import type { StoreRun } from '../../bench/db-bench/messages.js';
import { allPassed, median, renderMarkdown, summarize, type Machine } from '../../bench/db-bench/report.js';
import { rotate } from '../../bench/db-bench/run.js';

const machine: Machine = { cpus: 2, cpuModel: 'Test CPU', memoryBytes: 2 ** 30, node: 'v20', platform: 'linux-x64' };
const config: BenchConfig = { ...DEFAULT_CONFIG, stores: ['lsmkv', 'rocksdb', 'lmdb'], workloads: ['fillrandom', 'readrandom'], rounds: 3 };

function wl(workload: 'fillrandom' | 'readrandom', opsPerSec: number, ok = true): WorkloadResult {
  return { workload, ok, ops: 1000, seconds: 1000 / opsPerSec, bytes: 116_000, opsPerSec, mbPerSec: 116_000 / 1048576 / (1000 / opsPerSec), ...(ok ? {} : { error: 'verification: lost' }) };
}

function run(store: StoreName, round: number, fill: number, read: number, readOk = true): StoreRun {
  return { store, round, workloads: [wl('fillrandom', fill), wl('readrandom', read, readOk)], peakRssBytes: 100 << 20, diskAfterFill: 200, liveBytesAfterFill: 100 };
}

describe('db-bench report', () => {
  it('takes medians over rounds and the ratio of lsmkv to the best peer', () => {
    const runs = [
      run('lsmkv', 0, 100, 900), run('lsmkv', 1, 300, 1000), run('lsmkv', 2, 200, 800),
      run('rocksdb', 0, 400, 100), run('rocksdb', 1, 400, 100), run('rocksdb', 2, 400, 100),
      run('lmdb', 0, 50, 2000), run('lmdb', 1, 60, 2000), run('lmdb', 2, 70, 2000),
    ];
    const s = summarize(config, runs, machine);
    expect(s.stores[0]!.cells.fillrandom!.opsPerSec).toBe(200);
    expect(s.stores[0]!.cells.readrandom!.opsPerSec).toBe(900);
    expect(s.ratios.fillrandom).toEqual({ ratio: 0.5, bestPeer: 'rocksdb' });
    expect(s.ratios.readrandom).toEqual({ ratio: 0.45, bestPeer: 'lmdb' });
    expect(s.stores[0]!.spaceAmpAfterFill).toBe(2);
    expect(allPassed(s)).toBe(true);
    const md = renderMarkdown(s);
    expect(md).toContain('| workload ');
    expect(md).toContain('0.50× (rocksdb)');
    expect(md).not.toContain('FAILED');
  });

  it('marks a cell FAILED if any round failed, leaves it out of the ratio, and lists the error', () => {
    const runs = [run('lsmkv', 0, 100, 900), run('lsmkv', 1, 100, 900, false), run('lmdb', 0, 50, 2000)];
    const s = summarize({ ...config, stores: ['lsmkv', 'lmdb'] }, runs, machine);
    expect(s.stores[0]!.cells.readrandom!.failed).toBe(true);
    expect(s.ratios.readrandom).toBeUndefined();
    expect(allPassed(s)).toBe(false);
    const md = renderMarkdown(s);
    expect(md).toMatch(/\| readrandom +\| +FAILED \|/);
    expect(md).toContain('- lsmkv readrandom: verification: lost');
  });

  it('counts every workload of a store whose process died as FAILED', () => {
    const runs: StoreRun[] = [{ store: 'lmdb', round: 0, workloads: [], fatal: 'worker killed by SIGKILL' }];
    const s = summarize({ ...config, stores: ['lmdb'], rounds: 1 }, runs, machine);
    expect(s.stores[0]!.cells.fillrandom).toMatchObject({ failed: true, error: 'worker killed by SIGKILL' });
  });

  it('median and store rotation', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(rotate(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
    expect(rotate(['a', 'b', 'c'], 4)).toEqual(['b', 'c', 'a']);
  });
});
