/**
 * run-ops — runs one operation list against the model and every target, comparing every read as it happens,
 * then closes, reopens and compares a full scan once more. Throws a MetamorphicMismatch naming the op (index and
 * text), the target and what differed; any exception from a target is a failure too (nothing here is damaged).
 * Harness code only; one run at a time.
 */

import type { DbIterator, Snapshot } from '../../src/index.js';
import { fmtOp, valueBytes, type IterSpec, type Op, type WriteOp } from './ops.js';
import { SortedModel, type Entry } from './sorted-model.js';
import { Target, type TargetConfig } from './targets.js';

export class MetamorphicMismatch extends Error {
  override name = 'MetamorphicMismatch';
}

/** An operation that has not settled after this long is a hang (a failure; the slowest real op takes < 1 s). */
export const HANG_MS = 20_000;

/** `p`, or a MetamorphicMismatch after HANG_MS. */
async function withinHangLimit<T>(p: Promise<T>, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MetamorphicMismatch(`${what()}: did not settle within ${HANG_MS} ms (hang)`)), HANG_MS);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

interface OpenSnapshot {
  model: SortedModel;
  handles: Snapshot[];
}

interface OpenIterator {
  want: Entry[];
  pos: number;
  spec: IterSpec;
  handles: Array<DbIterator<Buffer, Buffer>>;
}

function hex(k: string): Buffer {
  return Buffer.from(k, 'hex');
}

function showValue(v: Buffer | undefined): string {
  if (v === undefined) return 'absent';
  return v.length <= 16 ? `<${v.toString('hex')}>` : `<${v.length} bytes ${v.subarray(0, 8).toString('hex')}…>`;
}

function iterOptions(spec: IterSpec): Record<string, unknown> {
  const o: Record<string, unknown> = { reverse: spec.reverse };
  for (const b of ['gt', 'gte', 'lt', 'lte'] as const) if (spec[b] !== undefined) o[b] = hex(spec[b]);
  if (spec.limit !== undefined) o.limit = spec.limit;
  if (spec.fields === 'keys') o.values = false;
  if (spec.fields === 'values') o.keys = false;
  return o;
}

/** Compares entries read through an iterator with the model's, honouring keys-only / values-only. */
function entriesDiffer(got: Array<[Buffer | undefined, Buffer | undefined]>, want: Entry[], spec: IterSpec): string | undefined {
  const n = Math.max(got.length, want.length);
  for (let i = 0; i < n; i++) {
    const g = got[i];
    const w = want[i];
    if (g === undefined || w === undefined) {
      return `${got.length} entries, want ${want.length} (first extra/missing at ${i}: ${g ? g[0]?.toString('hex') : w![0]})`;
    }
    const [gk, gv] = g;
    if (spec.fields === 'values' ? gk !== undefined : gk === undefined || gk.toString('hex') !== w[0]) {
      return `entry ${i}: key ${gk?.toString('hex') ?? 'undefined'}, want ${spec.fields === 'values' ? 'undefined' : w[0]}`;
    }
    if (spec.fields === 'keys' ? gv !== undefined : gv === undefined || !gv.equals(w[1])) {
      return `entry ${i} (${w[0]}): value ${showValue(gv)}, want ${spec.fields === 'keys' ? 'undefined' : showValue(w[1])}`;
    }
  }
  return undefined;
}

export class OpsRun {
  private readonly model = new SortedModel();
  private snapshots: OpenSnapshot[] = [];
  private iterators: OpenIterator[] = [];
  private step = -1;
  private op: Op | undefined;

  private constructor(private readonly targets: Target[]) {}

  static async start(configs: readonly TargetConfig[]): Promise<OpsRun> {
    const targets: Target[] = [];
    try {
      for (const c of configs) targets.push(await Target.create(c));
    } catch (e) {
      for (const t of targets) await t.dispose().catch(() => undefined);
      throw e;
    }
    return new OpsRun(targets);
  }

  private fail(target: Target | undefined, what: string): never {
    const where = this.op === undefined ? 'final check' : `op #${this.step} ${fmtOp(this.op)}`;
    throw new MetamorphicMismatch(`${where}: ${target ? `[${target.config.name}] ` : ''}${what}`);
  }

  /** Runs `fn` on every target; an exception is a failure naming the target. */
  private async onEach<T>(fn: (t: Target, i: number) => T | Promise<T>): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < this.targets.length; i++) {
      const t = this.targets[i]!;
      try {
        const where = (): string => `${this.op === undefined ? 'final check' : `op #${this.step} ${fmtOp(this.op)}`} [${t.config.name}]`;
        out.push(await withinHangLimit(Promise.resolve().then(() => fn(t, i)), where));
      } catch (e) {
        if (e instanceof MetamorphicMismatch) throw e;
        const text = e instanceof Error ? (e.stack ?? e.message).split('\n').slice(0, 4).join(' | ') : String(e);
        this.fail(t, `threw ${text}`);
      }
    }
    return out;
  }

  private applyWriteToModel(w: WriteOp): void {
    if (w.t === 'put') this.model.put(w.k, valueBytes(w.v));
    else this.model.delete(w.k);
  }

  private checkGet(t: Target, k: string, got: Buffer | undefined, want: Buffer | undefined): void {
    const same = got === undefined || want === undefined ? got === want : got.equals(want);
    if (!same) this.fail(t, `get '${k}' = ${showValue(got)}, want ${showValue(want)}`);
  }

  private readIterator(it: DbIterator<Buffer, Buffer>, spec: IterSpec): Array<[Buffer | undefined, Buffer | undefined]> {
    try {
      if (spec.seek !== undefined) it.seek(hex(spec.seek));
      return it.all();
    } finally {
      it.close();
    }
  }

  async apply(op: Op, step: number): Promise<void> {
    this.op = op;
    this.step = step;
    switch (op.t) {
      case 'put':
      case 'del':
        await this.onEach((t) => (op.t === 'put' ? t.db.put(hex(op.k), valueBytes(op.v)) : t.db.delete(hex(op.k))));
        this.applyWriteToModel(op);
        return;
      case 'batch':
        await this.onEach((t) => {
          const b = t.db.batch();
          for (const w of op.ops) {
            if (w.t === 'put') b.put(hex(w.k), valueBytes(w.v));
            else b.delete(hex(w.k));
          }
          t.db.write(b);
        });
        for (const w of op.ops) this.applyWriteToModel(w);
        return;
      case 'async':
        await this.onEach(async (t) => {
          const pending: Promise<void>[] = [];
          for (const { op: w, mode } of op.items) {
            const k = hex(w.k);
            if (mode === 'sync') {
              if (w.t === 'put') t.db.put(k, valueBytes(w.v));
              else t.db.delete(k);
            } else {
              const opts = { sync: mode === 'async-sync' };
              pending.push(w.t === 'put' ? t.db.putAsync(k, valueBytes(w.v), opts) : t.db.deleteAsync(k, opts));
            }
          }
          await Promise.all(pending);
        });
        for (const { op: w } of op.items) this.applyWriteToModel(w);
        return;
      case 'get':
        await this.onEach((t) => this.checkGet(t, op.k, t.db.get(hex(op.k)), this.model.get(op.k)));
        return;
      case 'getMany':
        await this.onEach((t) => {
          const got = t.db.getMany(op.ks.map(hex));
          if (got.length !== op.ks.length) this.fail(t, `getMany returned ${got.length} values for ${op.ks.length} keys`);
          op.ks.forEach((k, i) => this.checkGet(t, k, got[i], this.model.get(k)));
        });
        return;
      case 'iter': {
        const want = this.model.range(op.spec);
        await this.onEach((t) => {
          const diff = entriesDiffer(this.readIterator(t.db.iterator(iterOptions(op.spec)), op.spec), want, op.spec);
          if (diff !== undefined) this.fail(t, `iterator: ${diff}`);
        });
        return;
      }
      case 'snap': {
        const handles = await this.onEach((t) => t.db.snapshot());
        this.snapshots.push({ model: this.model.copy(), handles });
        return;
      }
      case 'snapGet': {
        const s = this.snapshots[op.i % Math.max(1, this.snapshots.length)];
        if (s === undefined) return;
        await this.onEach((t, i) => this.checkGet(t, op.k, s.handles[i]!.get(hex(op.k)), s.model.get(op.k)));
        return;
      }
      case 'snapIter': {
        const s = this.snapshots[op.i % Math.max(1, this.snapshots.length)];
        if (s === undefined) return;
        const want = s.model.range(op.spec);
        await this.onEach((t, i) => {
          const it = s.handles[i]!.iterator(iterOptions(op.spec));
          const diff = entriesDiffer(this.readIterator(it, op.spec), want, op.spec);
          if (diff !== undefined) this.fail(t, `snapshot iterator: ${diff}`);
        });
        return;
      }
      case 'release': {
        if (this.snapshots.length === 0) return;
        const [s] = this.snapshots.splice(op.i % this.snapshots.length, 1);
        await this.onEach((_t, i) => s!.handles[i]!.release());
        return;
      }
      case 'iterOpen': {
        const want = this.model.range(op.spec);
        const handles = await this.onEach((t) => {
          const it = t.db.iterator(iterOptions(op.spec));
          if (op.spec.seek !== undefined) it.seek(hex(op.spec.seek));
          return it;
        });
        this.iterators.push({ want, pos: 0, spec: op.spec, handles });
        return;
      }
      case 'iterNext': {
        const o = this.iterators[op.i % Math.max(1, this.iterators.length)];
        if (o === undefined) return;
        const want = o.want.slice(o.pos, o.pos + op.n);
        await this.onEach((t, i) => {
          const got = o.handles[i]!.nextv(op.n);
          const diff = entriesDiffer(got, want, o.spec);
          if (diff !== undefined) this.fail(t, `open iterator at entry ${o.pos}: ${diff}`);
        });
        o.pos += want.length;
        return;
      }
      case 'iterClose': {
        if (this.iterators.length === 0) return;
        const [o] = this.iterators.splice(op.i % this.iterators.length, 1);
        await this.onEach((_t, i) => o!.handles[i]!.close());
        return;
      }
      case 'flush':
        await this.onEach((t) => t.db.flush());
        return;
      case 'compact': {
        const [lo, hi] = op.lo !== undefined && op.hi !== undefined && op.lo > op.hi ? [op.hi, op.lo] : [op.lo, op.hi];
        await this.onEach((t) => t.db.compactRange(lo === undefined ? undefined : hex(lo), hi === undefined ? undefined : hex(hi)));
        return;
      }
      case 'reopen':
        await this.reopenAll();
        return;
    }
  }

  private async reopenAll(): Promise<void> {
    for (const s of this.snapshots) for (const h of s.handles) h.release();
    for (const o of this.iterators) for (const h of o.handles) h.close();
    this.snapshots = [];
    this.iterators = [];
    await this.onEach((t) => t.reopen());
  }

  /** Full scans forward and reverse, a get of every key, then the same after a reopen. */
  async finalCheck(): Promise<void> {
    this.op = undefined;
    for (let round = 0; round < 2; round++) {
      const fwd: IterSpec = { reverse: false, fields: 'both' };
      const rev: IterSpec = { reverse: true, fields: 'both' };
      const wantFwd = this.model.range(fwd);
      const wantRev = this.model.range(rev);
      await this.onEach((t) => {
        let diff = entriesDiffer(this.readIterator(t.db.iterator(), fwd), wantFwd, fwd);
        if (diff !== undefined) this.fail(t, `${round === 0 ? '' : 'after reopen: '}full scan: ${diff}`);
        diff = entriesDiffer(this.readIterator(t.db.iterator({ reverse: true }), rev), wantRev, rev);
        if (diff !== undefined) this.fail(t, `${round === 0 ? '' : 'after reopen: '}reverse scan: ${diff}`);
        for (const [k, v] of wantFwd) this.checkGet(t, k, t.db.get(hex(k)), v);
      });
      if (round === 0) await this.reopenAll();
    }
  }

  /** Closes every database and removes its files (also after a failure). */
  async dispose(): Promise<void> {
    for (const t of this.targets) await withinHangLimit(t.dispose(), () => 'dispose').catch(() => undefined);
  }
}

/** One full run of `ops`: throws MetamorphicMismatch (or the first unexpected error) on disagreement. */
export async function runOps(ops: readonly Op[], configs: readonly TargetConfig[]): Promise<void> {
  const run = await OpsRun.start(configs);
  try {
    for (let i = 0; i < ops.length; i++) await run.apply(ops[i]!, i);
    await run.finalCheck();
  } finally {
    await run.dispose();
  }
}
