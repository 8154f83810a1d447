/**
 * compaction-job — runs one flush or compaction: merges its inputs, drops what no reader can see, and writes
 * new tables. Decides nothing about WHAT to compact (that is ./compaction-picker.ts) and changes no version: it
 * returns the new files, and the db installs them with one version edit on the main thread.
 *
 * A Job is plain structured-cloneable data so it can cross to a worker thread (./compaction-worker.ts) or run
 * in-thread (./inline-runner.ts). Dropping rules, for entries ordered by internal key:
 *  - an entry is shadowed, and dropped, when a newer entry for the same user key is already visible to the
 *    oldest live snapshot (smallestSnapshot);
 *  - a deletion at or below smallestSnapshot is dropped when no level deeper than the output level can hold
 *    its user key (compactions only; a flush keeps every deletion, older memtables may hold the key).
 * Outputs are cut at targetFileSize (or when they would overlap too much of the grandparent level), only between
 * user keys, so one user key never spans two files of a level. Every output is fsynced, then the directory is,
 * before the job returns: the db may name the files in the MANIFEST as soon as it has the result.
 */

import { compareRanges, compareUserKeysOf } from '../base/comparator.js';
import { TRAILER_SIZE, ValueKind, trailerKind, trailerSequence, userKeyOf } from '../base/internal-key.js';
import { tableFileName } from '../base/file-names.js';
import type { InternalIterator } from '../base/iterator.js';
import type { Vfs } from '../base/vfs.js';
import type { Codec } from '../codec/codec.js';
import { newConcatenatingIterator } from '../iterator/concatenating-iterator.js';
import { newMergingIterator } from '../iterator/merging-iterator.js';
import type { FileMeta } from '../manifest/version-edit.js';
import { MemTable, type MemTableImage } from '../memtable/memtable.js';
import { TableBuilder, type TableBuilderOptions } from '../sstable/table-builder.js';
import { TableReader, type ReadStats } from '../sstable/table-reader.js';

export interface JobOutputOptions extends TableBuilderOptions {
  targetFileSize: number;
}

export interface FlushJob {
  kind: 'flush';
  dir: string;
  memtable: MemTableImage;
  fileNumber: number;
  smallestSnapshot: number;
  output: JobOutputOptions;
}

export interface CompactJob {
  kind: 'compact';
  dir: string;
  level: number;
  outputLevel: number;
  inputs: [FileMeta[], FileMeta[]];
  grandparents: FileMeta[];
  /** Files of every level deeper than outputLevel, each level sorted by key: for the deletion-drop rule. */
  deeperLevels: FileMeta[][];
  /** Preallocated output file numbers; when they run out the last output grows past the target size. */
  fileNumbers: number[];
  smallestSnapshot: number;
  output: JobOutputOptions;
}

export type Job = FlushJob | CompactJob;

export interface JobResult {
  outputs: FileMeta[];
  bytesRead: number;
  bytesWritten: number;
  entriesIn: number;
  entriesOut: number;
  millis: number;
}

export interface JobEnv {
  vfs: Vfs;
  codec: Codec;
  /** Called every PROGRESS_EVERY entries: the worker's heartbeat while a long job keeps its thread busy. */
  onProgress?: () => void;
}

const PROGRESS_EVERY = 4096;

/** Structured clone turns Buffers into Uint8Arrays; FileMeta keys must be Buffers again. */
export function reviveFileMeta(f: FileMeta): FileMeta {
  const buf = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.length));
  const out: FileMeta = { number: f.number, size: f.size, smallest: buf(f.smallest), largest: buf(f.largest) };
  if (f.stats !== undefined) out.stats = f.stats;
  return out;
}

export function reviveJob(job: Job): Job {
  if (job.kind === 'flush') return job;
  return {
    ...job,
    inputs: [job.inputs[0].map(reviveFileMeta), job.inputs[1].map(reviveFileMeta)],
    grandparents: job.grandparents.map(reviveFileMeta),
    deeperLevels: job.deeperLevels.map((l) => l.map(reviveFileMeta)),
  };
}

/** Answers "can a level deeper than the output hold this user key?" for increasing keys in O(1) amortized. */
class BaseLevelChecker {
  private readonly pos: number[];
  constructor(private readonly levels: FileMeta[][]) {
    this.pos = levels.map(() => 0);
  }
  /** REQUIRES: user keys passed in non-decreasing order. */
  isBaseLevelFor(userKey: Uint8Array): boolean {
    for (let l = 0; l < this.levels.length; l++) {
      const files = this.levels[l]!;
      let p = this.pos[l]!;
      while (p < files.length && compareUserKeysOf(files[p]!.largest, keyAsInternalProbe(userKey)) < 0) p++;
      this.pos[l] = p;
      if (p < files.length && compareUserKeysOf(files[p]!.smallest, keyAsInternalProbe(userKey)) <= 0) return false;
    }
    return true;
  }
}

/** compareUserKeysOf takes internal keys; give the user key a dummy trailer. */
function keyAsInternalProbe(userKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(userKey.length + TRAILER_SIZE);
  out.set(userKey, 0);
  return out;
}

class OutputWriter {
  readonly outputs: FileMeta[] = [];
  bytesWritten = 0;
  private builder: TableBuilder | undefined;
  private file: ReturnType<Vfs['openWritable']> | undefined;
  private current = 0;
  private next = 0;
  private grandparentIndex = 0;
  private grandparentOverlap = 0;
  private lastKeyForOverlap: Uint8Array | undefined;

  constructor(
    private readonly env: JobEnv,
    private readonly dir: string,
    private readonly numbers: number[],
    private readonly options: JobOutputOptions,
    private readonly grandparents: FileMeta[],
  ) {}

  /** True when the current output should end before a new user key starts. */
  shouldCut(ikey: Uint8Array): boolean {
    if (this.builder === undefined || this.next >= this.numbers.length) return false;
    // Grandparent overlap: how many bytes of the level below the output this file's range covers.
    while (
      this.grandparentIndex < this.grandparents.length &&
      compareUserKeysOf(this.grandparents[this.grandparentIndex]!.largest, ikey) < 0
    ) {
      if (this.lastKeyForOverlap !== undefined) this.grandparentOverlap += this.grandparents[this.grandparentIndex]!.size;
      this.grandparentIndex++;
    }
    this.lastKeyForOverlap = ikey;
    if (this.grandparentOverlap > 10 * this.options.targetFileSize) return true;
    return this.builder.estimatedSize >= this.options.targetFileSize;
  }

  add(ikey: Uint8Array, value: Uint8Array): void {
    if (this.builder === undefined) this.open();
    this.builder!.add(ikey, value);
  }

  private open(): void {
    this.current = this.numbers[this.next++]!;
    this.file = this.env.vfs.openWritable(`${this.dir}/${tableFileName(this.current)}`);
    // A pinned time, else the environment's clock (Vfs.now) when it has one: a simulated vfs makes table bytes
    // independent of the wall clock.
    const creationTime = this.options.creationTime ?? this.env.vfs.now?.() ?? Date.now();
    this.builder = new TableBuilder(this.file, { ...this.options, creationTime }, this.env.codec);
    this.grandparentOverlap = 0;
    this.lastKeyForOverlap = undefined;
  }

  finishFile(): void {
    if (this.builder === undefined || this.file === undefined) return;
    const info = this.builder.finish();
    this.file.sync();
    this.file.close();
    this.outputs.push({
      number: this.current,
      size: info.size,
      smallest: info.smallest,
      largest: info.largest,
      stats: { entries: info.numEntries, deletions: info.numDeletions, maxSequence: info.maxSequence },
    });
    this.bytesWritten += info.size;
    this.builder = undefined;
    this.file = undefined;
  }

  finish(): void {
    this.finishFile();
    if (this.outputs.length > 0) this.env.vfs.syncDir(this.dir);
  }
}

function openInputs(job: CompactJob, env: JobEnv, readers: TableReader[]): InternalIterator[] {
  const stats: ReadStats = { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
  const open = (f: FileMeta): InternalIterator => {
    const name = tableFileName(f.number);
    const reader = TableReader.open(env.vfs.openReadable(`${job.dir}/${name}`), name, f.number, env.codec, undefined, stats);
    readers.push(reader);
    return reader.iterator();
  };
  const children: InternalIterator[] = [];
  const runOf = (files: FileMeta[]): InternalIterator =>
    newConcatenatingIterator(files.length, (i) => files[i]!.largest, (i) => open(files[i]!));
  if (job.level === 0) for (const f of job.inputs[0]) children.push(open(f));
  else if (job.inputs[0].length > 0) children.push(runOf(job.inputs[0]));
  if (job.inputs[1].length > 0) children.push(runOf(job.inputs[1]));
  return children;
}

/** Runs a job to completion. Throws on I/O errors or corrupt inputs; partial outputs are then garbage. */
export function runJob(rawJob: Job, env: JobEnv): JobResult {
  const started = Date.now();
  const job = reviveJob(rawJob);
  const readers: TableReader[] = [];
  let iter: InternalIterator;
  let bytesRead = 0;
  let numbers: number[];
  let grandparents: FileMeta[] = [];
  let checker: BaseLevelChecker | undefined;
  if (job.kind === 'flush') {
    iter = MemTable.fromImage(job.memtable).iterator();
    numbers = [job.fileNumber];
  } else {
    iter = newMergingIterator(openInputs(job, env, readers));
    for (const f of [...job.inputs[0], ...job.inputs[1]]) bytesRead += f.size;
    numbers = job.fileNumbers;
    grandparents = job.grandparents;
    checker = new BaseLevelChecker(job.deeperLevels);
  }
  const out = new OutputWriter(env, job.dir, numbers, job.output, grandparents);
  let entriesIn = 0;
  let entriesOut = 0;
  try {
    // The current user key, copied into one reused flat buffer (currentLength -1: none yet). A view and a copy
    // per entry (every entry of a flush starts a new user key) cost more than the rest of this loop.
    let currentUserKey = Buffer.allocUnsafe(64);
    let currentLength = -1;
    let lastSeqForKey = Number.POSITIVE_INFINITY;
    for (iter.seekToFirst(); iter.valid(); iter.next()) {
      if (++entriesIn % PROGRESS_EVERY === 0) env.onProgress?.();
      const ikey = iter.key();
      const ulen = ikey.length - TRAILER_SIZE;
      if (currentLength < 0 || compareRanges(ikey, 0, ulen, currentUserKey, 0, currentLength) !== 0) {
        if (out.shouldCut(ikey)) out.finishFile();
        if (ulen > currentUserKey.length) currentUserKey = Buffer.allocUnsafe(Math.max(ulen, 2 * currentUserKey.length));
        if (ulen <= 32) for (let i = 0; i < ulen; i++) currentUserKey[i] = ikey[i]!;
        else currentUserKey.set(ikey.subarray(0, ulen));
        currentLength = ulen;
        lastSeqForKey = Number.POSITIVE_INFINITY;
      }
      const seq = trailerSequence(ikey, ulen);
      let drop = false;
      if (lastSeqForKey <= job.smallestSnapshot) {
        drop = true; // a newer entry for this key is visible to every snapshot
      } else if (
        checker !== undefined &&
        trailerKind(ikey, ulen) === ValueKind.Deletion &&
        seq <= job.smallestSnapshot &&
        checker.isBaseLevelFor(userKeyOf(ikey))
      ) {
        drop = true; // nothing older can exist below, and every snapshot sees the deletion
      }
      lastSeqForKey = seq;
      if (drop) continue;
      out.add(ikey, iter.value());
      entriesOut++;
    }
    out.finish();
  } finally {
    iter.close();
    for (const r of readers) r.close();
  }
  return {
    outputs: out.outputs,
    bytesRead,
    bytesWritten: out.bytesWritten,
    entriesIn,
    entriesOut,
    millis: Date.now() - started,
  };
}
