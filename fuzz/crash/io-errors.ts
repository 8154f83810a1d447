/**
 * io-errors — crash harness 3: injected I/O errors (EIO, ENOSPC) on FaultInjectionVfs, in process. Each cycle
 * opens the database (a quarter of the time with a fault armed inside open(): it must fail with IO_ERROR and a
 * clean retry must work), checks it against the oracle, arms one fault rule (append, sync, syncDir, rename,
 * openWritable or remove; on all files or only WAL / table / MANIFEST / CURRENT files; after a random number of
 * matching calls; once or for good) and writes until the database has refused writes for a while. Checked:
 *   - every failed call throws an LsmkvError: IO_ERROR for the failure itself, READ_ONLY (whose cause is the
 *     original IO_ERROR) for writes after it; any other error, or a write acknowledged once stats().readOnly is
 *     set, fails the run;
 *   - after a failed write the database is read-only; a failed flush or compaction (background) too;
 *   - reads keep working: the live database is checked against the oracle (every acknowledged write present,
 *     contents a prefix of the issued writes) while the fault rule is still armed;
 *   - nothing acknowledged is lost: the process dies (kill(), after close() half of the time) or the power fails
 *     (crash()), the database is reopened without faults and checked again.
 *
 *   npx tsc -p . && node dist/fuzz/crash/io-errors.js --seed N --cycles N --seconds N [--verbose]
 *
 * Deterministic like the power-loss harness: a seed and a cycle count replay exactly.
 */

import { ErrorCode, FaultInjectionVfs, isLsmkvError, open, type Db } from '../../src/index.js';
import type { FaultRule } from '../../src/vfs/fault-injection-vfs.js';
import type { HarnessArgs } from '../common/args.js';
import { randomEngineOptions } from '../common/engine-options.js';
import { HarnessFailure, harnessMain, isMain, withinBudget, type RunSummary } from '../common/harness-main.js';
import { Oracle, type Durability } from '../common/oracle.js';
import { Prng, cycleSeed } from '../common/prng.js';
import { randomShape } from '../common/workload.js';
import { WriteLoop, settle, type WriteLoopHooks } from './write-loop.js';

const HARNESS = 'io-errors';
const DIR = '/db';
const MAX_STEPS = 300;
/** Steps run after the database turned read-only, all of whose writes must be refused. */
const STEPS_AFTER_FAILURE = 8;

type FaultOp = FaultRule['op'];
const WRITE_OPS: readonly FaultOp[] = ['append', 'sync', 'syncDir', 'rename', 'openWritable', 'remove'];
const PATHS: ReadonlyArray<RegExp | undefined> = [undefined, undefined, /\.log$/, /\.sst$/, /MANIFEST-/, /CURRENT|\.dbtmp$/];

function randomRule(prng: Prng, maxAfter: number): FaultRule {
  const rule: FaultRule = {
    op: prng.pick(WRITE_OPS),
    code: prng.pick(['EIO', 'ENOSPC'] as const),
    after: prng.skewed(1, maxAfter) - 1,
    times: prng.chance(0.7) ? 1 : 1_000_000,
  };
  const path = prng.pick(PATHS);
  if (path !== undefined) rule.path = path;
  return rule;
}

function describeRule(r: FaultRule): string {
  return `${r.code} on ${r.op}${r.path === undefined ? '' : ` of ${String(r.path)}`} after ${r.after} calls, ${r.times === 1 ? 'once' : 'for good'}`;
}

const errorText = (e: unknown): string => (e as Error).stack ?? String(e);

interface Counters extends RunSummary {
  cycles: number;
  faultsArmed: number;
  writeFailures: number;
  backgroundFailures: number;
  refusedWrites: number;
  openFailures: number;
  liveChecks: number;
  reopenChecks: number;
  acknowledgedOps: number;
}

/** The write-loop hooks that hold the error contract. The token says whether the db was read-only at the call. */
class ErrorContract implements WriteLoopHooks<boolean> {
  violation: string | undefined;
  /** First failed write call, if any. */
  firstFailure: string | undefined;
  stepsSinceReadOnly = 0;

  constructor(
    private readonly db: Db,
    private readonly counters: Counters,
  ) {}

  get readOnly(): boolean {
    return this.db.stats().readOnly !== undefined;
  }

  beforeWrite(): boolean {
    if (this.readOnly) this.stepsSinceReadOnly++;
    return this.readOnly;
  }

  onAck(wasReadOnly: boolean): void {
    if (wasReadOnly) this.violate(`a write was acknowledged after the database turned read-only (${this.db.stats().readOnly})`);
  }

  onError(e: unknown, what: string, wasReadOnly: boolean): void {
    if (!isLsmkvError(e) || (e.code !== ErrorCode.IO_ERROR && e.code !== ErrorCode.READ_ONLY)) {
      return this.violate(`${what} failed with something other than IO_ERROR or READ_ONLY: ${errorText(e)}`);
    }
    if (wasReadOnly && e.code !== ErrorCode.READ_ONLY && what !== 'flush()' && what !== 'compactRange()') {
      return this.violate(`${what} on a read-only database failed with ${e.code}, not READ_ONLY: ${errorText(e)}`);
    }
    if (e.code === ErrorCode.READ_ONLY && !isLsmkvError(e.cause, ErrorCode.IO_ERROR)) {
      return this.violate(`READ_ONLY does not carry the original IO_ERROR as its cause: ${errorText(e)}`);
    }
    if (!this.readOnly) return this.violate(`${what} failed (${e.message}) but the database still accepts writes`);
    if (e.code === ErrorCode.READ_ONLY) this.counters.refusedWrites++;
    else if (this.firstFailure === undefined) {
      this.firstFailure = `${what}: ${e.message}`;
      this.counters.writeFailures++;
    }
  }

  done(): boolean {
    return this.violation !== undefined || this.stepsSinceReadOnly > STEPS_AFTER_FAILURE;
  }

  private violate(message: string): void {
    this.violation ??= message;
  }
}

/** Opens the database, first with a fault armed inside open() when `rule` is given (it must fail cleanly). */
async function openDb(vfs: FaultInjectionVfs, options: object, rule: FaultRule | undefined, fail: (d: string) => HarnessFailure, counters: Counters): Promise<{ db: Db; vfs: FaultInjectionVfs }> {
  if (rule !== undefined) {
    vfs.injectError(rule);
    try {
      const db = await open(DIR, { ...options, vfs });
      vfs.clearErrors();
      // The fault hit a best-effort step (or nothing): the database must work normally.
      return { db, vfs };
    } catch (e) {
      if (!isLsmkvError(e, ErrorCode.IO_ERROR)) throw fail(`open() with ${describeRule(rule)} failed without IO_ERROR: ${errorText(e)}`);
      counters.openFailures++;
    }
    // A failed open leaves the process as it was; restart it to be sure nothing in memory helps the retry.
    vfs = vfs.kill();
  }
  try {
    return { db: await open(DIR, { ...options, vfs }), vfs };
  } catch (e) {
    throw fail(`open() without faults failed: ${errorText(e)}`);
  }
}

function check(oracle: Oracle, db: Db, d: Durability, what: string, fail: (d: string) => HarnessFailure): number {
  let result;
  try {
    result = oracle.check(db, d);
  } catch (e) {
    throw fail(`${what}: reading threw: ${errorText(e)}`);
  }
  if (!result.ok) throw fail(`${what}: ${result.message}`);
  return result.prefix;
}

export async function run(args: HarnessArgs, log: (line: string) => void): Promise<RunSummary> {
  const runPrng = new Prng(args.seed);
  const numLevels = runPrng.pick([3, 7]);
  const shape = randomShape(runPrng);
  const oracle = new Oracle();
  let vfs = new FaultInjectionVfs({ seed: runPrng.uint32() });
  let durability: Durability = 'process-kill';
  let lastEnd = 'a new database';
  const counters: Counters = {
    cycles: 0,
    faultsArmed: 0,
    writeFailures: 0,
    backgroundFailures: 0,
    refusedWrites: 0,
    openFailures: 0,
    liveChecks: 0,
    reopenChecks: 0,
    acknowledgedOps: 0,
  };
  const started = Date.now();
  for (let cycle = 0; withinBudget(args, cycle, started); cycle++) {
    const prng = new Prng(cycleSeed(args.seed, cycle));
    const syncOnly = prng.chance(0.2);
    const options = randomEngineOptions(prng, numLevels, !syncOnly);
    const openRule = prng.chance(0.25) ? randomRule(prng, 20) : undefined;
    const rule = randomRule(prng, prng.pick([20, 200, 2000]));
    let stage = `reopen after ${lastEnd}`;
    const fail = (detail: string): HarnessFailure =>
      new HarnessFailure(HARNESS, args.seed, cycle, `${stage}: ${detail}\n  fault: ${describeRule(rule)}; options ${JSON.stringify(options)}`);

    const opened = await openDb(vfs, options, openRule, fail, counters);
    vfs = opened.vfs;
    const db = opened.db;
    const prefix = check(oracle, db, durability, 'the reopened database', fail);
    counters.reopenChecks++;
    oracle.commit(prefix);

    stage = 'writing';
    vfs.injectError(rule);
    counters.faultsArmed++;
    const contract = new ErrorContract(db, counters);
    await new WriteLoop(db, oracle, prng, shape, syncOnly, contract).run(MAX_STEPS);
    await settle();
    if (contract.violation !== undefined) throw fail(contract.violation);
    const readOnly = db.stats().readOnly;
    if (readOnly !== undefined && contract.firstFailure === undefined) counters.backgroundFailures++;

    stage = 'reading the live database after the fault';
    check(oracle, db, 'process-kill', 'live reads', fail);
    counters.liveChecks++;
    counters.acknowledgedOps += oracle.ackedOps;

    stage = 'shutting down';
    const end = prng.below(3);
    if (end === 0) {
      try {
        await db.close();
      } catch (e) {
        if (readOnly !== undefined) throw fail(`close() of a read-only database threw: ${errorText(e)}`);
        if (!isLsmkvError(e, ErrorCode.IO_ERROR)) throw fail(`close() failed without IO_ERROR: ${errorText(e)}`);
      }
    }
    if (end < 2) {
      vfs = vfs.kill();
      durability = 'process-kill';
      lastEnd = end === 0 ? 'close() and a process kill' : 'a process kill';
    } else {
      vfs = vfs.crash({ unsynced: prng.pick(['drop', 'random-prefix'] as const), dirEntries: prng.pick(['drop', 'random'] as const) });
      durability = 'power-loss';
      lastEnd = 'a power loss';
    }
    vfs.clearErrors();
    if (args.verbose) {
      log(
        `cycle ${cycle}: ${describeRule(rule)}${openRule ? `; in open(): ${describeRule(openRule)}` : ''} -> ` +
          `${readOnly === undefined ? 'still writable' : `read-only (${contract.firstFailure ?? 'background'})`}; ${lastEnd}`,
      );
    }
    counters.cycles++;
  }
  return counters;
}

if (isMain(import.meta.url)) await harnessMain(HARNESS, { cycles: 200 }, run);
