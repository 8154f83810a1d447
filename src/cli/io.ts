/**
 * io — where a CLI command writes (injected so tests can capture it) and whether stderr is a terminal.
 */

export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** stderr is a terminal: the benchmark redraws its progress bar in place. */
  stderrIsTTY: boolean;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stderrIsTTY: process.stderr.isTTY === true };
}
