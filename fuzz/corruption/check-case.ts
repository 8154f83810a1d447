/**
 * check-case — opens a damaged image and reads everything (a get of every key ever written and of absent keys,
 * full forward and reverse scans, db.verify(), close), and judges the outcome.
 *
 * Allowed outcomes:
 *  - 'intact': exactly the acknowledged writes;
 *  - 'tail-dropped': the newest WAL was damaged and the database holds every write but a suffix of those in it
 *    (the documented torn-tail rule);
 *  - 'reported': some call threw an LsmkvError with code CORRUPTION (or NOT_FOUND when the file was deleted)
 *    whose message names the damaged file (and whose `offset` is set for damage inside a log or table), and
 *    every read that did answer answered with an allowed state.
 * Anything else is a failure: a wrong or missing value in silence, a hole in the history, another exception
 * type or code, an error naming another file, damage to a live table that no read and not verify() noticed.
 */

import { ErrorCode, isLsmkvError, open, type Db, type FaultInjectionVfs } from '../../src/index.js';
import type { Damage } from './damage.js';
import { DB_DIR, type DbImage } from './db-image.js';
import { applyWrite, sameState } from './history.js';

export type Outcome = 'intact' | 'tail-dropped' | 'reported';

export type Verdict = { ok: true; outcome: Outcome; notes: string[] } | { ok: false; reason: string; notes: string[] };

/** Keys that were never written: every get of them must be undefined. */
const ABSENT_KEYS = ['', 'a', 'key', 'key0000/', 'key9999', 'zzz'];

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function show(v: string | undefined): string {
  if (v === undefined) return 'absent';
  return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…(${v.length})` : v);
}

class Judge {
  /** Prefix lengths the database may hold: [lo, hi]. */
  private readonly lo: number;
  private readonly hi: number;
  /** The prefix the forward scan matched, once known. */
  private chosen: Map<string, string> | undefined;
  private allowedValues = new Map<string, Set<string | undefined>>();
  reported: string | undefined;
  /** The allowed error the last step threw, if it threw one. */
  lastError: unknown;
  failure: string | undefined;
  readonly notes: string[] = [];

  constructor(
    private readonly image: DbImage,
    private readonly damage: Damage,
  ) {
    const n = image.history.length;
    this.hi = n;
    const wals = image.wals;
    this.lo = damage.changed && damage.role === 'newest-wal' ? wals[wals.length - 1]!.firstWrite : n;
  }

  get tailDropped(): boolean {
    return this.chosen !== undefined && !sameState(this.chosen, this.image.history.stateAt(this.hi));
  }

  fail(reason: string): void {
    this.failure ??= reason;
  }

  /** Runs one step; an allowed error is recorded and ends nothing but the step. */
  step<T>(what: string, fn: () => T): T | undefined {
    if (this.failure !== undefined) return undefined;
    this.lastError = undefined;
    try {
      return fn();
    } catch (e) {
      this.judgeError(what, e);
      return undefined;
    }
  }

  async stepAsync(what: string, fn: () => Promise<void>): Promise<void> {
    if (this.failure !== undefined) return;
    this.lastError = undefined;
    try {
      await fn();
    } catch (e) {
      this.judgeError(what, e);
    }
  }

  private judgeError(what: string, e: unknown): void {
    const d = this.damage;
    const desc = e instanceof Error ? `${e.name}${isLsmkvError(e) ? ` ${e.code}` : ''}: ${e.message}` : String(e);
    const allowedCode =
      isLsmkvError(e, ErrorCode.CORRUPTION) || (d.kind === 'delete' && isLsmkvError(e, ErrorCode.NOT_FOUND));
    if (!allowedCode || !d.changed) {
      this.fail(`${what} threw ${desc}`);
      return;
    }
    if (!e.message.includes(d.file)) {
      this.fail(`${what} threw an error naming another file than ${d.file}: ${desc}`);
      return;
    }
    const hasOffset = d.kind !== 'delete' && d.role !== 'current' && d.role !== 'other';
    if (e.code === ErrorCode.CORRUPTION && hasOffset && e.offset === undefined) {
      this.fail(`${what} threw CORRUPTION without an offset: ${desc}`);
      return;
    }
    this.reported ??= `${what}: ${desc}`;
    this.lastError = e;
  }

  /** Matches a full forward scan against the allowed prefixes. */
  matchScan(entries: Array<[string, string]>): void {
    const got = new Map(entries);
    for (let i = 1; i < entries.length; i++) {
      if (!(entries[i - 1]![0] < entries[i]![0])) {
        this.fail(`forward scan out of order at ${show(entries[i]![0])}`);
        return;
      }
    }
    const h = this.image.history;
    const state = h.stateAt(this.lo);
    for (let p = this.lo; ; p++) {
      if (sameState(state, got)) {
        this.chosen = state;
        if (p < this.hi) this.notes.push(`holds the first ${p} of ${this.hi} writes`);
        return;
      }
      if (p === this.hi) break;
      applyWrite(state, h.writes[p]!);
    }
    this.fail(`forward scan matches no allowed state: ${this.describeDiff(got)}`);
  }

  private describeDiff(got: Map<string, string>): string {
    const want = this.image.history.stateAt(this.hi);
    const diffs: string[] = [];
    const keys = [...new Set([...want.keys(), ...got.keys()])].sort();
    for (const k of keys) {
      if (want.get(k) !== got.get(k)) diffs.push(`${show(k)}: want ${show(want.get(k))} got ${show(got.get(k))}`);
    }
    return `${diffs.length} keys differ from the full history, e.g. ${diffs.slice(0, 3).join('; ')}`;
  }

  /** A value read for `key` must be what the matched state holds, or (no scan matched) what some allowed one holds. */
  checkValue(what: string, key: string, value: string | undefined): void {
    if (this.chosen !== undefined) {
      const want = this.chosen.get(key);
      if (want !== value) this.fail(`${what} ${show(key)}: want ${show(want)} got ${show(value)}`);
      return;
    }
    let allowed = this.allowedValues.get(key);
    if (allowed === undefined) {
      allowed = new Set();
      const h = this.image.history;
      const state = h.stateAt(this.lo);
      allowed.add(state.get(key));
      for (let p = this.lo; p < this.hi; p++) {
        applyWrite(state, h.writes[p]!);
        allowed.add(state.get(key));
      }
      this.allowedValues.set(key, allowed);
    }
    if (!allowed.has(value)) this.fail(`${what} ${show(key)}: got ${show(value)}, which no allowed state holds`);
  }

  checkReverse(entries: Array<[string, string]>): void {
    if (this.chosen === undefined) {
      for (const [k, v] of entries) this.checkValue('reverse scan', k, v);
      return;
    }
    const want = [...this.chosen.entries()].sort((a, b) => (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
    if (want.length !== entries.length) {
      this.fail(`reverse scan returned ${entries.length} entries, the forward scan ${want.length}`);
      return;
    }
    for (let i = 0; i < want.length; i++) {
      if (want[i]![0] !== entries[i]![0] || want[i]![1] !== entries[i]![1]) {
        this.fail(`reverse scan entry ${i}: want ${show(want[i]![0])} got ${show(entries[i]![0])}`);
        return;
      }
    }
  }
}

function scan(db: Db, reverse: boolean): Array<[string, string]> {
  const it = db.iterator({ reverse });
  try {
    return it.all().map(([k, v]) => [latin1(k), latin1(v)]);
  } finally {
    it.close();
  }
}

/** What `lsmkv verify` must conclude on the same files: 'clean' (exit 0), 'corruption' (1), 'not-found' (3). */
export type VerifyState = 'clean' | 'corruption' | 'not-found';

export interface CaseResult {
  verdict: Verdict;
  /** What open() and then verify() concluded in this run (the first of them that threw decides). */
  verifyState: VerifyState;
}

function stateOf(e: unknown): VerifyState {
  return e === undefined ? 'clean' : isLsmkvError(e, ErrorCode.NOT_FOUND) ? 'not-found' : 'corruption';
}

/** Opens the damaged files (restored into `vfs`) and judges everything read from them. */
export async function checkDamagedDb(
  image: DbImage,
  damage: Damage,
  vfs: FaultInjectionVfs,
): Promise<CaseResult> {
  const judge = new Judge(image, damage);
  let db: Db | undefined;
  await judge.stepAsync('open', async () => {
    db = await open(DB_DIR, { ...image.options, vfs });
  });
  let verifyState = stateOf(judge.lastError);
  if (db !== undefined) {
    const d = db;
    const fwd = judge.step('forward scan', () => scan(d, false));
    if (fwd !== undefined) judge.matchScan(fwd);
    for (const key of image.history.allKeys()) {
      const v = judge.step(`get`, () => d.get(Buffer.from(key, 'latin1')) ?? null);
      if (v !== undefined) judge.checkValue('get', key, v === null ? undefined : latin1(v));
    }
    for (const key of ABSENT_KEYS) {
      const v = judge.step(`get`, () => d.get(Buffer.from(key, 'latin1')) ?? null);
      if (v !== undefined && v !== null) judge.fail(`get of never-written ${show(key)} returned ${show(latin1(v))}`);
    }
    const rev = judge.step('reverse scan', () => scan(d, true));
    if (rev !== undefined) judge.checkReverse(rev);
    judge.step('verify', () => d.verify());
    verifyState = stateOf(judge.lastError);
    await judge.stepAsync('close', () => d.close());
  }
  if (judge.failure === undefined && judge.reported === undefined && damage.changed && damage.role === 'live-table') {
    judge.fail(`damage to live table ${damage.file} went unnoticed by every read and by verify()`);
  }
  if (judge.failure !== undefined) return { verdict: { ok: false, reason: judge.failure, notes: judge.notes }, verifyState };
  const outcome: Outcome = judge.reported !== undefined ? 'reported' : judge.tailDropped ? 'tail-dropped' : 'intact';
  if (judge.reported !== undefined) judge.notes.push(judge.reported);
  return { verdict: { ok: true, outcome, notes: judge.notes }, verifyState };
}
