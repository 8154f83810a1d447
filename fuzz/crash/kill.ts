/**
 * kill — crash harness 1: real process death. A child process (./kill-child.ts, compiled JS) writes random batches
 * to a database on the node file system with tiny memtables and tables, so flushes and compactions run all the
 * time, and reports every batch it issues and every acknowledgement. This process SIGKILLs it at a random moment
 * (a random delay; after N acknowledgements; right after a flush or compaction starts; during startup and
 * recovery), reopens the database and checks it with the oracle: every acknowledged write is present (a process
 * kill keeps non-synced writes too: they were in the OS), and the contents are a prefix of the issued writes.
 * Then the next cycle runs a new child on the same directory.
 *
 *   npx tsc -p . && node dist/fuzz/crash/kill.js --seed N --cycles N --seconds N [--verbose]
 *
 * The seed fixes the workload and the kill policies; where the kill lands depends on timing, so a replay runs
 * the same schedule but may kill elsewhere. On failure the directory is kept and its path printed.
 */

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open, type Options } from '../../src/index.js';
import type { HarnessArgs } from '../common/args.js';
import { HarnessFailure, harnessMain, isMain, withinBudget, type RunSummary } from '../common/harness-main.js';
import { randomEngineOptions } from '../common/engine-options.js';
import { Oracle } from '../common/oracle.js';
import { Prng, cycleSeed } from '../common/prng.js';
import { decodeBatch } from '../common/workload.js';

const HARNESS = 'kill';
/** A child that reaches no trigger is killed this long after it opened the database. */
const FALLBACK_KILL_MS = 1000;

/** The compiled child script (the parent may run from src via vitest or from dist). */
export function childScript(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('kill: package.json not found above the harness');
    dir = up;
  }
  return join(dir, 'dist', 'fuzz', 'crash', 'kill-child.js');
}

type KillPolicy =
  | { kind: 'startup'; ms: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'acks'; acks: number; ms: number }
  | { kind: 'background'; marker: number; ms: number };

function describePolicy(p: KillPolicy): string {
  switch (p.kind) {
    case 'startup':
      return `${p.ms} ms after spawn`;
    case 'delay':
      return `${p.ms} ms after open`;
    case 'acks':
      return `${p.ms} ms after ${p.acks} acks`;
    case 'background':
      return `${p.ms} ms after background job start #${p.marker}`;
  }
}

function randomPolicy(prng: Prng): KillPolicy {
  const r = prng.below(100);
  if (r < 10) return { kind: 'startup', ms: prng.range(20, 250) };
  if (r < 40) return { kind: 'delay', ms: prng.skewed(1, 600) };
  if (r < 65) return { kind: 'acks', acks: prng.skewed(1, 5000), ms: prng.below(3) };
  return { kind: 'background', marker: prng.range(1, 4), ms: prng.below(4) };
}

interface ChildOutcome {
  killed: boolean;
  /** What killed it: the policy's trigger or the fallback timer. */
  trigger: 'policy' | 'fallback' | 'protocol';
  exit: string;
  stderr: string;
  batches: number;
  acks: number;
  markers: number;
  protocolError: string | undefined;
}

/** Runs one child on `dir`, feeding the oracle, and kills it as `policy` says. */
function runChild(
  dir: string,
  seed: number,
  oracle: Oracle,
  options: Partial<Options>,
  policy: KillPolicy,
): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [childScript(), dir, String(seed), String(oracle.nextOp), JSON.stringify(options)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const out: ChildOutcome = { killed: false, trigger: 'policy', exit: '', stderr: '', batches: 0, acks: 0, markers: 0, protocolError: undefined };
    const timers: NodeJS.Timeout[] = [];
    let killRequested = false;
    const kill = (trigger: ChildOutcome['trigger'] = 'policy'): void => {
      if (killRequested) return;
      out.trigger = trigger;
      killRequested = true;
      child.kill('SIGKILL');
    };
    const killAfter = (ms: number): void => {
      if (ms === 0) kill();
      else timers.push(setTimeout(() => kill(), ms));
    };
    if (policy.kind === 'startup') killAfter(policy.ms);
    let pending = '';
    const onLine = (line: string): void => {
      const sp = line.indexOf(' ');
      const tag = sp < 0 ? line : line.slice(0, sp);
      if (tag === 'b') {
        const sp2 = line.indexOf(' ', 2);
        const first = Number(line.slice(2, sp2));
        if (first !== oracle.nextOp) throw new Error(`batch line for op ${first}, expected op ${oracle.nextOp}`);
        oracle.issue(decodeBatch(line.slice(sp2 + 1)));
        out.batches++;
      } else if (tag === 'a') {
        oracle.acknowledge(Number(line.slice(2)));
        out.acks++;
        if (policy.kind === 'acks' && out.acks === policy.acks) killAfter(policy.ms);
      } else if (tag === 'm') {
        out.markers++;
        if (policy.kind === 'background' && out.markers === policy.marker) killAfter(policy.ms);
      } else if (tag === 'r') {
        if (policy.kind === 'delay') killAfter(policy.ms);
        timers.push(setTimeout(() => kill('fallback'), FALLBACK_KILL_MS));
      } else {
        throw new Error(`unexpected line '${line.slice(0, 80)}'`);
      }
    };
    child.stdout.setEncoding('latin1');
    child.stdout.on('data', (chunk: string) => {
      const text = pending + chunk;
      let start = 0;
      let nl;
      while ((nl = text.indexOf('\n', start)) >= 0) {
        const line = text.slice(start, nl);
        start = nl + 1;
        if (out.protocolError !== undefined) continue;
        try {
          onLine(line);
        } catch (e) {
          out.protocolError = (e as Error).message;
          kill('protocol');
        }
      }
      pending = text.slice(start);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (out.stderr += chunk));
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      out.killed = signal === 'SIGKILL' && killRequested;
      out.exit = signal ?? `exit code ${code}`;
      resolve(out);
    });
  });
}

export async function run(args: HarnessArgs, log: (line: string) => void): Promise<RunSummary> {
  const dir = mkdtempSync(join(tmpdir(), 'lsmkv-kill-'));
  const oracle = new Oracle();
  const started = Date.now();
  const summary: RunSummary = { cycles: 0, kills: 0, acknowledgedOps: 0, issuedOps: 0, backgroundKills: 0, fallbackKills: 0, verifies: 0 };
  // The number of levels is part of the database's shape (fewer levels than the MANIFEST names is refused on
  // open), so it is fixed per run.
  const numLevels = new Prng(args.seed).pick([3, 7]);
  let cycle = 0;
  try {
    for (; withinBudget(args, cycle, started); cycle++) {
      const prng = new Prng(cycleSeed(args.seed, cycle));
      const options = { ...randomEngineOptions(prng, numLevels, false), background: prng.chance(0.8) ? 'worker' : 'inline' } as const;
      const policy = randomPolicy(prng);
      const fail = (detail: string): HarnessFailure =>
        new HarnessFailure(HARNESS, args.seed, cycle, `${detail}\n  kill: ${describePolicy(policy)}; child options ${JSON.stringify(options)}; directory kept: ${dir}`);
      const issuedBefore = oracle.nextOp;
      const outcome = await runChild(dir, prng.uint32(), oracle, options, policy);
      if (outcome.protocolError !== undefined) throw fail(`child report unreadable: ${outcome.protocolError}`);
      if (!outcome.killed) throw fail(`the writer died on its own (${outcome.exit}):\n${outcome.stderr}`);
      summary.kills!++;
      if (outcome.trigger === 'fallback') summary.fallbackKills!++;
      else if (policy.kind === 'background') summary.backgroundKills!++;
      summary.acknowledgedOps! += oracle.ackedOps;
      summary.issuedOps! += oracle.nextOp - issuedBefore;
      let db;
      try {
        db = await open(dir, { numLevels, background: 'inline', codec: prng.pick(['auto', 'typescript'] as const) });
      } catch (e) {
        throw fail(`reopen after the kill failed: ${(e as Error).stack ?? String(e)}`);
      }
      let result;
      try {
        result = oracle.check(db, 'process-kill');
        if (result.ok && prng.chance(0.2)) {
          db.verify();
          summary.verifies!++;
        }
      } catch (e) {
        result = { ok: false as const, message: `reading the reopened database threw: ${(e as Error).stack ?? String(e)}` };
      } finally {
        await db.close();
      }
      if (!result.ok) throw fail(result.message);
      if (args.verbose) {
        log(
          `cycle ${cycle}: killed ${outcome.trigger === 'fallback' ? 'by the fallback timer' : describePolicy(policy)}; ${outcome.batches} batches, ${outcome.acks} acked, ` +
            `${outcome.markers} background starts; prefix ${result.prefix} of ${oracle.nextOp} ops (${oracle.mustSurvive('process-kill')} required)`,
        );
      }
      oracle.commit(result.prefix);
      summary.cycles!++;
    }
  } catch (e) {
    if (e instanceof HarnessFailure) throw e;
    throw new HarnessFailure(HARNESS, args.seed, cycle, `harness error: ${(e as Error).stack ?? String(e)}; directory kept: ${dir}`);
  }
  rmSync(dir, { recursive: true, force: true });
  summary.keys = oracle.baseSize;
  return summary;
}

if (isMain(import.meta.url)) await harnessMain(HARNESS, { cycles: 20 }, run);
