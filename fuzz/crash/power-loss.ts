/**
 * power-loss — crash harness 2: simulated power loss on FaultInjectionVfs, in process (background work runs
 * inline on the same file system). Each cycle opens the database, checks it against the oracle, writes random
 * batches (synchronous and group-commit API, sync and non-sync, flushes and compactRange now and then) and loses
 * power at a chosen point: before the N-th file system call (so inside a write, a WAL rotation, a flush, a
 * compaction or a MANIFEST/CURRENT switch), before the k-th call of one kind (sync, syncDir, rename, remove,
 * open, append), or between calls. What survives varies: unsynced bytes dropped, kept, or a random prefix of them;
 * directory changes since the last syncDir dropped, kept, or each one at random. A quarter of the reopens also
 * lose power during open() itself, so recovery must be restartable. The check after each (successful) reopen:
 * every write acknowledged with sync, and all before it, is present, and the contents are a prefix of the issued
 * writes (../common/oracle.ts).
 *
 *   npx tsc -p . && node dist/fuzz/crash/power-loss.js --seed N --cycles N --seconds N [--verbose]
 *
 * Deterministic: a seed and a cycle count replay exactly (nothing waits on wall-clock time: async writers never
 * reach the timer-based L0 slowdown; cycles that keep the small L0 stop triggers write through the synchronous
 * API only).
 */

import { createHash } from 'node:crypto';

import { FaultInjectionVfs, isLsmkvError, open, type Db } from '../../src/index.js';
import type { HarnessArgs } from '../common/args.js';
import { randomEngineOptions } from '../common/engine-options.js';
import { HarnessFailure, harnessMain, isMain, withinBudget, type RunSummary } from '../common/harness-main.js';
import { Oracle } from '../common/oracle.js';
import { Prng, cycleSeed } from '../common/prng.js';
import { randomShape } from '../common/workload.js';
import { CrashingVfs, type CrashOptions, type MutatingCall } from './crashing-vfs.js';
import { WriteLoop, settle, type WriteLoopHooks } from './write-loop.js';

const HARNESS = 'power-loss';
const DIR = '/db';
/** Steps of a cycle with no crash armed to stop it; then power is lost between calls. */
const MAX_STEPS = 400;
/** Reopens per cycle that may lose power during open() before one is allowed to finish. */
const MAX_OPEN_CRASHES = 3;

function randomCrashOptions(prng: Prng): CrashOptions {
  return {
    unsynced: prng.pick(['drop', 'drop', 'random-prefix', 'random-prefix', 'keep'] as const),
    dirEntries: prng.pick(['drop', 'drop', 'random', 'random', 'keep'] as const),
  };
}

function describeCrash(o: CrashOptions): string {
  return `unsynced ${o?.unsynced}, dirEntries ${o?.dirEntries}`;
}

const ARM_KINDS: readonly MutatingCall[] = ['sync', 'syncDir', 'rename', 'remove', 'openWritable', 'append'];

/** Counters the harness reports. */
interface Counters extends RunSummary {
  cycles: number;
  crashPoints: number;
  crashesInOpen: number;
  crashesInWrites: number;
  crashesBetweenCalls: number;
  acknowledgedOps: number;
  syncedAckedOps: number;
  checks: number;
  /** 32 bits of a SHA-256 over the names and bytes of the files the run left (LOCK aside: it holds the pid). */
  filesDigest: number;
}

/** Write-loop hooks: before the crash no error is expected at all, after it only LsmkvErrors. */
class CrashExpectations implements WriteLoopHooks<void> {
  /** The first error that a crash does not explain. */
  unexpected: string | undefined;

  constructor(private readonly cv: CrashingVfs) {}

  beforeWrite(): void {}

  onAck(): void {}

  onError(e: unknown, what: string): void {
    if (this.unexpected !== undefined) return;
    if (!this.cv.crashed) this.unexpected = `${what} failed before any crash: ${(e as Error).stack ?? String(e)}`;
    else if (!isLsmkvError(e)) this.unexpected = `${what} failed after the crash with a non-LsmkvError: ${(e as Error).stack ?? String(e)}`;
  }

  done(): boolean {
    return this.cv.crashed || this.unexpected !== undefined;
  }
}

/** Opens the database on `vfs`, losing power during open() up to MAX_OPEN_CRASHES times. */
async function openWithCrashes(
  vfs: FaultInjectionVfs,
  prng: Prng,
  options: object,
  counters: Counters,
  fail: (detail: string) => HarnessFailure,
  notes: string[],
): Promise<{ db: Db; cv: CrashingVfs }> {
  for (let attempt = 0; ; attempt++) {
    const cv = new CrashingVfs(vfs);
    const crashInOpen = attempt < MAX_OPEN_CRASHES && prng.chance(0.25);
    const crash = randomCrashOptions(prng);
    if (crashInOpen) cv.armAfter(prng.skewed(1, 80), crash);
    let db: Db | undefined;
    try {
      db = await open(DIR, { ...options, vfs: cv });
    } catch (e) {
      if (!cv.crashed) throw fail(`open() failed without a crash: ${(e as Error).stack ?? String(e)}\n  ${notes.join('\n  ')}`);
      if (!isLsmkvError(e)) throw fail(`open() failed after a crash with a non-LsmkvError: ${(e as Error).stack ?? String(e)}`);
    }
    if (!cv.crashed) return { db: db!, cv };
    // Power lost during recovery (or right after it, in a best-effort removal open() does not report).
    notes.push(`crash in open() ${cv.crashedAt} (${describeCrash(crash)})`);
    counters.crashesInOpen++;
    counters.crashPoints++;
    vfs = cv.survivor;
  }
}

export async function run(args: HarnessArgs, log: (line: string) => void): Promise<RunSummary> {
  const runPrng = new Prng(args.seed);
  const numLevels = runPrng.pick([3, 7]);
  const shape = randomShape(runPrng);
  const oracle = new Oracle();
  let vfs = new FaultInjectionVfs({ seed: runPrng.uint32() });
  const counters: Counters = {
    cycles: 0,
    crashPoints: 0,
    crashesInOpen: 0,
    crashesInWrites: 0,
    crashesBetweenCalls: 0,
    acknowledgedOps: 0,
    syncedAckedOps: 0,
    checks: 0,
    filesDigest: 0,
  };
  const started = Date.now();
  let notes: string[] = [];
  for (let cycle = 0; withinBudget(args, cycle, started); cycle++) {
    const prng = new Prng(cycleSeed(args.seed, cycle));
    const syncOnly = prng.chance(0.2);
    const options = randomEngineOptions(prng, numLevels, !syncOnly);
    const fail = (detail: string): HarnessFailure =>
      new HarnessFailure(HARNESS, args.seed, cycle, `${detail}\n  options ${JSON.stringify(options)}${syncOnly ? ' (sync API only)' : ''}`);
    const { db, cv } = await openWithCrashes(vfs, prng, options, counters, fail, notes);
    let result;
    try {
      result = oracle.check(db, 'power-loss');
    } catch (e) {
      result = { ok: false as const, message: `reading the reopened database threw: ${(e as Error).stack ?? String(e)}` };
    }
    if (!result.ok) throw fail(`${result.message}\n  crashes since the last check: ${notes.join('; ')}`);
    counters.checks++;
    if (args.verbose) {
      log(`cycle ${cycle}: ${notes.join('; ')} -> prefix ${result.prefix} of ${oracle.nextOp} ops (${oracle.mustSurvive('power-loss')} required)`);
    }
    oracle.commit(result.prefix);
    notes = [];

    const crash = randomCrashOptions(prng);
    const mode = prng.below(10);
    if (mode < 6) cv.armAfter(prng.skewed(1, 3000), crash);
    else if (mode < 9) cv.armAfter(prng.range(1, 5), crash, prng.pick(ARM_KINDS));
    const c = new CrashExpectations(cv);
    await new WriteLoop(db, oracle, prng, shape, syncOnly, c).run(MAX_STEPS);
    if (c.unexpected !== undefined) throw fail(c.unexpected);
    if (cv.crashed) counters.crashesInWrites++;
    else {
      cv.crashNow(crash);
      counters.crashesBetweenCalls++;
    }
    // Let what the dead database still has queued fail now, so that no late acknowledgement is missed.
    await settle();
    if (c.unexpected !== undefined) throw fail(c.unexpected);
    counters.crashPoints++;
    counters.acknowledgedOps += oracle.ackedOps;
    counters.syncedAckedOps += oracle.mustSurvive('power-loss') - oracle.nextOp + oracle.pendingOps;
    notes.push(`crash ${cv.crashedAt} after ${cv.calls} calls (${describeCrash(crash)})`);
    vfs = cv.survivor;
    counters.cycles++;
  }
  counters.filesDigest = filesDigest(vfs, DIR);
  return counters;
}

/** See Counters.filesDigest: two runs from one seed must leave the same bytes, whatever the wall clock said. */
function filesDigest(vfs: FaultInjectionVfs, dir: string): number {
  const hash = createHash('sha256');
  for (const name of vfs.list(dir).sort()) {
    if (name === 'LOCK') continue;
    hash.update(`${name}\0`);
    hash.update(vfs.readRaw(`${dir}/${name}`));
  }
  return hash.digest().readUInt32BE(0);
}

if (isMain(import.meta.url)) await harnessMain(HARNESS, { cycles: 200 }, run);
