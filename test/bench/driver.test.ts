import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BenchConfig, DEFAULT_CONFIG, WORKLOAD_NAMES, type WorkloadName } from '../../bench/db-bench/config.js';
import { Driver, type DriverResult } from '../../bench/db-bench/driver.js';
import { type Faults, MemoryAdapter } from './memory-adapter.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'db-bench-driver-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function config(workloads: readonly WorkloadName[], n = 2000): BenchConfig {
  return { ...DEFAULT_CONFIG, n, workloads: [...workloads], stores: ['lsmkv'], syncWriters: 4 };
}

async function drive(faults: Faults, workloads: readonly WorkloadName[] = WORKLOAD_NAMES): Promise<DriverResult> {
  return new Driver(new MemoryAdapter(faults), config(workloads), dir).run();
}

function status(r: DriverResult): Record<string, boolean> {
  return Object.fromEntries(r.workloads.map((w) => [w.workload, w.ok]));
}

describe('db-bench driver', () => {
  it('passes every workload on a store that does all the work, with counts and bytes of the work done', async () => {
    const r = await drive({});
    expect(r.workloads.map((w) => w.workload)).toEqual([...WORKLOAD_NAMES]);
    for (const w of r.workloads) expect(w, w.error).toMatchObject({ ok: true });
    const byName = Object.fromEntries(r.workloads.map((w) => [w.workload, w]));
    expect(byName['fillrandom']!.ops).toBe(2000);
    expect(byName['fillrandom']!.bytes).toBe(2000 * 116);
    expect(byName['readseq']!.bytes).toBe(2000 * 116);
    expect(byName['deleterandom']!.ops).toBe(1000);
    expect(byName['fillsync']!.ops).toBe(20);
    expect(byName['seekrandom']!.ops).toBe(20);
    expect(r.liveBytesAfterFill).toBe(2000 * 116);
    expect(r.liveBytesAfterClose).toBe(1000 * 116);
  });

  it('measures the event-loop delay a store causes during writes, and only then', async () => {
    const a = new MemoryAdapter();
    const write = a.write.bind(a);
    const block = (ms: number): void => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    a.write = (k, v, c) => {
      block(60);
      write(k, v, c);
    };
    const get = a.get.bind(a);
    a.get = (k) => {
      block(0.05);
      return get(k);
    };
    const r = await new Driver(a, config(['fillrandom', 'readrandom'], 4000), dir).run();
    expect(r.workloads[0]!.eventLoop!.maxMs).toBeGreaterThan(50);
    expect(r.workloads[1]!.eventLoop).toBeUndefined();
    expect(r.eventLoopWrites!.maxMs).toBe(r.workloads[0]!.eventLoop!.maxMs);
  });

  it('marks the fill FAILED when a store drops writes, and the reads that depend on it', async () => {
    const s = status(await drive({ dropWriteEvery: 97 }, ['fillrandom', 'readrandom', 'readseq']));
    expect(s).toEqual({ fillrandom: false, readrandom: false, readseq: false });
  });

  it('catches a store that drops only single puts or sync puts', async () => {
    const s = status(await drive({ dropWriteEvery: 500 }, ['fillrandom-single', 'fillsync-concurrent']));
    expect(s).toEqual({ 'fillrandom-single': false, 'fillsync-concurrent': true });
    const t = status(await drive({ dropWriteEvery: 7 }, ['fillsync', 'fillsync-concurrent']));
    expect(t).toEqual({ fillsync: false, 'fillsync-concurrent': false });
  });

  it('catches wrong values, phantom reads, short scans, short seeks and ignored deletes', async () => {
    expect(status(await drive({ truncateValues: 99 }, ['fillrandom', 'readrandom']))).toEqual({ fillrandom: true, readrandom: false });
    expect(status(await drive({ staleReads: true }, ['fillrandom', 'readrandom']))).toEqual({ fillrandom: true, readrandom: false });
    expect(status(await drive({ scanShiftedValues: true }, ['readseq']))).toEqual({ readseq: false });
    expect(status(await drive({ phantomReads: true }, ['fillrandom', 'readmissing']))).toEqual({ fillrandom: true, readmissing: false });
    expect(status(await drive({ skipScanEvery: 1000 }, ['readseq', 'readreverse']))).toEqual({ readseq: false, readreverse: false });
    expect(status(await drive({ seekCap: 99 }, ['seekrandom']))).toEqual({ seekrandom: false });
    expect(status(await drive({ ignoreDeletes: true }, ['deleterandom']))).toEqual({ deleterandom: false });
  });

  it('fills the main database untimed when fillrandom is not selected', async () => {
    const r = await drive({}, ['readrandom']);
    expect(status(r)).toEqual({ readrandom: true });
    expect(r.workloads[0]!.ops).toBe(2000);
  });

  it('keeps the main database across reopen', async () => {
    const a = new MemoryAdapter();
    const r = await new Driver(a, config(['fillrandom', 'reopen', 'readseq']), dir).run();
    expect(status(r)).toEqual({ fillrandom: true, reopen: true, readseq: true });
    expect(a.opens).toBe(2);
  });

  it('reports a thrown error as FAILED with its message and goes on', async () => {
    const a = new MemoryAdapter();
    a.get = () => {
      throw new Error('boom');
    };
    const r = await new Driver(a, config(['readrandom', 'readseq']), dir).run();
    expect(r.workloads[0]).toMatchObject({ workload: 'readrandom', ok: false, error: 'boom' });
    expect(r.workloads[1]).toMatchObject({ workload: 'readseq', ok: true });
  });
});
