/**
 * Point reads through the memtables' whole-key filters (src/memtable/memtable-filter.ts, src/db/read-path.ts) on
 * both codecs: random puts, deletes and batches (so the native batch stager or TypeScript staging), with
 * snapshots taken along the way and immutable memtables waiting for their flush, must read exactly as a model:
 * present, overwritten, deleted and never-written keys, at the latest sequence and at every snapshot; and again
 * after a reopen (WAL replay) and after a flush. A key or tombstone left out of a filter reads wrong here.
 */

import { describe, expect, it } from 'vitest';
import { open, type Db, type Snapshot } from '../../src/index.js';
import { Model, prng, randInt, type Writable } from '../helpers/model.js';
import { tempDir } from '../helpers/tmp-dir.js';
import { loadNativeForTests } from '../codec/load-native.js';

const nativeAvailable = loadNativeForTests('memtable filter reads') !== undefined;

function keyOf(n: number): Buffer {
  return n % 5 === 0 ? Buffer.from(`long-key-shared-prefix/${n}`) : Buffer.from(String(n).padStart(16, '0'));
}

function expectValue(got: Buffer | undefined, want: Buffer | undefined, what: string): void {
  const same = got === undefined || want === undefined ? got === want : got.equals(want);
  if (!same) expect(got, what).toEqual(want);
}

/** Every key of 0..2×space-1 (the upper half never written) reads as the model says. */
function checkReads(read: (k: Buffer) => Buffer | undefined, model: Model, space: number, what: string): void {
  for (let n = 0; n < 2 * space; n++) expectValue(read(keyOf(n)), model.get(keyOf(n)), `${what}: key ${n}`);
}

/** One random put (70%) or delete of a key in 0..space-1, to `to` (a Db or a batch) and the model alike. */
function writeOne(to: Writable, model: Model, rand: () => number, i: number, space: number): void {
  const k = keyOf(randInt(rand, space));
  if (rand() < 0.3) {
    to.delete(k);
    model.delete(k);
  } else {
    const v = Buffer.from(`v${i}-${randInt(rand, 1e6)}`);
    to.put(k, v);
    model.put(k, v);
  }
}

/** Random writes of keys 0..space-1: single puts and deletes, and batches of both. */
function writeRandom(db: Db, model: Model, rand: () => number, ops: number, space: number): void {
  for (let i = 0; i < ops; ) {
    if (rand() < 0.3) {
      const b = db.batch();
      const n = 1 + randInt(rand, 50);
      for (let j = 0; j < n; j++, i++) writeOne(b, model, rand, i, space);
      db.write(b);
    } else {
      writeOne(db, model, rand, i++, space);
    }
  }
}

const codecs = ['typescript', 'native'] as const;

describe('point reads through memtable filters agree with a model', () => {
  for (const codec of codecs) {
    it.skipIf(codec === 'native' && !nativeAvailable)(`${codec} codec: memtables, snapshots, reopen, flush`, async () => {
      const t = tempDir();
      const space = 400;
      try {
        for (const seed of [1, 2]) {
          const rand = prng(seed * 7919);
          // A small write buffer (seed 2) rotates memtables, so some reads pass immutable ones first.
          const options = { codec, writeBufferSize: seed === 1 ? 4 << 20 : 24 * 1024 };
          let db = await open(`${t.path}/${seed}`, options);
          const model = new Model();
          const snaps: Array<{ snap: Snapshot; model: Model }> = [];
          for (let round = 0; round < 4; round++) {
            writeRandom(db, model, rand, 600, space);
            snaps.push({ snap: db.snapshot(), model: model.clone() });
            checkReads((k) => db.get(k), model, space, `${codec} seed ${seed} round ${round}`);
          }
          for (const [i, s] of snaps.entries()) {
            checkReads((k) => s.snap.get(k), s.model, space, `${codec} seed ${seed} snapshot ${i}`);
            s.snap.release();
          }
          await db.close();
          db = await open(`${t.path}/${seed}`, options);
          checkReads((k) => db.get(k), model, space, `${codec} seed ${seed} after reopen`);
          writeRandom(db, model, rand, 400, space);
          await db.flush();
          writeRandom(db, model, rand, 200, space);
          checkReads((k) => db.get(k), model, space, `${codec} seed ${seed} after flush`);
          await db.close();
        }
      } finally {
        t.remove();
      }
    });
  }
});
