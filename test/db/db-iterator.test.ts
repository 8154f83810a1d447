/**
 * db-iterator's batch paths against a model: nextv reads runs straight from blocks (forward and reverse) and
 * packs each batch into one allocation. Small blocks and many versions per key put versions of one key in
 * different blocks, tables and levels, deletions at run and block edges, and keys newer than the iterator's
 * snapshot in the middle of runs; every nextv size (1, small, large), bound, seek and direction must agree with
 * the model, and returned entries must be independent caller-owned copies.
 */
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/index.js';
import { useFreshDb } from '../helpers/fresh-db.js';
import { Model, prng, randInt, randomWrites } from '../helpers/model.js';

const { fresh } = useFreshDb();

const keyOf = (n: number): Buffer => Buffer.from(`key${String(n).padStart(3, '0')}`);

function valueOf(rand: () => number, n: number, round: number): Buffer {
  // mostly short values, some long enough that one version fills a 256-byte block on its own
  const len = randInt(rand, 8) === 0 ? 300 : 1 + randInt(rand, 20);
  return Buffer.alloc(len, `${n}.${round}.`);
}

const str = (entries: Array<[Buffer, Buffer]>): string =>
  entries.map(([k, v]) => `${k.toString()}=${v.toString('hex')}`).join(',');

/** Reads `it` to the end with nextv sizes drawn from `sizes`. */
function drain(it: ReturnType<Db['iterator']>, sizes: number[], rand: () => number): Array<[Buffer, Buffer]> {
  const out: Array<[Buffer, Buffer]> = [];
  for (;;) {
    const batch = it.nextv(sizes[randInt(rand, sizes.length)]!);
    if (batch.length === 0) break;
    out.push(...batch);
  }
  it.close();
  return out;
}

function check(db: Db, model: Model, rand: () => number, snapshotModel?: { snap: ReturnType<Db['snapshot']>; model: Model }): void {
  const sizes = [1, 2, 3, 7, 50, 1000];
  const m = snapshotModel?.model ?? model;
  const base = snapshotModel === undefined ? {} : { snapshot: snapshotModel.snap };
  expect(str(drain(db.iterator(base), sizes, rand))).toBe(str(m.entries()));
  expect(str(drain(db.iterator({ ...base, reverse: true }), sizes, rand))).toBe(str(m.entries().reverse()));
  for (let i = 0; i < 8; i++) {
    const a = keyOf(randInt(rand, 130));
    const b = keyOf(randInt(rand, 130));
    const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
    const opts: Record<string, unknown> = { ...base, reverse: rand() < 0.5 };
    if (rand() < 0.7) opts[rand() < 0.5 ? 'gt' : 'gte'] = lo;
    if (rand() < 0.7) opts[rand() < 0.5 ? 'lt' : 'lte'] = hi;
    if (rand() < 0.3) opts.limit = randInt(rand, 30);
    expect(str(drain(db.iterator(opts), sizes, rand))).toBe(str(m.range(opts)));
  }
  // a reused iterator: seek + nextv, both directions
  for (const reverse of [false, true]) {
    const it = db.iterator({ ...base, reverse });
    for (let i = 0; i < 10; i++) {
      const t = keyOf(randInt(rand, 130));
      it.seek(t);
      const n = 1 + randInt(rand, 12);
      const want = m.range(reverse ? { lte: t, reverse, limit: n } : { gte: t, limit: n });
      expect(str(it.nextv(n))).toBe(str(want));
    }
    it.close();
  }
}

describe('db-iterator batches', () => {
  it('agree with the model across blocks, tables, levels, versions, deletions and snapshots', async () => {
    const rand = prng(4242);
    const { db } = await fresh({ blockSize: 256, writeBufferSize: 8192 });
    const model = new Model();
    let snap: { snap: ReturnType<Db['snapshot']>; model: Model } | undefined;
    for (let round = 0; round < 8; round++) {
      randomWrites(db, model, rand, {
        ops: 400,
        keys: 120,
        deleteShare: 0.25,
        key: keyOf,
        value: (r, n) => valueOf(r, n, round),
      });
      if (round === 3) snap = { snap: db.snapshot(), model: model.clone() };
      if (round % 3 === 1) await db.flush();
      if (round % 4 === 2) await db.compactRange();
      check(db, model, rand);
      if (snap !== undefined) check(db, model, rand, snap);
    }
    snap?.snap.release();
    expect(db.stats().levels.some((l, i) => i > 0 && l.files > 0)).toBe(true);
  });

  it('hands out entries the caller owns: changing one changes no other entry and no later read', async () => {
    const { db } = await fresh({ blockSize: 256 });
    for (let i = 0; i < 50; i++) db.put(keyOf(i), Buffer.from(`value${i}`));
    await db.flush();
    for (const reverse of [false, true]) {
      const first = db.iterator({ reverse }).nextv(1000);
      for (const [k, v] of first) {
        k.fill(0);
        v.fill(0);
      }
      const again = db.iterator({ reverse }).all();
      expect(again.map(([k, v]) => `${k}=${v}`)).toEqual(
        Array.from({ length: 50 }, (_, i) => `${keyOf(reverse ? 49 - i : i)}=value${reverse ? 49 - i : i}`),
      );
    }
  });

  it('keys: false / values: false leave that part undefined in batches', async () => {
    const { db } = await fresh({ blockSize: 256 });
    for (let i = 0; i < 30; i++) db.put(keyOf(i), Buffer.from(`v${i}`));
    await db.flush();
    db.put(keyOf(5), Buffer.from('newer'));
    for (const reverse of [false, true]) {
      const k = db.iterator({ reverse, values: false }).all();
      expect(k.every(([, v]) => v === undefined)).toBe(true);
      expect(k.map(([key]) => key.toString())).toEqual(
        Array.from({ length: 30 }, (_, i) => keyOf(reverse ? 29 - i : i).toString()),
      );
      const v = db.iterator({ reverse, keys: false }).all();
      expect(v.every(([key]) => key === undefined)).toBe(true);
      expect(v.map(([, val]) => val.toString())[reverse ? 24 : 5]).toBe('newer');
    }
  });
});
