/**
 * verify command — `lsmkv verify <dir>`: opens the database (never creating one), reads every block of every
 * live table and checks every checksum (db.verify()), and prints a summary.
 * Exit code 0 if clean, 1 on corruption (the message names file and offset), 3 if the database cannot be opened
 * for another reason, 2 for a usage error.
 */

import { ErrorCode, isLsmkvError, open } from '../../index.js';
import { formatBytes, formatInt } from '../format.js';
import { UsageError, parseCommandLine } from '../args.js';
import type { CliIO } from '../io.js';

export async function verifyCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommandLine(argv, {}, 1);
  const dir = positionals[0];
  if (dir === undefined) throw new UsageError('verify: missing <dir>');
  let db: Awaited<ReturnType<typeof open>> | undefined;
  try {
    db = await open(dir, { createIfMissing: false });
    const t0 = performance.now();
    const r = db.verify();
    const ms = performance.now() - t0;
    io.stdout.write(`${dir}: OK — ${formatInt(r.tables)} table${r.tables === 1 ? '' : 's'}, ${formatBytes(r.bytes)} checked in ${ms.toFixed(0)} ms\n`);
    return 0;
  } catch (e) {
    if (isLsmkvError(e, ErrorCode.CORRUPTION)) {
      io.stdout.write(`${dir}: CORRUPTION — ${e.message}\n`);
      return 1;
    }
    io.stderr.write(`lsmkv verify: cannot open ${dir}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 3;
  } finally {
    await db?.close().catch(() => undefined);
  }
}
