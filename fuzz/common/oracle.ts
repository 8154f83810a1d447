/**
 * oracle — the model the crash harnesses check a recovered database against.
 *
 * It records every issued write in order (each operation with its global op index, its batch, the batch's sync
 * flag, and whether the database acknowledged it) on top of a base state (the contents last verified). check()
 * reads the whole database and proves the durability contract (docs/DURABILITY.md):
 *   (a) every acknowledged write that must survive this kind of crash is present: after a process kill every
 *       acknowledged write; after a power loss every write acknowledged with sync (and everything before it);
 *   (b) the database equals the state after some prefix of the issued writes that ends on a batch boundary at or
 *       after the last must-survive write: no holes, no torn batch, nothing deleted resurrected, no stray key.
 * The prefix is found in one pass: starting from the base, apply the operations one at a time while keeping the
 * number of keys whose modelled value differs from the database; every batch boundary where that number is zero
 * is a matching prefix. Values carry their op index (./workload.ts), so the count is kept per key in O(1).
 * On success commit() makes the matched state the new base. Single-threaded; harness code only.
 */

import type { Db } from '../../src/index.js';
import { DELETE, keyName, parseKeyName, parseValue, type BatchSpec } from './workload.js';

/** What a crash may take away: a process kill keeps every acknowledged write, a power loss only synced ones. */
export type Durability = 'process-kill' | 'power-loss';

export type CheckResult = { ok: true; prefix: number } | { ok: false; message: string };

/** keyId → op index of the value the key holds. */
type State = Map<number, number>;

const MAX_LISTED = 6;

export class Oracle {
  private base: State = new Map();
  /** Global index of ops[0]. */
  private firstOp = 0;
  private readonly keyIds: number[] = [];
  private readonly valueLens: number[] = [];
  /** Per op: the first op of its batch. */
  private readonly batchFirst: number[] = [];
  private readonly batchSync: boolean[] = [];
  private readonly acked: boolean[] = [];
  private ackedEnd = 0;
  private syncedEnd = 0;

  /** Global index the next issued op gets. */
  get nextOp(): number {
    return this.firstOp + this.keyIds.length;
  }

  /** Ops issued since the last commit. */
  get pendingOps(): number {
    return this.keyIds.length;
  }

  /** Keys the base state holds. */
  get baseSize(): number {
    return this.base.size;
  }

  /** Records a batch about to be issued; returns the global index of its first op. */
  issue(b: BatchSpec): number {
    const first = this.nextOp;
    for (let i = 0; i < b.keyIds.length; i++) {
      this.keyIds.push(b.keyIds[i]!);
      this.valueLens.push(b.valueLens[i]!);
      this.batchFirst.push(first);
      this.batchSync.push(b.sync);
      this.acked.push(false);
    }
    return first;
  }

  /** The database acknowledged the batch whose first op is `first`. Acks from before the last commit are ignored. */
  acknowledge(first: number): void {
    if (first < this.firstOp) return;
    let i = first - this.firstOp;
    if (i >= this.keyIds.length) throw new Error(`oracle: acknowledged op ${first} was never issued`);
    const sync = this.batchSync[i]!;
    while (i < this.keyIds.length && this.batchFirst[i] === first) this.acked[i++] = true;
    const end = this.firstOp + i;
    if (end > this.ackedEnd) this.ackedEnd = end;
    if (sync && end > this.syncedEnd) this.syncedEnd = end;
  }

  /** Ops [firstOp, mustSurvive) must be present after a crash of this kind. */
  mustSurvive(d: Durability): number {
    return Math.max(this.firstOp, d === 'process-kill' ? this.ackedEnd : this.syncedEnd);
  }

  /** Number of ops acknowledged since the last commit (for reports). */
  get ackedOps(): number {
    let n = 0;
    for (const a of this.acked) if (a) n++;
    return n;
  }

  private isBoundary(op: number): boolean {
    const i = op - this.firstOp;
    return i === 0 || i === this.keyIds.length || this.batchFirst[i] === op;
  }

  /** State after the first `prefix` global ops. */
  private stateAt(prefix: number): State {
    const s = new Map(this.base);
    for (let op = this.firstOp; op < prefix; op++) this.apply(s, op);
    return s;
  }

  private apply(s: State, op: number): void {
    const i = op - this.firstOp;
    if (this.valueLens[i] === DELETE) s.delete(this.keyIds[i]!);
    else s.set(this.keyIds[i]!, op);
  }

  /**
   * Checks `db` against the writes recorded since the last commit, for a crash of kind `d`. Reads every entry
   * (forward iterator, checking order) and then gets every key the model knows, so both read paths are covered.
   */
  check(db: Db, d: Durability): CheckResult {
    const read = readState(db);
    if (typeof read === 'string') return { ok: false, message: read };
    const r = this.matchPrefix(read, this.mustSurvive(d), d);
    if (!r.ok) return r;
    const getError = this.crossCheckGets(db, read);
    return getError === undefined ? r : { ok: false, message: getError };
  }

  /** Makes the state after `prefix` ops (what the database was verified to hold) the new base. */
  commit(prefix: number): void {
    this.base = this.stateAt(prefix);
    this.firstOp = this.nextOp;
    this.ackedEnd = this.syncedEnd = this.firstOp;
    this.keyIds.length = this.valueLens.length = this.batchFirst.length = 0;
    this.batchSync.length = this.acked.length = 0;
  }

  private matchPrefix(actual: State, lo: number, d: Durability): CheckResult {
    const working = new Map(this.base);
    let mismatches = 0;
    for (const [k, op] of working) if (actual.get(k) !== op) mismatches++;
    for (const k of actual.keys()) if (!working.has(k)) mismatches++;
    const hi = this.nextOp;
    let below = -1;
    let best = this.firstOp;
    let bestMismatches = Infinity;
    for (let op = this.firstOp; ; op++) {
      if (this.isBoundary(op)) {
        if (mismatches === 0) {
          if (op >= lo) return { ok: true, prefix: op };
          below = op;
        }
        if (mismatches < bestMismatches || (mismatches === bestMismatches && op <= lo)) {
          bestMismatches = mismatches;
          best = op;
        }
      }
      if (op === hi) break;
      const i = op - this.firstOp;
      const k = this.keyIds[i]!;
      const want = actual.get(k);
      const before = working.get(k);
      const after = this.valueLens[i] === DELETE ? undefined : op;
      if (before !== want) mismatches--;
      if (after !== want) mismatches++;
      if (after === undefined) working.delete(k);
      else working.set(k, after);
    }
    const window = `ops ${this.firstOp}..${hi - 1} issued since the last check, ${this.ackedOps} acknowledged`;
    if (below >= 0) {
      return {
        ok: false,
        message:
          `lost acknowledged writes: after a ${d} the database equals the state after op ${below - 1}, but ops up ` +
          `to ${lo - 1} must survive (${window}); keys that differ from the required state:\n` +
          this.describeDiff(actual, lo),
      };
    }
    return {
      ok: false,
      message:
        `the database is not a prefix of the writes (must include ops up to ${lo - 1}; ${window}); closest prefix ` +
        `ends after op ${best - 1} with ${bestMismatches} keys different:\n${this.describeDiff(actual, best)}`,
    };
  }

  private describeDiff(actual: State, prefix: number): string {
    const want = this.stateAt(prefix);
    const keys = new Set([...want.keys(), ...actual.keys()]);
    const lines: string[] = [];
    let n = 0;
    for (const k of [...keys].sort((a, b) => a - b)) {
      const w = want.get(k);
      const a = actual.get(k);
      if (w === a) continue;
      n++;
      if (lines.length < MAX_LISTED) {
        lines.push(
          `    ${keyName(k)}: expected ${w === undefined ? 'absent' : this.describeOp(w)}` +
            `${this.lastDeleteNote(k, prefix, w)}; database has ${a === undefined ? 'nothing' : this.describeOp(a)}`,
        );
      }
    }
    if (n > lines.length) lines.push(`    ... ${n - lines.length} more`);
    return lines.join('\n');
  }

  private lastDeleteNote(k: number, prefix: number, w: number | undefined): string {
    if (w !== undefined) return '';
    for (let op = prefix - 1; op >= this.firstOp; op--) {
      const i = op - this.firstOp;
      if (this.keyIds[i] === k) return ` (deleted by ${this.describeOp(op)})`;
    }
    return '';
  }

  private describeOp(op: number): string {
    const i = op - this.firstOp;
    if (i < 0) return `op ${op} (from before the last check)`;
    if (i >= this.keyIds.length) return `op ${op} (never issued)`;
    const first = this.batchFirst[i]!;
    let last = i;
    while (last + 1 < this.keyIds.length && this.batchFirst[last + 1] === first) last++;
    const kind = this.valueLens[i] === DELETE ? 'delete' : 'put';
    return (
      `op ${op} (${kind} in batch ${first}..${this.firstOp + last}, ${this.batchSync[i] ? 'sync' : 'no sync'}, ` +
      `${this.acked[i] ? 'acknowledged' : 'not acknowledged'})`
    );
  }

  private crossCheckGets(db: Db, actual: State): string | undefined {
    const keys = new Set<number>([...this.base.keys(), ...actual.keys(), ...this.keyIds]);
    for (const k of keys) {
      const v = db.get(keyName(k));
      const want = actual.get(k);
      const got = v === undefined ? undefined : parseValue(v);
      if (got !== want) {
        return (
          `get(${keyName(k)}) returned ${got === undefined ? 'nothing' : `the value of op ${got}`} but the iterator ` +
          `saw ${want === undefined ? 'nothing' : `op ${want}`}`
        );
      }
    }
    return undefined;
  }
}

/** The database's contents as keyId → op index, or a message describing a key or value the workload never wrote. */
export function readState(db: Db): State | string {
  const state: State = new Map();
  const it = db.iterator();
  let prev: Buffer | undefined;
  try {
    for (;;) {
      const chunk = it.nextv(512);
      if (chunk.length === 0) break;
      for (const [k, v] of chunk) {
        if (prev !== undefined && Buffer.compare(prev, k) >= 0) {
          return `iterator out of order: ${JSON.stringify(k.toString('latin1'))} after ${JSON.stringify(prev.toString('latin1'))}`;
        }
        prev = k;
        const id = parseKeyName(k.toString('latin1'));
        if (id < 0) return `unknown key ${JSON.stringify(k.toString('latin1').slice(0, 80))} in the database`;
        const op = parseValue(v);
        if (op < 0) return `key ${keyName(id)} holds a value the workload never wrote: ${JSON.stringify(v.toString('latin1', 0, 60))}`;
        state.set(id, op);
      }
    }
  } finally {
    it.close();
  }
  return state;
}

