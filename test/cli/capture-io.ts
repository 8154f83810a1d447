/**
 * capture-io — a CliIO that collects what a command writes, for CLI tests.
 */

import type { CliIO } from '../../src/cli/io.js';

export function captureIO(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stderrIsTTY: false,
    stdout: { write: (t: string) => (io.out += t) },
    stderr: { write: (t: string) => (io.err += t) },
  };
  return io;
}
