/**
 * cli — dispatches `lsmkv <command> ...` to its command and turns a UsageError into one line on stderr plus exit
 * code 2. Returns the exit code; never calls process.exit (main.ts does), so tests can drive it. Commands load on
 * demand: the benchmark's parent process never loads the engine (each store runs in its own child).
 */

import { UsageError } from './args.js';
import { helpCommand } from './commands/help.js';
import { type CliIO, processIO } from './io.js';

export async function runCli(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        return helpCommand(io);
      case 'bench':
        return await (await import('./commands/bench.js')).benchCommand(rest, io);
      case 'verify':
        return await (await import('./commands/verify.js')).verifyCommand(rest, io);
      case 'stats':
        return await (await import('./commands/stats.js')).statsCommand(rest, io);
      default:
        throw new UsageError(`unknown command '${command}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`lsmkv: ${e.message}\nRun 'lsmkv --help' for usage.\n`);
      return e.exitCode;
    }
    throw e;
  }
}
