/**
 * kill-child — the writer process of the kill harness (./kill.ts). It opens the database, then writes random
 * batches forever, mixing the synchronous API and async group commit, sync and non-sync writes, puts, deletes and
 * overwrites, and reports on stdout (one line each, written before/after the call, so the parent knows exactly
 * what may be in the database when it SIGKILLs this process):
 *   r                                 the database is open
 *   b <first op> <sync> <id>:<len|d>,...   a batch is about to be issued (its ops get indices first, first+1, ...)
 *   a <first op>                      that batch was acknowledged
 *   m <flushes> <compactions>         a flush or compaction started (running, with jobs completed since the last m)
 * Each line is in the pipe (write(2) returned) before the call it describes, so the parent reads it after a kill.
 * Never exits on its own; any error is thrown (the parent reports a child that died without being killed).
 *
 *   node dist/fuzz/crash/kill-child.js <dir> <seed> <first op> <options json>
 */

import { writeSync as writeFd } from 'node:fs';
import { open, type Options } from '../../src/index.js';
import { writeAsync, writeSync } from '../common/db-writes.js';
import { Prng } from '../common/prng.js';
import { encodeBatch, randomBatch, randomShape } from '../common/workload.js';

const [dir, seedText, firstText, optionsJson] = process.argv.slice(2);
if (dir === undefined || seedText === undefined || firstText === undefined || optionsJson === undefined) {
  throw new TypeError('kill-child: usage: kill-child.js <dir> <seed> <first op> <options json>');
}
const prng = new Prng(Number(seedText));
const shape = randomShape(prng);
const options = JSON.parse(optionsJson) as Partial<Options>;

/**
 * Writes a line to the stdout pipe before returning. process.stdout.write queues in memory when the pipe is full
 * (a SIGKILL would lose the queued lines, and the parent would miss issued batches), so write(2) directly and
 * retry while the pipe is full.
 */
function say(line: string): void {
  const bytes = Buffer.from(`${line}\n`, 'latin1');
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeFd(1, bytes, off, bytes.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

const db = await open(dir, options);
say('r');
let op = Number(firstText);
/** Completed jobs (flushes + compactions) when the last start was reported; -1 before any. */
let reportedAt = -1;

function issueSync(): void {
  const b = randomBatch(prng, shape);
  const first = op;
  op += b.keyIds.length;
  say(`b ${first} ${encodeBatch(b)}`);
  writeSync(db, b, first, prng.chance(0.2));
  say(`a ${first}`);
}

function issueAsync(): Promise<void> {
  const b = randomBatch(prng, shape);
  const first = op;
  op += b.keyIds.length;
  say(`b ${first} ${encodeBatch(b)}`);
  return writeAsync(db, b, first, prng.chance(0.2)).then(() => say(`a ${first}`));
}

/** Reports a job start: the background is running and has completed jobs since the last report. */
function markBackground(): void {
  const c = db.stats().compaction;
  const completed = c.flushes + c.count;
  if (c.running && completed !== reportedAt) {
    say(`m ${c.flushes} ${c.count}`);
    reportedAt = completed;
  }
}

for (let step = 0; ; step++) {
  const kind = prng.below(100);
  if (kind < 45) {
    issueSync();
  } else if (kind < 90) {
    // A burst of group-committed writes, sometimes with a synchronous write in the middle (which commits the
    // queued async writes first, in call order).
    const n = prng.skewed(1, 32);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      if (prng.chance(0.05)) issueSync();
      else pending.push(issueAsync());
    }
    await Promise.all(pending);
  } else {
    // Let the background's completion messages in (installs happen on this thread).
    await new Promise((r) => setImmediate(r));
  }
  markBackground();
  if (step % 16 === 0) await new Promise((r) => setImmediate(r));
}
