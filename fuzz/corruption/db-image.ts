/**
 * db-image — builds the database the corruption harness damages: tables on several levels, a MANIFEST with a
 * history of flush and compaction edits after its opening snapshot, and WALs holding unflushed writes (the
 * process is killed with FaultInjectionVfs.kill(), not closed, so the WALs stay), and captures it as plain bytes
 * per file name. Each case restores a fresh FaultInjectionVfs from the image, damages one file and opens it.
 *
 * The image also records what the harness needs to judge an outcome: the history of acknowledged writes, which
 * tables the MANIFEST names, which WALs are replayed (and which write each starts with), and record offsets.
 * Deterministic for a seed. Used by the corruption harness only.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FaultInjectionVfs, open, selectCodec, type Db, type Options } from '../../src/index.js';
import { parseFileName } from '../../src/base/file-names.js';
import { batchFirstSequence } from '../../src/batch/write-batch.js';
import { codecFor } from '../../src/codec/loader.js';
import { readLog } from '../../src/log/log-reader.js';
import { decodeVersionEdit } from '../../src/manifest/version-edit.js';
import { History, type Op } from './history.js';
import { Prng } from '../common/prng.js';

export const DB_DIR = '/db';

export type ImageOptions = Omit<Partial<Options>, 'vfs'>;

export interface LogRecords {
  /** Offset of each record's first fragment. */
  offsets: number[];
}

export interface WalInfo extends LogRecords {
  name: string;
  /** Index in the history of the first write this WAL holds (history.length when it holds none). */
  firstWrite: number;
}

export interface DbImage {
  seed: number;
  options: ImageOptions;
  files: Map<string, Buffer>;
  history: History;
  manifest: string;
  manifestRecords: LogRecords;
  /** Tables the MANIFEST names. */
  liveTables: Set<string>;
  /** WALs that open replays, oldest first (the last is the newest WAL, read with the torn-tail rule). */
  wals: WalInfo[];
}

const TS_CODEC = codecFor('typescript');

function keyFor(rng: Prng): string {
  const n = rng.below(320);
  const base = `key${String(n).padStart(4, '0')}`;
  // Some longer keys sharing a prefix exercise prefix compression and restart points.
  return n % 9 === 0 ? `${base}/sub${n % 4}` : base;
}

function valueFor(rng: Prng, writeIndex: number, key: string, big: boolean): string {
  const tag = `v${writeIndex}:${key}:`;
  const len = big ? 33_000 + rng.below(20_000) : rng.chance(0.05) ? 1000 + rng.below(3000) : rng.below(160);
  const random = rng.chance(0.5);
  let fill = '';
  const c = String.fromCharCode(97 + rng.below(26));
  for (let i = 0; i < len; i++) fill += random ? String.fromCharCode(33 + rng.below(90)) : c;
  return tag + fill;
}

function randomOps(rng: Prng, writeIndex: number, big: boolean): Op[] {
  const r = rng.float();
  const count = r < 0.75 ? 1 : 2 + rng.below(6);
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const key = keyFor(rng);
    ops.push({ key, value: rng.chance(0.18) ? undefined : valueFor(rng, writeIndex, key, big && i === 0) });
  }
  return ops;
}

function applyToDb(db: Db, ops: Op[]): void {
  if (ops.length === 1) {
    const op = ops[0]!;
    if (op.value === undefined) db.delete(Buffer.from(op.key, 'latin1'));
    else db.put(Buffer.from(op.key, 'latin1'), Buffer.from(op.value, 'latin1'));
    return;
  }
  const b = db.batch();
  for (const op of ops) {
    if (op.value === undefined) b.delete(Buffer.from(op.key, 'latin1'));
    else b.put(Buffer.from(op.key, 'latin1'), Buffer.from(op.value, 'latin1'));
  }
  db.write(b);
}

function applyAsync(db: Db, ops: Op[]): Promise<void> {
  const b = db.batch();
  for (const op of ops) {
    if (op.value === undefined) b.delete(Buffer.from(op.key, 'latin1'));
    else b.put(Buffer.from(op.key, 'latin1'), Buffer.from(op.value, 'latin1'));
  }
  return db.writeAsync(b);
}

function randomOptions(rng: Prng): ImageOptions {
  const nativeAvailable = selectCodec().codec.kind === 'native';
  return {
    writeBufferSize: rng.pick([4096, 8192, 16384]),
    blockSize: rng.pick([256, 512, 1024, 4096]),
    blockRestartInterval: rng.pick([1, 4, 16]),
    bloomBitsPerKey: rng.pick([0, 10]),
    compression: rng.pick(['snappy', 'none'] as const),
    targetFileSize: rng.pick([2048, 4096, 8192]),
    maxBytesForLevelBase: rng.pick([4096, 16384]),
    level0CompactionTrigger: 2 + rng.below(3),
    codec: nativeAvailable && rng.chance(0.5) ? 'native' : 'typescript',
  };
}

async function randomWrites(db: Db, history: History, rng: Prng, count: number, yieldEvery: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const ops = randomOps(rng, history.length, false);
    applyToDb(db, ops);
    history.add(ops);
    if (yieldEvery > 0 && rng.below(yieldEvery) === 0) await new Promise((r) => setImmediate(r));
  }
}

function randomKeyRange(rng: Prng): [string | undefined, string | undefined] {
  const a = keyFor(rng);
  const b = keyFor(rng);
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return [rng.chance(0.2) ? undefined : lo, rng.chance(0.2) ? undefined : hi];
}

/** Builds the damaged-database-to-be for `seed`: the database is left killed with unflushed WAL writes. */
export async function buildImage(seed: number): Promise<DbImage> {
  const rng = new Prng(seed);
  const options = randomOptions(rng);
  let vfs = new FaultInjectionVfs({ seed });
  const history = new History();
  let db = await open(DB_DIR, { ...options, vfs });
  // Phase 1: enough writes, with background turns, to fill several levels.
  await randomWrites(db, history, rng, 900 + rng.below(600), 20);
  await db.compactRange();
  await db.close();
  // Phase 2: a fresh MANIFEST (every open writes one) followed by flush and compaction edits.
  db = await open(DB_DIR, { ...options, vfs });
  const rounds = 2 + rng.below(4);
  for (let r = 0; r < rounds; r++) {
    await randomWrites(db, history, rng, 100 + rng.below(200), 10);
    if (rng.chance(0.5)) await db.flush();
    if (rng.chance(0.4)) {
      const [lo, hi] = randomKeyRange(rng);
      await db.compactRange(lo, hi);
    }
  }
  // Phase 3: writes that stay in WALs (sometimes across a rotation, leaving an older WAL and an immutable
  // memtable), some group-committed, some large enough to span WAL blocks; then the process dies.
  const tail = 20 + rng.below(rng.chance(0.3) ? 600 : 150);
  for (let i = 0; i < tail; i++) {
    if (rng.chance(0.1)) {
      const group: Promise<void>[] = [];
      const n = 2 + rng.below(5);
      for (let j = 0; j < n; j++) {
        const ops = randomOps(rng, history.length, rng.chance(0.1));
        group.push(applyAsync(db, ops));
        history.add(ops);
      }
      await Promise.all(group);
    } else {
      const ops = randomOps(rng, history.length, rng.chance(0.01));
      applyToDb(db, ops);
      history.add(ops);
    }
  }
  vfs = vfs.kill();
  return captureImage(seed, options, vfs, history);
}

function logRecords(data: Buffer, name: string, onRecord?: (payload: Buffer) => void): LogRecords {
  const offsets: number[] = [];
  readLog(data, name, TS_CODEC, 'tolerate-tail', (payload, offset) => {
    offsets.push(offset);
    onRecord?.(payload);
  });
  return { offsets };
}

function captureImage(seed: number, options: ImageOptions, vfs: FaultInjectionVfs, history: History): DbImage {
  const files = new Map<string, Buffer>();
  // LOCK names this (live) process: leaving it would make the `lsmkv verify` check see a locked database.
  for (const name of vfs.fileNames(DB_DIR)) {
    if (name !== 'LOCK') files.set(name, vfs.readRaw(`${DB_DIR}/${name}`));
  }
  const manifest = files.get('CURRENT')!.toString('latin1').trim();
  const manifestData = files.get(manifest)!;
  const live = new Set<number>();
  let logNumber = 0;
  const manifestRecords = logRecords(manifestData, manifest, (payload) => {
    const edit = decodeVersionEdit(payload, manifest, 0);
    if (edit.logNumber !== undefined) logNumber = edit.logNumber;
    for (const d of edit.deletedFiles) live.delete(d.number);
    for (const f of edit.newFiles) live.add(f.file.number);
  });
  const liveTables = new Set([...files.keys()].filter((n) => {
    const p = parseFileName(n);
    return p?.type === 'table' && live.has(p.number);
  }));
  const walNames = [...files.keys()]
    .filter((n) => {
      const p = parseFileName(n);
      return p?.type === 'log' && p.number >= logNumber;
    })
    .sort();
  const wals: WalInfo[] = walNames.map((name) => {
    let firstSeq = -1;
    const recs = logRecords(files.get(name)!, name, (payload) => {
      if (firstSeq < 0) firstSeq = batchFirstSequence(payload);
    });
    return { name, offsets: recs.offsets, firstWrite: firstSeq < 0 ? -1 : history.writeOfSequence(firstSeq) };
  });
  // An empty WAL starts where the next one (or the end of the history) starts.
  for (let i = wals.length - 1; i >= 0; i--) {
    if (wals[i]!.firstWrite < 0) wals[i]!.firstWrite = i + 1 < wals.length ? wals[i + 1]!.firstWrite : history.length;
  }
  return { seed, options, files, history, manifest, manifestRecords, liveTables, wals };
}

/** A fresh FaultInjectionVfs holding `files` (every byte and entry durable) in DB_DIR. */
export function restore(files: ReadonlyMap<string, Buffer>, seed: number): FaultInjectionVfs {
  const vfs = new FaultInjectionVfs({ seed });
  vfs.mkdir(DB_DIR);
  for (const [name, data] of files) {
    const f = vfs.openWritable(`${DB_DIR}/${name}`);
    f.append(data);
    f.sync();
    f.close();
  }
  vfs.syncDir(DB_DIR);
  return vfs;
}

/** Writes `files` into a real directory (for the `lsmkv verify` check). */
export function materialize(files: ReadonlyMap<string, Buffer>, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
}
