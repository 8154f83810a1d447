/**
 * db-bench — the macro benchmark with peers: `node dist/bench/db-bench.js [options]`, the same as
 * `lsmkv bench --peers [options]` (every store and workload unless --stores / --workloads narrow it).
 */

import { UsageError } from '../src/cli/args.js';
import { benchCommand } from '../src/cli/commands/bench.js';
import { processIO } from '../src/cli/io.js';

benchCommand(process.argv.slice(2), processIO(), true).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`db-bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? e.exitCode : 1;
  },
);
