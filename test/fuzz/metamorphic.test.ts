/**
 * Short fixed-seed runs of the metamorphic harness (fuzz/metamorphic/): random operation lists against a sorted
 * model and lsmkv under several option sets (tiny/default sizes, snappy/none, bloom on/off, restart interval
 * 1/4/16, native/TypeScript codec, FaultInjectionVfs and a real directory with the worker thread). Also checks
 * the harness itself: its model's iterator semantics, and that a database that drifted from the model is caught.
 * Long runs and their figures: docs/CRASH-TESTING.md.
 */
import { describe, expect, it } from 'vitest';
import { checkMetamorphic } from '../../fuzz/metamorphic/metamorphic.js';
import type { Op } from '../../fuzz/metamorphic/ops.js';
import { MetamorphicMismatch, OpsRun } from '../../fuzz/metamorphic/run-ops.js';
import { SortedModel } from '../../fuzz/metamorphic/sorted-model.js';
import { targetConfigs, type Target } from '../../fuzz/metamorphic/targets.js';

describe('metamorphic harness', () => {
  it('every option set agrees with the model on random operation lists (fixed seed)', async () => {
    const r = await checkMetamorphic(20240601, 14, 60);
    expect(r.report).toBeUndefined();
    expect(r.runs).toBe(14);
    expect(r.ops).toBeGreaterThan(14 * 15);
  });

  it("the model's iterator follows DbIterator: gte over gt, lte over lt, seek within the direction, limit last", () => {
    const m = new SortedModel();
    for (const k of ['00', '61', '6100', '62', 'ff']) m.put(k, Buffer.from(k));
    const keys = (spec: Parameters<SortedModel['range']>[0]): string[] => m.range(spec).map(([k]) => k);
    expect(keys({ reverse: false, fields: 'both' })).toEqual(['00', '61', '6100', '62', 'ff']);
    expect(keys({ gt: '00', gte: '62', reverse: false, fields: 'both' })).toEqual(['62', 'ff']);
    expect(keys({ lt: '62', lte: '00', reverse: true, fields: 'both' })).toEqual(['00']);
    expect(keys({ gt: '61', lt: 'ff', reverse: true, fields: 'both' })).toEqual(['62', '6100']);
    expect(keys({ seek: '6101', reverse: false, limit: 2, fields: 'both' })).toEqual(['62', 'ff']);
    expect(keys({ seek: '6101', reverse: true, fields: 'both' })).toEqual(['6100', '61', '00']);
  });

  it('catches a database that holds something the model does not', async () => {
    const configs = targetConfigs().filter((c) => c.fs === 'fault-injection');
    const run = await OpsRun.start(configs);
    try {
      const ops: Op[] = [{ t: 'put', k: '61', v: { len: 3, fill: 1 } }, { t: 'flush' }];
      for (let i = 0; i < ops.length; i++) await run.apply(ops[i]!, i);
      const targets = (run as unknown as { targets: Target[] }).targets;
      targets[1]!.db.put(Buffer.from('62', 'hex'), Buffer.from('stray'));
      await expect(run.apply({ t: 'get', k: '62' }, 2)).rejects.toThrow(MetamorphicMismatch);
      await expect(run.finalCheck()).rejects.toThrow(/full scan: 2 entries, want 1/);
    } finally {
      await run.dispose();
    }
  });
});
