#!/usr/bin/env node
/**
 * main — the `lsmkv` executable (package.json bin → dist/src/cli/main.js). Runs the CLI and sets the exit code.
 */

import { runCli } from './cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`lsmkv: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
