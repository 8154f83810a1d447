/**
 * harness-main — what every crash harness does around its cycles: stop on the cycle or time budget, turn the
 * first failure into a report that names the seed, the cycle and a one-line replay command, and run as a
 * program when its compiled file is executed directly (`node dist/fuzz/crash/<name>.js ...`).
 *
 * A harness exports `run(args, log)`; tests call it directly with fixed seeds, the command line goes through
 * harnessMain. Exit codes: 0 all cycles passed, 1 a check failed, 2 the harness itself broke (bad arguments).
 */

import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseHarnessArgs, replayCommand, type ArgDefaults, type HarnessArgs } from './args.js';

/** A failed check: the database broke a promise (or the harness found something it cannot explain). */
export class HarnessFailure extends Error {
  constructor(
    readonly harness: string,
    readonly seed: number,
    /** The cycle (0-based) in which the check failed. */
    readonly cycle: number,
    readonly detail: string,
  ) {
    super(
      `${harness}: FAILED at seed ${seed}, cycle ${cycle}: ${detail}\n` +
        `  replay: ${replayCommand(harness, seed, cycle + 1)}`,
    );
    this.name = 'HarnessFailure';
  }
}

/** Figures a run reports (cycles done, crash points, checks, ...), printed as `name=value` pairs. */
export type RunSummary = Record<string, number>;

export type HarnessRun = (args: HarnessArgs, log: (line: string) => void) => Promise<RunSummary>;

/** Budget helper: true while neither the cycle count nor the time limit is reached. */
export function withinBudget(args: HarnessArgs, cycle: number, startedMs: number): boolean {
  return cycle < args.cycles && Date.now() - startedMs < args.seconds * 1000;
}

export function formatSummary(summary: RunSummary): string {
  return Object.entries(summary)
    .map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(1)}`)
    .join(' ');
}

/** True when the module at `metaUrl` is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/** Parses the command line, runs the harness, prints the summary or the failure, and exits. */
export async function harnessMain(name: string, defaults: ArgDefaults, run: HarnessRun): Promise<void> {
  let args: HarnessArgs;
  try {
    args = parseHarnessArgs(process.argv.slice(2), defaults);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const limit = args.seconds === Infinity ? '' : ` --seconds ${args.seconds}`;
  const cycles = args.cycles === Infinity ? '' : ` --cycles ${args.cycles}`;
  process.stdout.write(`${name}: seed ${args.seed}${cycles}${limit}\n`);
  try {
    const summary = await run(args, (line) => process.stdout.write(`${line}\n`));
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`${name}: OK seed=${args.seed} ${formatSummary(summary)} seconds=${secs}\n`);
    process.exit(0);
  } catch (e) {
    process.stderr.write(`${e instanceof HarnessFailure ? e.message : (e as Error).stack ?? String(e)}\n`);
    if (!(e instanceof HarnessFailure)) {
      process.stderr.write(`  seed ${args.seed}; replay: ${replayCommand(name, args.seed, args.cycles)}\n`);
    }
    process.exit(1);
  }
}
