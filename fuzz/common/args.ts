/**
 * args — the command line every fuzz harness shares: --seed N, --cycles N, --seconds N, --verbose.
 *
 * A run stops after `cycles` cycles or `seconds` seconds, whichever comes first (either may be Infinity, not
 * both). Without --seed a seed is drawn from the clock and printed, so every run can be replayed.
 * Exact TypeError/RangeError messages for mistakes, like the engine's own option checks.
 */

export interface HarnessArgs {
  seed: number;
  cycles: number;
  seconds: number;
  verbose: boolean;
}

export interface ArgDefaults {
  cycles: number;
  seconds?: number;
}

function numberArg(name: string, text: string | undefined): number {
  if (text === undefined) throw new TypeError(`args: --${name} needs a value`);
  const v = Number(text);
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`args: --${name} must be a non-negative integer, got ${text}`);
  return v;
}

/** Parses argv (without the node and script entries). Given --seconds but no --cycles, cycles are unlimited. */
export function parseHarnessArgs(argv: readonly string[], defaults: ArgDefaults): HarnessArgs {
  let seed: number | undefined;
  let cycles: number | undefined;
  let seconds: number | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seed') seed = numberArg('seed', argv[++i]);
    else if (a === '--cycles') cycles = numberArg('cycles', argv[++i]);
    else if (a === '--seconds') seconds = numberArg('seconds', argv[++i]);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else throw new TypeError(`args: unknown argument '${a}' (expected --seed, --cycles, --seconds, --verbose)`);
  }
  if (seed !== undefined && seed > 0xffff_ffff) throw new RangeError(`args: --seed must be below 2^32, got ${seed}`);
  if (cycles === undefined) cycles = seconds === undefined ? defaults.cycles : Infinity;
  return {
    seed: seed ?? Date.now() % 0x1_0000_0000,
    cycles,
    seconds: seconds ?? defaults.seconds ?? Infinity,
    verbose,
  };
}

/** The one-line command that replays cycles 0..cycles-1 of `harness` (a file in dist/fuzz/crash/) with `seed`. */
export function replayCommand(harness: string, seed: number, cycles: number): string {
  return `npx tsc -p . && node dist/fuzz/crash/${harness}.js --seed ${seed} --cycles ${cycles} --verbose`;
}
