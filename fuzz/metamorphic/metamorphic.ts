/**
 * metamorphic — harness 5: random operation lists (fast-check, shrinking to a minimal list on failure) run
 * against an in-memory sorted model and against lsmkv under several option sets (./targets.ts); every read must
 * agree with the model, hence every configuration with every other.
 *
 *   npx tsc -p . && node dist/fuzz/metamorphic/metamorphic.js --seed N [--runs N] [--minutes M] [--max-ops N]
 *   node dist/fuzz/metamorphic/metamorphic.js --seed N --path P --max-ops N    (replays a shrunk failure)
 *
 * With --minutes, batches of runs with seeds N, N+1, ... go on until the time is up. Prints the minimal op list,
 * the seed, the path and the replay command of a failure; exits 1 on failure. See docs/CRASH-TESTING.md.
 */

import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { isMain } from '../common/harness-main.js';
import { fmtOp, opsArb, type Op } from './ops.js';
import { runOps } from './run-ops.js';
import { nativeNote, targetConfigs } from './targets.js';

export interface MetamorphicResult {
  ok: boolean;
  runs: number;
  ops: number;
  /** Failure report: minimal op list, error, seed, path and replay command. */
  report: string | undefined;
}

/** Runs `runs` random op lists of up to `maxOps` ops with fast-check's `seed` (and `path` to replay one). */
export async function checkMetamorphic(seed: number, runs: number, maxOps: number, path?: string): Promise<MetamorphicResult> {
  const configs = targetConfigs();
  let opsRun = 0;
  const prop = fc.asyncProperty(opsArb(maxOps), async (ops: Op[]) => {
    opsRun += ops.length;
    await runOps(ops, configs);
  });
  const result = await fc.check(prop, { seed, numRuns: runs, ...(path !== undefined && { path, endOnFailure: true }) });
  if (!result.failed) return { ok: true, runs: result.numRuns, ops: opsRun, report: undefined };
  const minimal = (result.counterexample?.[0] ?? []) as Op[];
  const err = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  const replay = `npx tsc -p . && node dist/fuzz/metamorphic/metamorphic.js --seed ${result.seed} --path ${result.counterexamplePath} --max-ops ${maxOps}`;
  const report = [
    `FAIL metamorphic seed ${result.seed} (shrunk ${result.numShrinks} times, after ${result.numRuns} runs)`,
    `  ${err}`,
    `  minimal op list (${minimal.length} ops):`,
    ...minimal.map((op, i) => `    #${i} ${fmtOp(op)}`),
    `  ops as JSON: ${JSON.stringify(minimal)}`,
    `  replay: ${replay}`,
  ].join('\n');
  return { ok: false, runs: result.numRuns, ops: opsRun, report };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      runs: { type: 'string' },
      minutes: { type: 'string' },
      'max-ops': { type: 'string' },
      path: { type: 'string' },
    },
  });
  const seed = values.seed === undefined ? Date.now() % 1_000_000_000 : Number(values.seed);
  const runs = Number(values.runs ?? 50);
  const maxOps = Number(values['max-ops'] ?? 120);
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  for (const [name, v] of [['seed', seed], ['runs', runs], ['max-ops', maxOps]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`metamorphic: --${name} must be a non-negative integer`);
  }
  const note = nativeNote();
  if (note !== undefined) console.log(`note: ${note}`);
  console.log(`metamorphic: targets ${targetConfigs().map((c) => c.name).join(', ')}`);
  const t0 = Date.now();
  const deadline = minutes === undefined ? 0 : t0 + minutes * 60_000;
  let totalRuns = 0;
  let totalOps = 0;
  let batches = 0;
  for (let s = seed; ; s++) {
    const r = await checkMetamorphic(s, runs, maxOps, values.path);
    totalRuns += r.runs;
    totalOps += r.ops;
    batches++;
    if (!r.ok) {
      console.log(r.report);
      console.log(`${totalRuns - 1} passed, 1 failed`);
      return 1;
    }
    if (values.path !== undefined || Date.now() >= deadline) break;
    console.error(`… seeds ${seed}..${s}: ${totalRuns} runs, ${totalOps} ops, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`metamorphic: seeds ${seed}..${seed + batches - 1}, ${totalRuns} runs (${totalOps} ops) in ${secs} s`);
  console.log(`${totalRuns} passed, 0 failed`);
  return 0;
}

if (isMain(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(2);
    },
  );
}
