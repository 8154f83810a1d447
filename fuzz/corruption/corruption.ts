/**
 * corruption — harness 4: damages one file of a crashed database per case and checks that lsmkv returns the
 * right data, drops a torn WAL tail by the documented rule, or reports CORRUPTION naming the file (and offset).
 *
 *   npx tsc -p . && node dist/fuzz/corruption/corruption.js --seed N --cases N [--start N] [--minutes M] [-v]
 *   node dist/fuzz/corruption/corruption.js --seed N --case I      (replays one case, verbosely)
 *   --roles newest-wal,live-table,...   damage only files with these roles (the replay needs the same --roles)
 *
 * Prints one line per failure with its replay command, a summary of outcomes per file role and damage kind,
 * and exits 1 if any case failed. See docs/CRASH-TESTING.md.
 */

import { parseArgs } from 'node:util';
import { CorruptionRunner, replayCommand, type CaseReport } from './corruption-run.js';
import { FILE_ROLES, type FileRole } from './damage.js';

function intArg(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`corruption: --${name} must be a non-negative integer`);
  return n;
}

function describe(r: CaseReport): string {
  const d = r.damage;
  return `case ${r.index}: ${d.role} ${d.file} ${d.detail}${d.changed ? '' : ' (no change)'}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      cases: { type: 'string' },
      start: { type: 'string' },
      case: { type: 'string' },
      minutes: { type: 'string' },
      roles: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    },
  });
  const seed = intArg(values.seed, 'seed', 1);
  const single = values.case === undefined ? undefined : intArg(values.case, 'case', 0);
  const start = single ?? intArg(values.start, 'start', 0);
  const count = single === undefined ? intArg(values.cases, 'cases', 200) : 1;
  const deadline = values.minutes === undefined ? Infinity : Date.now() + Number(values.minutes) * 60_000;
  const verbose = values.verbose === true || single !== undefined;
  const roles = values.roles === undefined ? FILE_ROLES : (values.roles.split(',') as FileRole[]);
  for (const r of roles) if (!FILE_ROLES.includes(r)) throw new TypeError(`corruption: unknown role '${r}' (${FILE_ROLES.join(', ')})`);
  const runner = new CorruptionRunner(seed, roles);
  const tally = new Map<string, number>();
  let failures = 0;
  let ran = 0;
  let unhandled: unknown;
  process.on('unhandledRejection', (e) => (unhandled ??= e));
  const t0 = Date.now();
  for (let i = start; i < start + count && Date.now() < deadline; i++) {
    const r = await runner.runCase(i, single !== undefined ? true : undefined);
    ran++;
    if (unhandled !== undefined) {
      r.ok = false;
      r.outcome = `unhandled rejection: ${String(unhandled instanceof Error ? unhandled.stack : unhandled)}`;
      unhandled = undefined;
    }
    const key = `${r.damage.role} ${r.damage.kind} → ${r.ok ? r.outcome : 'FAIL'}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    if (!r.ok) {
      failures++;
      console.log(`FAIL seed ${seed} ${describe(r)}\n  ${r.outcome}\n  replay: ${replayCommand(seed, i, roles)}`);
    } else if (verbose) {
      console.log(`ok ${describe(r)} → ${r.outcome}${r.cliChecked ? ' (lsmkv verify agrees)' : ''}`);
      for (const n of r.notes) console.log(`  ${n}`);
    }
    if (!verbose && ran % 500 === 0) console.error(`… ${ran} cases, ${failures} failures, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const secs = (Date.now() - t0) / 1000;
  console.log(`\ncorruption: seed ${seed}, cases ${start}..${start + ran - 1}: ${ran} cases in ${secs.toFixed(1)} s`);
  for (const [k, n] of [...tally].sort()) console.log(`  ${String(n).padStart(6)}  ${k}`);
  console.log(`${ran - failures} passed, ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
