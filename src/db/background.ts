/**
 * background — schedules flushes and compactions and installs their results.
 *
 * Two runners: one for flushes (the oldest immutable memtable first), one for compactions (a step of a manual
 * compactRange first, then the picker's most urgent compaction, then a deletion-triggered one; trivial moves are
 * applied at once by a version edit). A flush never waits behind a long compaction: that wait is what stalled writers (measured: a 64 MiB
 * fillrandom spent ~20% of its time stalled with one shared runner). Each runner runs one job at a time; the two
 * can run together because a flush only adds an L0 file and a compaction only replaces files it picked, and both
 * results are installed on the main thread, one edit at a time. Results are installed on the main
 * thread with one MANIFEST edit each, after its fsync completes off the event loop (VersionSet.logAndApplyAsync;
 * until then the job's outputs stay protected and nothing new is picked); then obsolete files are deleted. A background error (I/O, corruption in an
 * input) is fatal for writes: the host turns read-only and reports it.
 *
 * Stalls: writers ask waitForProgressSync() (blocks this thread until the running job has been installed) or
 * waitForProgress() (a promise). Main thread only.
 */

import type { Options } from '../base/options.js';
import {
  pickBottomRewrite,
  pickCompaction,
  pickDeletionCompaction,
  pickRangeCompaction,
  type CompactionPick,
} from '../compaction/compaction-picker.js';
import type { CompactJob, FlushJob, JobOutputOptions, JobResult } from '../compaction/compaction-job.js';
import type { JobRunner } from '../compaction/job-runner.js';
import { emptyEdit, type FileMeta, type VersionEdit } from '../manifest/version-edit.js';
import type { VersionSet } from '../manifest/version-set.js';
import type { MemTable } from '../memtable/memtable.js';

export interface ImmutableMemTable {
  mem: MemTable;
  /** The WAL holding this memtable's writes; obsolete once the memtable is flushed. */
  walNumber: number;
  /** The last sequence number this memtable holds; the next WAL starts right after it. */
  lastSequence: number;
}

/** What the background needs from the database. */
export interface BackgroundHost {
  readonly dir: string;
  readonly options: Options;
  readonly versions: VersionSet;
  /** Oldest first. The background removes the head when its flush is installed. */
  readonly imm: ImmutableMemTable[];
  /** WAL number of the active memtable. */
  activeWalNumber(): number;
  smallestSnapshot(): number;
  /** Deletes files no live version, iterator or running job references. */
  deleteObsoleteFiles(protectedNumbers: ReadonlySet<number>): void;
  /** A background failure: the database stops accepting writes. */
  onBackgroundError(error: Error): void;
}

export interface CompactionStats {
  flushes: number;
  compactions: number;
  trivialMoves: number;
  bytesRead: number;
  bytesWritten: number;
  flushBytes: number;
  millis: number;
}

interface ManualCompaction {
  lo: Uint8Array | undefined;
  hi: Uint8Array | undefined;
  level: number;
  /** Set once a step of this request wrote into the last level (or the final rewrite ran). */
  bottomDone: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Background {
  readonly stats: CompactionStats = {
    flushes: 0,
    compactions: 0,
    trivialMoves: 0,
    bytesRead: 0,
    bytesWritten: 0,
    flushBytes: 0,
    millis: 0,
  };
  /** Output numbers of the running job: never deleted as obsolete. */
  readonly pendingOutputs = new Set<number>();
  private readonly pointers: Array<Uint8Array | undefined> = [];
  private readonly manual: ManualCompaction[] = [];
  private progressWaiters: Array<() => void> = [];
  private stopped = false;
  /** Set by quiesce(): no new automatic compaction starts (flushes and compactRange steps still do). */
  private quiesced = false;
  private error: Error | undefined;
  /** A flush / compaction whose edit waits for its asynchronous MANIFEST fsync (VersionSet.logAndApplyAsync). */
  private flushInstalling = false;
  private compactInstalling = false;

  constructor(
    private readonly host: BackgroundHost,
    private readonly flushRunner: JobRunner,
    private readonly compactRunner: JobRunner,
  ) {}

  /** True while any job runs or waits for its edit to be installed. */
  get busy(): boolean {
    return this.flushRunner.busy || this.compactRunner.busy || this.flushInstalling || this.compactInstalling;
  }

  get flushing(): boolean {
    return this.flushRunner.busy;
  }

  get compacting(): boolean {
    return this.compactRunner.busy;
  }

  get backgroundError(): Error | undefined {
    return this.error;
  }

  private outputOptions(): JobOutputOptions {
    const o = this.host.options;
    return {
      blockSize: o.blockSize,
      blockRestartInterval: o.blockRestartInterval,
      bloomBitsPerKey: o.bloomBitsPerKey,
      compression: o.compression,
      targetFileSize: o.targetFileSize,
    };
  }

  /** Starts the most urgent flush and compaction on whichever runner is idle. */
  maybeSchedule(): void {
    if (
      !this.stopped &&
      this.error === undefined &&
      !this.flushRunner.busy &&
      !this.flushInstalling &&
      this.host.imm.length > 0
    ) {
      this.startFlush();
    }
    // No pick while an edit is pending: a trivial move's synchronous edit would install it first, and its
    // completion would schedule again from inside this loop.
    while (
      !this.stopped &&
      this.error === undefined &&
      !this.compactRunner.busy &&
      !this.flushInstalling &&
      !this.compactInstalling
    ) {
      const m = this.manual[0];
      if (m !== undefined) {
        if (this.startManualStep(m)) return;
        continue;
      }
      if (this.quiesced) break;
      const version = this.host.versions.current;
      const pick =
        pickCompaction(version, this.host.options, this.pointers) ??
        pickDeletionCompaction(version, this.host.options, this.host.smallestSnapshot());
      if (pick === undefined) break;
      if (pick.trivialMove) {
        this.applyTrivialMove(pick);
        continue;
      }
      this.startCompaction(pick);
      break;
    }
    if (!this.busy) this.wakeProgress();
  }

  private startFlush(): void {
    const head = this.host.imm[0]!;
    const fileNumber = this.host.versions.newFileNumber();
    this.pendingOutputs.add(fileNumber);
    const job: FlushJob = {
      kind: 'flush',
      dir: this.host.dir,
      memtable: head.mem.image(),
      fileNumber,
      smallestSnapshot: this.host.smallestSnapshot(),
      output: this.outputOptions(),
    };
    this.flushRunner.start(job, (err, result) => {
      if (err || !result) {
        this.pendingOutputs.delete(fileNumber);
        return this.fail(err ?? new Error('flush returned no result'));
      }
      const edit = emptyEdit();
      for (const f of result.outputs) edit.newFiles.push({ level: 0, file: f });
      const next = this.host.imm[1];
      edit.logNumber = next ? next.walNumber : this.host.activeWalNumber();
      // The MANIFEST's last sequence is the newest write in a table: recovery expects the first WAL it replays
      // to continue right after it, and reports a gap (a lost WAL) as corruption.
      edit.lastSequence = head.lastSequence;
      // Until the edit is durable and installed, the table stays a pending output and the memtable stays in imm.
      this.flushInstalling = true;
      this.host.versions.logAndApplyAsync(
        edit,
        () => {
          this.flushInstalling = false;
          this.pendingOutputs.delete(fileNumber);
          this.host.imm.shift();
          this.stats.flushes++;
          this.stats.flushBytes += result.bytesWritten;
          this.stats.millis += result.millis;
          this.host.deleteObsoleteFiles(this.pendingOutputs);
          this.afterJob();
        },
        (e) => {
          this.flushInstalling = false;
          this.pendingOutputs.delete(fileNumber);
          this.fail(e);
        },
      );
    });
  }

  /** Returns false when the manual request needs no job at its current level (it advanced or finished). */
  private startManualStep(m: ManualCompaction): boolean {
    const last = this.host.options.numLevels - 1;
    while (m.level < last) {
      const pick = pickRangeCompaction(this.host.versions.current, this.host.options, m.level, m.lo, m.hi);
      if (pick !== undefined) {
        if (pick.outputLevel === last) m.bottomDone = true;
        this.startCompaction(pick, m);
        return true;
      }
      m.level++;
    }
    if (!m.bottomDone) {
      m.bottomDone = true;
      const pick = pickBottomRewrite(this.host.versions.current, this.host.options, m.lo, m.hi);
      if (pick !== undefined) {
        this.startCompaction(pick, m);
        return true;
      }
    }
    this.manual.shift();
    m.resolve();
    return false;
  }

  private applyTrivialMove(pick: CompactionPick): void {
    const f = pick.inputs[0][0]!;
    const edit = emptyEdit();
    edit.deletedFiles.push({ level: pick.level, number: f.number });
    edit.newFiles.push({ level: pick.outputLevel, file: f });
    try {
      this.host.versions.logAndApply(edit);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.pointers[pick.level] = f.largest;
    this.stats.trivialMoves++;
  }

  private startCompaction(pick: CompactionPick, manual?: ManualCompaction): void {
    const version = this.host.versions.current;
    const inputBytes = [...pick.inputs[0], ...pick.inputs[1]].reduce((n, f) => n + f.size, 0);
    const count = Math.ceil(inputBytes / this.host.options.targetFileSize) * 2 + 2;
    const fileNumbers: number[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.host.versions.newFileNumber();
      fileNumbers.push(n);
      this.pendingOutputs.add(n);
    }
    const deeperLevels: FileMeta[][] = [];
    for (let l = pick.outputLevel + 1; l < version.levels.length; l++) deeperLevels.push([...version.levels[l]!]);
    const job: CompactJob = {
      kind: 'compact',
      dir: this.host.dir,
      level: pick.level,
      outputLevel: pick.outputLevel,
      inputs: pick.inputs,
      grandparents: pick.grandparents,
      deeperLevels,
      fileNumbers,
      smallestSnapshot: this.host.smallestSnapshot(),
      output: this.outputOptions(),
    };
    const failed = (e: Error): void => {
      for (const n of fileNumbers) this.pendingOutputs.delete(n);
      if (manual) {
        this.manual.shift();
        manual.reject(e);
      }
      this.fail(e);
    };
    this.compactRunner.start(job, (err, result) => {
      if (err || !result) return failed(err ?? new Error('compaction returned no result'));
      const edit: VersionEdit = emptyEdit();
      for (const f of pick.inputs[0]) edit.deletedFiles.push({ level: pick.level, number: f.number });
      for (const f of pick.inputs[1]) edit.deletedFiles.push({ level: pick.outputLevel, number: f.number });
      for (const f of result.outputs) edit.newFiles.push({ level: pick.outputLevel, file: f });
      // Until the edit is durable and installed, the outputs stay pending and no other compaction is picked.
      this.compactInstalling = true;
      this.host.versions.logAndApplyAsync(
        edit,
        () => {
          this.compactInstalling = false;
          for (const n of fileNumbers) this.pendingOutputs.delete(n);
          this.installed(pick, result);
          if (manual && pick.level < pick.outputLevel) manual.level++;
          this.afterJob();
        },
        (e) => {
          this.compactInstalling = false;
          failed(e);
        },
      );
    });
  }

  /** Bookkeeping once a compaction's edit is installed. */
  private installed(pick: CompactionPick, result: JobResult): void {
    const largest = pick.inputs[0].reduce<Uint8Array | undefined>((acc, f) => f.largest, undefined);
    if (pick.level > 0 && largest !== undefined) this.pointers[pick.level] = largest;
    this.stats.compactions++;
    this.stats.bytesRead += result.bytesRead;
    this.stats.bytesWritten += result.bytesWritten;
    this.stats.millis += result.millis;
    this.host.deleteObsoleteFiles(this.pendingOutputs);
  }

  private afterJob(): void {
    this.maybeSchedule();
    this.wakeProgress();
  }

  private fail(e: Error): void {
    if (this.error === undefined) this.error = e;
    for (const m of this.manual.splice(0)) m.reject(e);
    this.host.onBackgroundError(e);
    this.wakeProgress();
  }

  private wakeProgress(): void {
    const w = this.progressWaiters;
    this.progressWaiters = [];
    for (const f of w) f();
  }

  /** Resolves when a running job is installed (at once when idle). */
  waitForProgress(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.progressWaiters.push(resolve));
  }

  /** Blocks this thread until the running flush (or, with `compaction`, the running compaction) is installed. */
  waitForProgressSync(what: 'flush' | 'compaction'): void {
    if (!this.host.versions.hasPending) {
      const first = what === 'flush' ? this.flushRunner : this.compactRunner;
      if (first.busy) first.waitSync();
      else if (this.flushRunner.busy) this.flushRunner.waitSync();
      else this.compactRunner.waitSync();
    }
    // The finished job's edit waits for an asynchronous fsync that this blocked thread would never see complete.
    this.host.versions.completePending();
  }

  /** Queues a compaction of [lo, hi] (user keys) down through every level. */
  compactRange(lo: Uint8Array | undefined, hi: Uint8Array | undefined): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.manual.push({ lo, hi, level: 0, bottomDone: false, resolve, reject });
      this.maybeSchedule();
    });
  }

  /** Waits until no job runs and none is needed (imm empty, no manual work, picker content). */
  async waitIdle(): Promise<void> {
    for (;;) {
      this.maybeSchedule();
      if (!this.busy) return;
      await this.waitForProgress();
    }
  }

  /**
   * Removes obsolete files on the flush runner's thread (see JobRunner.removeFiles): flushes are short, so they
   * rarely wait behind a job there, and the unlinks are not a turn of this thread.
   */
  removeFiles(paths: readonly string[]): void {
    this.flushRunner.removeFiles(paths);
  }

  /** Resolves once the obsolete files handed to removeFiles so far are gone. */
  removalsDone(): Promise<void> {
    return this.flushRunner.removalsDone();
  }

  /**
   * Close has begun: from now on no automatic compaction is picked, so close waits at most for the one already
   * running (LevelDB and RocksDB start no new compaction at shutdown either). What a final flush would have
   * triggered is picked after the next open.
   */
  quiesce(): void {
    this.quiesced = true;
  }

  /**
   * Stops scheduling and waits for the running jobs and the removals handed over. The compaction runner closes
   * first: installing its last result hands removals to the flush runner, which must still be there to do them.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.compactRunner.close();
    await this.flushRunner.close();
    this.host.versions.completePending();
    this.wakeProgress();
  }
}
