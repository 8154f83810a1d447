/**
 * The engine against a sorted-map model: random puts, deletes and batches with flushes, compactions and reopens
 * in between; every read, iterator (all bound combinations, reverse, seek, limit) and snapshot must agree.
 */
import { describe, expect, it } from 'vitest';
import { FaultInjectionVfs, open, type Db, type Options } from '../../src/index.js';
import { Model, prng, randInt } from '../helpers/model.js';
import { tempDir } from '../helpers/tmp-dir.js';

function keyFor(rand: () => number, space: number): Buffer {
  const n = randInt(rand, space);
  // Mixed lengths and shared prefixes exercise prefix compression and ordering.
  return Buffer.from(`k${String(n).padStart(4, '0')}${n % 7 === 0 ? '/x' : ''}`);
}

function valueFor(rand: () => number): Buffer {
  const len = randInt(rand, 10) === 0 ? 2000 + randInt(rand, 6000) : randInt(rand, 60);
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = 97 + ((i * 7 + len) % 26);
  return b;
}

/** Entries as strings: vitest's deep equality on thousands of Buffers is slow, string equality is not. */
function str(entries: Array<[Buffer, Buffer]>): string[] {
  return entries.map(([k, v]) => `${k.toString('hex')}=${v.toString('hex')}`);
}

/** Buffer.equals first: vitest's toEqual only runs (for its message) when they differ. */
function expectValue(got: Buffer | undefined, want: Buffer | undefined): void {
  const same = got === undefined || want === undefined ? got === want : got.equals(want);
  if (!same) expect(got).toEqual(want);
}

function checkAll(db: Db, model: Model, rand: () => number): void {
  for (const [k, v] of model.entries()) expectValue(db.get(k), v);
  for (let i = 0; i < 50; i++) {
    const k = keyFor(rand, 600);
    expectValue(db.get(k), model.get(k));
  }
  expect(str(db.iterator().all())).toEqual(str(model.entries()));
  expect(str(db.iterator({ reverse: true }).all())).toEqual(str(model.entries().reverse()));
  for (let i = 0; i < 12; i++) {
    const a = keyFor(rand, 600);
    const b = keyFor(rand, 600);
    const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
    const opts: Record<string, unknown> = {};
    const lower = randInt(rand, 3);
    const upper = randInt(rand, 3);
    if (lower === 1) opts.gt = lo;
    if (lower === 2) opts.gte = lo;
    if (upper === 1) opts.lt = hi;
    if (upper === 2) opts.lte = hi;
    opts.reverse = rand() < 0.5;
    if (rand() < 0.3) opts.limit = randInt(rand, 20);
    expect(str(db.iterator(opts).all())).toEqual(str(model.range(opts)));
  }
  // seek
  const target = keyFor(rand, 600);
  const fwd = db.iterator();
  fwd.seek(target);
  expect(str(fwd.nextv(5))).toEqual(str(model.range({ gte: target }).slice(0, 5)));
  fwd.close();
  const rev = db.iterator({ reverse: true });
  rev.seek(target);
  expect(str(rev.nextv(5))).toEqual(str(model.range({ lte: target, reverse: true }).slice(0, 5)));
  rev.close();
}

async function runModel(seed: number, options: Partial<Options>, openAt: () => Promise<Db>): Promise<void> {
  const rand = prng(seed);
  const model = new Model();
  let db = await openAt();
  try {
    for (let round = 0; round < 8; round++) {
      const snapModel = model.clone();
      const snap = db.snapshot();
      const snapIter = db.iterator();
      const ops = 300 + randInt(rand, 500);
      for (let i = 0; i < ops; i++) {
        const r = rand();
        if (r < 0.55) {
          const k = keyFor(rand, 600);
          const v = valueFor(rand);
          db.put(k, v);
          model.put(k, v);
        } else if (r < 0.75) {
          const k = keyFor(rand, 600);
          db.delete(k);
          model.delete(k);
        } else {
          const b = db.batch();
          const n = 1 + randInt(rand, 20);
          for (let j = 0; j < n; j++) {
            const k = keyFor(rand, 600);
            if (rand() < 0.7) {
              const v = valueFor(rand);
              b.put(k, v);
              model.put(k, v);
            } else {
              b.delete(k);
              model.delete(k);
            }
          }
          db.write(b);
        }
      }
      const action = randInt(rand, 4);
      if (action === 1) await db.flush();
      if (action === 2) await db.compactRange();
      // The snapshot and the iterator opened before this round still see the old state, across flush/compaction.
      expect(str(snapIter.all())).toEqual(str(snapModel.entries()));
      snapIter.close();
      for (const [k, v] of snapModel.entries().slice(0, 100)) expectValue(snap.get(k), v);
      expect(str(snap.iterator().all())).toEqual(str(snapModel.entries()));
      snap.release();
      checkAll(db, model, rand);
      if (action === 3) {
        await db.close();
        db = await openAt();
        checkAll(db, model, rand);
      }
    }
    expect(options).toBeDefined();
  } finally {
    await db.close();
  }
}

const SMALL: Partial<Options> = {
  writeBufferSize: 16 * 1024,
  targetFileSize: 8 * 1024,
  blockSize: 512,
  maxBytesForLevelBase: 32 * 1024,
  level0CompactionTrigger: 2,
};

describe('model-based engine test', () => {
  for (const [name, extra] of [
    ['snappy + bloom', {}],
    ['no compression, no bloom, restart interval 1', { compression: 'none', bloomBitsPerKey: 0, blockRestartInterval: 1 }],
  ] as const) {
    it(`agrees with the model on the in-memory vfs (${name})`, async () => {
      const vfs = new FaultInjectionVfs();
      const options = { ...SMALL, ...extra, vfs };
      await runModel(42, options, () => open('/db', options));
    });
  }

  it('agrees with the model on disk with the worker thread', async () => {
    const t = tempDir();
    try {
      const options = { ...SMALL };
      await runModel(7, options, () => open(t.path, options));
    } finally {
      t.remove();
    }
  });
});
