/**
 * stats command — `lsmkv stats <dir>`: opens the database (never creating one) and prints db.stats() as tables:
 * the LSM levels, then every other figure. Exit code 0, 3 if it cannot be opened, 2 for a usage error.
 */

import { open, type DbStats } from '../../index.js';
import { formatBytes, formatInt } from '../format.js';
import { UsageError, parseCommandLine } from '../args.js';
import type { CliIO } from '../io.js';
import { markdownTable } from '../table.js';

export function renderStats(s: DbStats): string {
  const levels = s.levels.map((l) => [`L${l.level}`, formatInt(l.files), formatBytes(l.bytes)]);
  const ratio = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
  const lookups = s.blockCache.hits + s.blockCache.misses;
  const rows: Array<[string, string]> = [
    ['memtable', formatBytes(s.memtableBytes)],
    ['WAL', formatBytes(s.walBytes)],
    ['block cache', `${formatBytes(s.blockCache.bytes)}, hits ${formatInt(s.blockCache.hits)} (${ratio(s.blockCache.hits, lookups)}), misses ${formatInt(s.blockCache.misses)}`],
    ['bloom filter', `checked ${formatInt(s.bloom.checked)}, useful ${formatInt(s.bloom.useful)} (${ratio(s.bloom.useful, s.bloom.checked)})`],
    ['compactions', `${formatInt(s.compaction.count)}, read ${formatBytes(s.compaction.bytesRead)}, written ${formatBytes(s.compaction.bytesWritten)}`],
    ['user bytes written', formatBytes(s.userBytesWritten)],
    ['write amplification', s.writeAmplification.toFixed(2)],
    ['stalls', `${formatInt(s.stalls.slowdowns)} slowdowns, ${formatInt(s.stalls.stops)} stops, ${formatInt(s.stalls.stallMs)} ms`],
    ['codec', s.codec],
  ];
  return `${markdownTable(['level', 'files', 'bytes'], levels, ['left', 'right', 'right'])}\n\n${markdownTable(['stat', 'value'], rows)}\n`;
}

export async function statsCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const { positionals } = parseCommandLine(argv, {}, 1);
  const dir = positionals[0];
  if (dir === undefined) throw new UsageError('stats: missing <dir>');
  let db: Awaited<ReturnType<typeof open>>;
  try {
    db = await open(dir, { createIfMissing: false });
  } catch (e) {
    io.stderr.write(`lsmkv stats: cannot open ${dir}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 3;
  }
  try {
    io.stdout.write(renderStats(db.stats()));
  } finally {
    await db.close();
  }
  return 0;
}
