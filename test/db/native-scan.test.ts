/**
 * native-scan: the native merge step (Codec.scanMerge, native/scan-merge.cc, driven by src/db/native-scan.ts) and
 * its TypeScript twin (src/db/scan-merge-ts.ts) against the TypeScript run path of DbIterator on the same
 * database, and against a model. Seeded random
 * databases put versions of one key in different blocks, tables, levels and memtables, with deletions, snapshots,
 * keys longer than 16 bytes sharing prefixes, empty values, bounds, limits, nextv sizes 1..1000 and seeks between
 * calls. Damaged or invalid input to the step returns a status and never crashes. The step's cache object (memtable
 * chunk pointers kept across steps) gives the twin's bytes as a memtable grows and when another memtable comes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Codec } from '../../src/codec/codec.js';
import { codecFor } from '../../src/codec/loader.js';
import { ScanStop } from '../../src/db/native-scan.js';
import { scanMergeTs } from '../../src/db/scan-merge-ts.js';
import { MemTable } from '../../src/memtable/memtable.js';
import type { Db } from '../../src/index.js';
import { useFreshDb } from '../helpers/fresh-db.js';
import { Model, prng, randInt, randomWrites } from '../helpers/model.js';

const { fresh } = useFreshDb();

let native: Codec | undefined;
try {
  native = codecFor('native');
} catch {
  native = undefined;
}
const hasStep = native?.scanMerge !== undefined;
/** The codec object the db uses (memoized): the test swaps its scanMerge to read with and without the step. */
const mutable = native as { scanMerge?: Codec['scanMerge'] } | undefined;
const original = native?.scanMerge;
let steps = 0;
const counting: NonNullable<Codec['scanMerge']> = (...args) => {
  steps++;
  return original!(...args);
};

afterEach(() => {
  if (mutable !== undefined) mutable.scanMerge = original;
});

const PREFIX = 'tenant-0042/orders/';
/** Keys longer than 16 bytes sharing a 19-byte prefix, plus short ones that are prefixes of others. */
function keyOf(n: number): Buffer {
  if (n % 17 === 0) return Buffer.from(`k${n % 7}`);
  return Buffer.from(`${PREFIX}${String(n).padStart(5, '0')}${n % 3 === 0 ? '/x' : ''}`);
}

function valueOf(rand: () => number, n: number, round: number): Buffer {
  const r = randInt(rand, 10);
  if (r === 0) return Buffer.alloc(0);
  return Buffer.alloc(r === 1 ? 300 : 1 + randInt(rand, 40), `${n}.${round}.`);
}

/** 300 random puts (20% deletes) of keys 0..399 into db and model. */
function writeRandom(db: Db, model: Model, rand: () => number, round: number): void {
  randomWrites(db, model, rand, { ops: 300, keys: 400, deleteShare: 0.2, key: keyOf, value: (r, n) => valueOf(r, n, round) });
}

type Entries = Array<[Buffer | undefined, Buffer | undefined]>;
const str = (entries: Entries): string =>
  entries.map(([k, v]) => `${k === undefined ? '-' : k.toString('hex')}=${v === undefined ? '-' : v.toString('hex')}`).join(',');

interface Read {
  opts: Record<string, unknown>;
  /** nextv sizes, and seek targets (a string) between calls. */
  script: Array<number | Buffer>;
}

function run(db: Db, read: Read): string {
  const it = db.iterator(read.opts);
  const out: string[] = [];
  for (const s of read.script) {
    if (typeof s === 'number') out.push(str(it.nextv(s)));
    else {
      it.seek(s);
      out.push('seek');
    }
  }
  out.push(str(it.all()));
  return out.join('|');
}

function randomRead(rand: () => number, base: Record<string, unknown>, seeks: boolean): Read {
  const opts: Record<string, unknown> = { ...base };
  const a = keyOf(randInt(rand, 400));
  const b = keyOf(randInt(rand, 400));
  const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
  if (rand() < 0.5) opts[rand() < 0.5 ? 'gt' : 'gte'] = lo;
  if (rand() < 0.5) opts[rand() < 0.5 ? 'lt' : 'lte'] = hi;
  if (rand() < 0.2) opts.limit = randInt(rand, 60);
  if (rand() < 0.15) opts.keys = false;
  else if (rand() < 0.15) opts.values = false;
  if (rand() < 0.4) opts.reverse = true;
  const sizes = [1, 2, 3, 5, 17, 64, 333, 1000];
  const script: Array<number | Buffer> = [];
  for (let i = 0; i < 6; i++) {
    if (seeks && rand() < 0.4) script.push(keyOf(randInt(rand, 400)));
    script.push(sizes[randInt(rand, sizes.length)]!);
  }
  return { opts, script };
}

function modelRead(m: Model, read: Read): string {
  const o = read.opts as { reverse?: boolean; limit?: number; keys?: boolean; values?: boolean };
  const shape = (e: Array<[Buffer, Buffer]>): Entries =>
    e.map(([k, v]) => [o.keys === false ? undefined : k, o.values === false ? undefined : v]);
  let all = m.range(read.opts);
  let taken = 0;
  const out: string[] = [];
  let pos = 0;
  const limit = o.limit ?? Infinity;
  for (const s of read.script) {
    if (typeof s !== 'number') {
      const cmp = (k: Buffer): boolean => (o.reverse ? Buffer.compare(k, s) <= 0 : Buffer.compare(k, s) >= 0);
      all = m.range({ ...read.opts, limit: undefined });
      pos = all.findIndex(([k]) => cmp(k));
      if (pos < 0) pos = all.length;
      out.push('seek');
      continue;
    }
    const n = Math.min(s, limit - taken);
    const part = all.slice(pos, pos + Math.max(0, n));
    pos += part.length;
    taken += part.length;
    out.push(str(shape(part)));
  }
  out.push(str(shape(all.slice(pos, pos + Math.max(0, limit - taken)))));
  return out.join('|');
}

describe.skipIf(!hasStep)('native scan step (both directions)', () => {
  it('returns what the TypeScript run path and the model return, over seeded random databases', async () => {
    for (const seed of [1, 2, 3]) {
      const rand = prng(9000 + seed);
      const { db } = await fresh({ blockSize: 256, writeBufferSize: 4096 + 4096 * seed, codec: 'native' });
      const model = new Model();
      const snaps: Array<{ snap: ReturnType<Db['snapshot']>; model: Model }> = [];
      for (let round = 0; round < 6; round++) {
        writeRandom(db, model, rand, round);
        if (rand() < 0.4) snaps.push({ snap: db.snapshot(), model: model.clone() });
        if (round % 2 === 0) await db.flush();
        if (round === 3) await db.compactRange();
        const views = [{ base: {}, model }, ...snaps.map((s) => ({ base: { snapshot: s.snap }, model: s.model }))];
        for (const view of views) {
          for (let r = 0; r < 12; r++) {
            const read = randomRead(rand, view.base, r >= 4);
            mutable!.scanMerge = counting;
            const viaNative = run(db, read);
            mutable!.scanMerge = scanMergeTs;
            const viaTwin = run(db, read);
            mutable!.scanMerge = undefined;
            const viaTs = run(db, read);
            mutable!.scanMerge = original;
            expect(viaNative).toBe(viaTs);
            expect(viaTwin).toBe(viaTs);
            expect(viaNative).toBe(modelRead(view.model, read));
          }
        }
      }
      for (const s of snaps) s.snap.release();
    }
    expect(steps).toBeGreaterThan(100);
  });

  it('full scans of a memtable plus overlapping tables match the TypeScript path, forward and reverse', async () => {
    const rand = prng(77);
    const { db } = await fresh({ blockSize: 1024, writeBufferSize: 1 << 20, codec: 'native' });
    for (let t = 0; t < 3; t++) {
      for (let i = 0; i < 2000; i++) db.put(keyOf(randInt(rand, 5000)), Buffer.alloc(randInt(rand, 30), t));
      await db.flush();
    }
    for (let i = 0; i < 3000; i++) {
      if (rand() < 0.1) db.delete(keyOf(randInt(rand, 5000)));
      else db.put(keyOf(randInt(rand, 5000)), Buffer.alloc(randInt(rand, 30), 9));
    }
    steps = 0;
    mutable!.scanMerge = counting;
    const a = db.iterator().all();
    mutable!.scanMerge = undefined;
    const b = db.iterator().all();
    expect(str(a)).toBe(str(b));
    mutable!.scanMerge = scanMergeTs;
    expect(str(db.iterator().all())).toBe(str(b));
    expect(str(db.iterator({ reverse: true }).all())).toBe(str(b.slice().reverse()));
    expect(a.length).toBeGreaterThan(2000);
    // One crossing per block-sized step, not per entry.
    expect(steps).toBeLessThan(a.length / 4);
    steps = 0;
    mutable!.scanMerge = counting;
    const c = db.iterator({ reverse: true }).all();
    mutable!.scanMerge = undefined;
    const d = db.iterator({ reverse: true }).all();
    expect(str(c)).toBe(str(d));
    expect(str(c)).toBe(str(a.slice().reverse()));
    expect(steps).toBeLessThan(c.length / 4);
  });

  it('returns a status for damaged or invalid input, never crashes', () => {
    const step = original!;
    const keys = Buffer.from('aaaaaaaa\x01\x00\x00\x00\x00\x00\x00\x00bbbbbbbb\x01\x02\x00\x00\x00\x00\x00\x00', 'latin1');
    const keyOffsets = new Uint32Array([0, 16, 32]);
    const data = Buffer.from('xyzw');
    const valueOffsets = new Uint32Array([0, 2, 2, 4]);
    const ctl = (idx: number, count: number, type = 0, n = 1): Int32Array => {
      const c = new Int32Array(16);
      c.set([n, 2 | 4, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, type, idx, count, 0]);
      return c;
    };
    const cand = new Uint8Array(16);
    const call = (srcs: unknown[], c: Int32Array, stage = new Uint8Array(64), ends = new Int32Array(20)): number =>
      step(srcs, c, 1000, new Uint8Array(16), new Uint8Array(0), new Uint8Array(0), stage, ends, cand, cand);
    // Sound input: both entries come out.
    const good = ctl(0, 2);
    expect(call([keys, keyOffsets, data, valueOffsets], good)).toBe(ScanStop.BLOCK_END);
    expect(good[4]).toBe(2);
    // Damaged offsets, out-of-range index and count, wrong types, short arrays.
    expect(call([keys, new Uint32Array([0, 16, 99]), data, valueOffsets], ctl(0, 2))).toBe(ScanStop.BAD_BLOCK);
    expect(call([keys, new Uint32Array([0, 16, 4]), data, valueOffsets], ctl(1, 2))).toBe(ScanStop.BAD_BLOCK);
    expect(call([keys, keyOffsets, data, new Uint32Array([0, 2, 2, 99])], ctl(0, 2))).toBe(ScanStop.BAD_BLOCK);
    expect(call([keys, keyOffsets, data, valueOffsets], ctl(5, 2))).toBe(ScanStop.BAD_ARGUMENTS);
    expect(call([keys, keyOffsets, data, valueOffsets], ctl(0, 9))).toBe(ScanStop.BAD_ARGUMENTS);
    expect(call([keys, keyOffsets, data, valueOffsets], ctl(0, 2, 7))).toBe(ScanStop.BAD_ARGUMENTS);
    expect(call([keys, keyOffsets, data, valueOffsets], ctl(0, 2, 0, 2))).toBe(ScanStop.BAD_ARGUMENTS);
    expect(call([keyOffsets, keys, data, valueOffsets], ctl(0, 2))).toBe(ScanStop.BAD_ARGUMENTS);
    expect(call([keys, keyOffsets, data, valueOffsets], new Int32Array(3))).toBe(ScanStop.BAD_ARGUMENTS);
    expect(step([], new Int32Array(16), -1, keys, keys, keys, keys, new Int32Array(2), keys, keys)).toBe(
      ScanStop.BAD_ARGUMENTS,
    );
    // The TypeScript twin gives the same stops, positions and bytes on sound input, both directions.
    for (const flags of [2 | 4, 2 | 4 | 128, 2, 4 | 128]) {
      const outs = [step, scanMergeTs].map((fn) => {
        const c = ctl(flags & 128 ? 1 : 0, 2);
        c[1] = flags;
        const stage = new Uint8Array(64);
        const ends = new Int32Array(20);
        const candK = new Uint8Array(16);
        const candV = new Uint8Array(16);
        const r = fn([keys, keyOffsets, data, valueOffsets], c, 1000, new Uint8Array(16), keys, keys, stage, ends, candK, candV);
        return [r, [...c], [...stage], [...ends], [...candK], [...candV]];
      });
      expect(outs[1]).toEqual(outs[0]);
    }
    const badCand = ctl(0, 2);
    badCand[7] = 17; // candidate key length beyond its array
    expect(call([keys, keyOffsets, data, valueOffsets], badCand)).toBe(ScanStop.BAD_ARGUMENTS);
    // Reverse from entry 1: both entries come out, largest first, then the block's start stops the step.
    const back = ctl(1, 2);
    back[1] = 2 | 4 | 128;
    expect(call([keys, keyOffsets, data, valueOffsets], back)).toBe(ScanStop.BLOCK_END);
    expect([back[4], back[13], back[1]! & 256]).toEqual([1, -1, 256]); // "bbbbbbbb" out, "aaaaaaaa" the candidate
    // A too-small staging area stops before the entry (not consumed), then a larger one takes it.
    const small = ctl(0, 2);
    expect(call([keys, keyOffsets, data, valueOffsets], small, new Uint8Array(4))).toBe(ScanStop.STAGE_FULL);
    expect([small[4], small[13]]).toEqual([0, 0]);
    // Memtable sources: node positions, chunk indices and entry ranges out of range.
    const links = new Int32Array(64);
    const chunk = Buffer.concat([keys.subarray(0, 16), data]);
    links.set([0, 0, 16, 4, 0], 24); // node 24: chunk 0, offset 0, key 16 bytes, value 4
    expect(call([links, [chunk], 0, 0], ctl(24, 0, 1))).toBe(ScanStop.END);
    expect(call([links, [chunk], 0, 0], ctl(63, 0, 1))).toBe(ScanStop.BAD_NODE);
    expect(call([links, [chunk], 0, 0], ctl(-4, 0, 1))).toBe(ScanStop.BAD_NODE);
    expect(call([links, [], 0, 0], ctl(24, 0, 1))).toBe(ScanStop.BAD_NODE);
    expect(call([links, ['not bytes'], 0, 0], ctl(24, 0, 1))).toBe(ScanStop.BAD_NODE);
    links[24 + 3] = 1000; // value runs past the chunk
    expect(call([links, [chunk], 0, 0], ctl(24, 0, 1))).toBe(ScanStop.BAD_NODE);
    links[24 + 3] = 4;
    links[24 + 9] = 9999; // next link outside the link array
    expect(call([links, [chunk], 0, 0], ctl(24, 0, 1))).toBe(ScanStop.BAD_NODE);
    expect(call([keys, [chunk], 0, 0], ctl(24, 0, 1))).toBe(ScanStop.BAD_ARGUMENTS);
  });

  it('keeps memtable chunk pointers in the cache object across steps: same bytes as the twin as chunks come', () => {
    const step = original!;
    const rand = prng(4242);
    /** Scans memtable `mt` from its first node in steps of `max` entries; every step's stop, ctl and batch. */
    const scan = (fn: typeof step, mt: MemTable, max: number, cache?: object, from = mt.firstNode()): string[] => {
      const out: string[] = [];
      const skip = new Uint8Array(64);
      const c = new Int32Array(16);
      c.set([1, 2 | 4, 0, 0, 0, max, 0, 0, 0, 0, 0, 0, 1, from, 0, 0]);
      for (let guard = 0; guard < 10_000; guard++) {
        c[3] = 0;
        c[4] = 0;
        const stage = new Uint8Array(4096);
        const ends = new Int32Array(2 * max);
        const cand = new Uint8Array(64);
        const srcs = [mt.linkArray(), mt.arenaChunks(), 0, 0];
        const r = fn(srcs, c, 1e6, skip, new Uint8Array(0), new Uint8Array(0), stage, ends, cand, cand, cache);
        out.push(`${r}:${[...c].join(',')}:${Buffer.from(stage.subarray(0, c[3])).toString('hex')}`);
        if (r !== ScanStop.BATCH_FULL) break;
      }
      return out;
    };
    const fill = (mt: MemTable, from: number, n: number, seq: number): void => {
      for (let i = 0; i < n; i++) {
        const k = Buffer.from(`key-${String(from + randInt(rand, 5000)).padStart(6, '0')}`);
        mt.add(seq + i, 1, k, Buffer.alloc(20 + randInt(rand, 200), i));
      }
    };
    // Small chunks, so a step's entries come from many of them.
    const mt = new MemTable({ chunkSize: 1024 });
    fill(mt, 0, 300, 1);
    const cache = {};
    const twin = scan(scanMergeTs, mt, 7);
    expect(twin.length).toBeGreaterThan(30);
    expect(mt.arenaChunks().length).toBeGreaterThan(20);
    expect(scan(step, mt, 7, cache)).toEqual(twin);
    expect(scan(step, mt, 7)).toEqual(twin);
    // The same memtable grows (new chunks appended to the same array): the cache resolves the new ones.
    fill(mt, 0, 300, 1000);
    const grown = scan(scanMergeTs, mt, 11);
    expect(scan(step, mt, 11, cache)).toEqual(grown);
    // Another memtable at the same source index, through the same cache: its own chunks, not the cached ones.
    const other = new MemTable({ chunkSize: 1024 });
    fill(other, 7, 200, 1);
    expect(scan(step, other, 5, cache)).toEqual(scan(scanMergeTs, other, 5));
    expect(scan(step, mt, 11, cache)).toEqual(grown);
    // Not a cache: a number. Any other object becomes one on first use (a Map here).
    expect(scan(step, mt, 3, 7 as unknown as object)[0]).toMatch(/^-201:/);
    const map = new Map<number, number>();
    expect(scan(step, mt, 3, map)).toEqual(scan(scanMergeTs, mt, 3));
  });

  it('survives seeded random damage to blocks, link arrays and the control array', () => {
    const step = original!;
    const rand = prng(31337);
    const statuses = new Set<number>();
    const cache = {}; // shared by half the rounds: each brings its own chunks array
    for (let round = 0; round < 3000; round++) {
      const count = 1 + randInt(rand, 6);
      const keys = Buffer.alloc(count * 12 + randInt(rand, 8));
      for (let i = 0; i < keys.length; i++) keys[i] = randInt(rand, 256);
      const keyOffsets = new Uint32Array(count + 1 + randInt(rand, 2));
      for (let i = 1; i < keyOffsets.length; i++) keyOffsets[i] = keyOffsets[i - 1]! + 8 + randInt(rand, 6);
      const data = Buffer.alloc(randInt(rand, 40));
      const valueOffsets = new Uint32Array(2 * count + randInt(rand, 2));
      for (let i = 0; i < valueOffsets.length; i++) valueOffsets[i] = randInt(rand, 48);
      const links = new Int32Array(40 + randInt(rand, 40));
      for (let i = 0; i < links.length; i++) links[i] = randInt(rand, 4) === 0 ? randInt(rand, 80) - 4 : randInt(rand, 24);
      const chunk = Buffer.alloc(randInt(rand, 64));
      const c = new Int32Array(12 + 8);
      c.set([2, randInt(rand, 512), randInt(rand, 20), randInt(rand, 70), 0, 1 + randInt(rand, 12)]);
      c.set([randInt(rand, 3), randInt(rand, count + 2) - 1, count + randInt(rand, 3) - 1, 0], 12);
      c.set([randInt(rand, 4) === 0 ? 2 : 1, randInt(rand, links.length + 4) - 2, 0, 0], 16);
      if (randInt(rand, 20) === 0) c[randInt(rand, c.length)] = randInt(rand, 1 << 30) - (1 << 29);
      const r = step(
        [keys, keyOffsets, data, valueOffsets, links, [chunk], 0, 0],
        c,
        randInt(rand, 1 << 20),
        new Uint8Array(16),
        keys.subarray(0, 8),
        keys.subarray(4, 12),
        new Uint8Array(64),
        new Int32Array(32),
        new Uint8Array(16),
        new Uint8Array(16),
        randInt(rand, 2) === 0 ? cache : undefined,
      );
      expect(Number.isInteger(r)).toBe(true);
      statuses.add(r);
    }
    // The damage reached every kind of check, and some inputs were still sound.
    for (const s of [ScanStop.BAD_ARGUMENTS, ScanStop.BAD_BLOCK, ScanStop.BAD_NODE]) expect(statuses).toContain(s);
    expect([...statuses].some((s) => s >= 0)).toBe(true);
  });
});

describe('TypeScript codec scans (the step\'s TypeScript twin)', () => {
  it('agree with the model across memtables, tables and levels, both directions', async () => {
    const rand = prng(4711);
    const { db } = await fresh({ blockSize: 256, writeBufferSize: 6000, codec: 'typescript' });
    const model = new Model();
    for (let round = 0; round < 4; round++) {
      writeRandom(db, model, rand, round);
      if (round === 1) await db.flush();
      if (round === 2) await db.compactRange();
      for (let r = 0; r < 10; r++) {
        const read = randomRead(rand, {}, r >= 3);
        expect(run(db, read)).toBe(modelRead(model, read));
      }
    }
  });
});
