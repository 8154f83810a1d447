/**
 * args — command-line parsing for the lsmkv CLI: node's util.parseArgs in strict mode, with every mistake turned
 * into a UsageError (printed as one clear line; exit code 2) and typed value checks for integers and choices.
 */

import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line. The CLI prints its message and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parses argv against `options`; unknown flags, missing values and surplus positionals are UsageErrors. */
export function parseCommandLine(argv: readonly string[], options: OptionSpecs, maxPositionals: number): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/s, '') : String(e));
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

const SUFFIX: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };

/** "1000000", "1_000_000", "1e6", "1M", "250k" → an integer in [min, max], else a UsageError naming the flag. */
export function integerOption(flag: string, text: string, min: number, max: number): number {
  const m = /^(\d+(?:_\d+)*(?:\.\d+)?(?:e\d+)?)([kKmMgG]?)$/.exec(text.trim());
  const value = m ? Number(m[1]!.replaceAll('_', '')) * SUFFIX[m[2]!]! : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${flag} must be an integer between ${min} and ${max}, got '${text}'`);
  }
  return value;
}

/** One of `choices`, else a UsageError listing them. */
export function choiceOption<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${text}'`);
  }
  return text as T;
}
