/**
 * version-set — the database's table set over time: the current Version, the counters (next file number, log
 * number, last sequence) and the MANIFEST that makes every change durable.
 *
 * Protocol. Every change is a VersionEdit: logAndApply checks that it applies (VersionBuilder), appends it to the
 * MANIFEST as one record, syncs, and only then installs the new Version (logAndApplyAsync: the same, with the
 * fsync off the event loop and the install when it completes). Each MANIFEST starts with a snapshot
 * edit (comparator name, counters, every live table); CURRENT names the live MANIFEST. Opening an existing
 * database replays the MANIFEST (torn tail tolerated). When it ended cleanly and is below maxManifestSize, it is
 * reused: fsynced once (edits a crashed process appended but had not synced become durable before this process
 * acts on them) and appended to, like RocksDB's and LevelDB's manifest reuse; that saves open the fresh MANIFEST's
 * write, fsync and the CURRENT replacement (three more fsyncs). A torn or zero-filled tail cannot be appended
 * after (strict reading would stop there), so then a fresh MANIFEST holding one snapshot is started; logAndApply
 * also rolls to a fresh one past maxManifestSize.
 * A failed MANIFEST write or sync is fatal: the on-disk state is unknown, so the set refuses further edits
 * (IO_ERROR) and the database turns read-only. Old MANIFEST files are left for the owner's obsolete-file sweep
 * (anything but MANIFEST-<manifestNumber>).
 *
 * Refs: the set holds a ref on its current version; liveFiles() is the union of the files of every version
 * with refs > 0. Single-threaded: the main thread owns the set; background jobs hand their edits back to it.
 */

import { COMPARATOR_NAME } from '../base/comparator.js';
import { ErrorCode, LsmkvError, corruption, ioError, isLsmkvError } from '../base/errors.js';
import { CURRENT_FILE, manifestFileName, parseFileName } from '../base/file-names.js';
import type { Vfs, WritableFile } from '../base/vfs.js';
import type { Codec } from '../codec/codec.js';
import { readLog, type LogReadSummary } from '../log/log-reader.js';
import { LogWriter } from '../log/log-writer.js';
import { readCurrent, removeQuietly, setCurrent } from './manifest-files.js';
import { VersionBuilder } from './version-builder.js';
import { decodeVersionEdit, encodeVersionEdit, type VersionEdit } from './version-edit.js';
import { Version } from './version.js';

export interface VersionSetState {
  logNumber: number;
  nextFileNumber: number;
  lastSequence: number;
}

export interface VersionSetOptions {
  /** Size past which logAndApply starts a new MANIFEST. Default MAX_MANIFEST_SIZE. */
  maxManifestSize?: number;
  /** recover() appends to the replayed MANIFEST when it ended cleanly (see the header). Default true. */
  reuseManifest?: boolean;
}

interface PendingEdit {
  next: Version;
  logNumber: number;
  lastSequence: number;
  onInstalled: (v: Version) => void;
  onError: (e: Error) => void;
}

/** Default MANIFEST size that triggers a roll to a fresh one. */
export const MAX_MANIFEST_SIZE = 64 * 1024 * 1024;

/** What recover() found in the MANIFEST it replayed (for the info log). */
export interface ManifestRecovery {
  manifest: string;
  summary: LogReadSummary;
}

export class VersionSet {
  logNumber = 0;
  lastSequence = 0;
  /** Set by recover(): the MANIFEST that was replayed and how its reading ended. */
  recovered: ManifestRecovery | undefined;

  private readonly vfs: Vfs;
  private readonly dir: string;
  private readonly codec: Codec;
  private readonly numLevels: number;
  private readonly maxManifestSize: number;
  private readonly reuseManifest: boolean;
  private nextFile = 1;
  private currentVersion: Version;
  /** Every version with refs > 0 (the current one included). */
  private readonly live = new Set<Version>();
  private readonly releaseHook = (v: Version): void => {
    this.live.delete(v);
  };
  private manifest: LogWriter | undefined;
  /** The logAndApplyAsync edit waiting for its fsync. */
  private pending: PendingEdit | undefined;
  private manifestNum = 0;
  private failure: LsmkvError | undefined;
  private closed = false;

  private constructor(vfs: Vfs, dir: string, codec: Codec, numLevels: number, options: VersionSetOptions) {
    this.vfs = vfs;
    this.dir = dir;
    this.codec = codec;
    this.numLevels = numLevels;
    this.maxManifestSize = options.maxManifestSize ?? MAX_MANIFEST_SIZE;
    this.reuseManifest = options.reuseManifest ?? true;
    this.currentVersion = Version.empty(numLevels, this.releaseHook);
    this.install(this.currentVersion);
  }

  /** New database: writes MANIFEST-000001 with a snapshot edit (comparator name, counters), syncs, sets CURRENT. */
  static create(vfs: Vfs, dir: string, codec: Codec, numLevels: number, options: VersionSetOptions = {}): VersionSet {
    const set = new VersionSet(vfs, dir, codec, numLevels, options);
    set.startManifest(set.currentVersion);
    return set;
  }

  /**
   * Existing database: reads CURRENT, replays the MANIFEST ('strict': every edit was synced before the engine
   * acted on it, so only a cut or zero-filled tail — an append the crash interrupted — may end it; a checksum
   * mismatch anywhere is CORRUPTION), checks the comparator name
   * (mismatch → NOT_SUPPORTED), rebuilds the current Version, then reuses the MANIFEST (clean end, below
   * maxManifestSize: fsync, append from here on) or writes a fresh one holding one snapshot edit and points CURRENT
   * at it. Every file number found in the directory is marked used first. NOT_FOUND when there is no CURRENT;
   * CORRUPTION for damage or missing counters.
   */
  static recover(vfs: Vfs, dir: string, codec: Codec, numLevels: number, options: VersionSetOptions = {}): VersionSet {
    const name = readCurrent(vfs, dir);
    if (name === undefined) {
      throw new LsmkvError(ErrorCode.NOT_FOUND, `manifest: no ${CURRENT_FILE} file in ${dir}`, { file: CURRENT_FILE });
    }
    let data: Buffer;
    try {
      data = vfs.readFile(`${dir}/${name}`);
    } catch (e) {
      if (isLsmkvError(e, ErrorCode.NOT_FOUND)) {
        throw corruption('manifest', `${CURRENT_FILE} names ${name}, which does not exist`, CURRENT_FILE);
      }
      throw e;
    }
    const set = new VersionSet(vfs, dir, codec, numLevels, options);
    const builder = new VersionBuilder(set.currentVersion, numLevels);
    let logNumber: number | undefined;
    let nextFileNumber: number | undefined;
    let lastSequence: number | undefined;
    const summary = readLog(data, name, codec, 'strict', (payload, offset) => {
      const edit = decodeVersionEdit(payload, name, offset);
      if (edit.comparator !== undefined && edit.comparator !== COMPARATOR_NAME) {
        throw new LsmkvError(
          ErrorCode.NOT_SUPPORTED,
          `manifest: the database was written with comparator '${edit.comparator}', this build uses ` +
            `'${COMPARATOR_NAME}' (file ${name}, offset ${offset})`,
          { file: name, offset },
        );
      }
      builder.apply(edit, name, offset);
      logNumber = edit.logNumber ?? logNumber;
      nextFileNumber = edit.nextFileNumber ?? nextFileNumber;
      lastSequence = edit.lastSequence ?? lastSequence;
    });
    const end = summary.tornTailOffset ?? summary.endOffset;
    if (summary.records === 0) throw corruption('manifest', 'no version edit in the MANIFEST', name, end);
    if (logNumber === undefined) throw corruption('manifest', 'no log number in the MANIFEST', name, end);
    if (nextFileNumber === undefined) throw corruption('manifest', 'no next file number in the MANIFEST', name, end);
    if (lastSequence === undefined) throw corruption('manifest', 'no last sequence in the MANIFEST', name, end);
    const version = builder.build(set.releaseHook);
    set.nextFile = nextFileNumber;
    set.logNumber = logNumber;
    set.lastSequence = lastSequence;
    set.markFileNumberUsed(logNumber);
    for (const n of version.allFileNumbers()) set.markFileNumberUsed(n);
    // Files written after the last edit that survived (a table of a torn compaction edit, a newer WAL, an old
    // MANIFEST) hold numbers the replayed counter may not cover: the new MANIFEST must not reuse them.
    for (const entry of vfs.list(dir)) {
      const parsed = parseFileName(entry);
      if (parsed !== undefined) set.markFileNumberUsed(parsed.number);
    }
    set.recovered = { manifest: name, summary };
    set.install(version);
    if (set.reuseManifest && summary.tornTailOffset === undefined && data.length < set.maxManifestSize) {
      set.appendToManifest(name, data.length);
    } else {
      set.startManifest(version);
    }
    return set;
  }

  /** The current version; ref'd by the set while it is current. */
  get current(): Version {
    return this.currentVersion;
  }

  get manifestNumber(): number {
    return this.manifestNum;
  }

  get nextFileNumber(): number {
    return this.nextFile;
  }

  get state(): VersionSetState {
    return { logNumber: this.logNumber, nextFileNumber: this.nextFile, lastSequence: this.lastSequence };
  }

  /** Allocates a file number (for a WAL, table, MANIFEST or temp file). */
  newFileNumber(): number {
    return this.nextFile++;
  }

  /** Marks a number used (e.g. a WAL number found on disk during recovery). */
  markFileNumberUsed(n: number): void {
    if (n >= this.nextFile) this.nextFile = n + 1;
  }

  /**
   * Fills logNumber/nextFileNumber/lastSequence into the edit (a log number or last sequence already in the
   * edit is kept when it is not below the set's), appends it to the MANIFEST, syncs, installs and returns the new
   * Version. An edit that does not apply throws CORRUPTION and changes nothing. If the MANIFEST write or sync
   * fails, throws IO_ERROR and refuses every later edit. Past maxManifestSize, first rolls to a new MANIFEST
   * (snapshot + CURRENT).
   */
  logAndApply(edit: VersionEdit): Version {
    this.completePending();
    this.checkUsable();
    const { next, logNumber, lastSequence } = this.prepare(edit);
    const manifest = this.manifest!;
    try {
      if (manifest.file.size >= this.maxManifestSize) {
        this.logNumber = logNumber;
        this.lastSequence = lastSequence;
        this.startManifest(next);
      } else {
        manifest.addRecord(encodeVersionEdit(edit));
        manifest.file.sync();
      }
    } catch (e) {
      throw this.fail(e);
    }
    this.logNumber = logNumber;
    this.lastSequence = lastSequence;
    this.install(next);
    return next;
  }

  /**
   * logAndApply with the fsync off the event loop: checks and appends the edit now, and installs the new Version
   * (then calls onInstalled) once an asynchronous fsync has made it durable. Nothing may act on the edit before
   * onInstalled: the caller keeps its outputs protected and its inputs in use until then. One edit is pending at a
   * time; completePending() finishes it synchronously (a later edit, a synchronous logAndApply, a writer that
   * must block until the background has made progress, close). A failed append or fsync makes the set refuse
   * every later edit and calls onError instead. Past maxManifestSize it rolls synchronously, like logAndApply.
   */
  logAndApplyAsync(edit: VersionEdit, onInstalled: (v: Version) => void, onError: (e: Error) => void): void {
    this.completePending();
    let next: Version;
    try {
      this.checkUsable();
      if (this.manifest!.file.size >= this.maxManifestSize) {
        next = this.logAndApply(edit);
      } else {
        const { next: built, logNumber, lastSequence } = this.prepare(edit);
        const manifest = this.manifest!;
        try {
          manifest.addRecord(encodeVersionEdit(edit));
        } catch (e) {
          throw this.fail(e);
        }
        const pending: PendingEdit = { next: built, logNumber, lastSequence, onInstalled, onError };
        this.pending = pending;
        manifest.file.syncAsync().then(
          () => {
            if (this.pending !== pending) return;
            this.pending = undefined;
            this.installPending(pending);
          },
          (e: unknown) => {
            if (this.pending !== pending) return;
            this.pending = undefined;
            onError(this.fail(e));
          },
        );
        return;
      }
    } catch (e) {
      onError(e as Error);
      return;
    }
    onInstalled(next);
  }

  /**
   * Checks that the edit applies to the current version and builds the next one; fills the counters into the
   * edit (keeping a larger log number or last sequence it carries). Changes nothing in the set.
   */
  private prepare(edit: VersionEdit): { next: Version; logNumber: number; lastSequence: number } {
    const builder = new VersionBuilder(this.currentVersion, this.numLevels);
    builder.apply(edit);
    const next = builder.build(this.releaseHook);
    const logNumber = Math.max(edit.logNumber ?? 0, this.logNumber);
    const lastSequence = Math.max(edit.lastSequence ?? 0, this.lastSequence);
    edit.logNumber = logNumber;
    edit.nextFileNumber = this.nextFile;
    edit.lastSequence = lastSequence;
    return { next, logNumber, lastSequence };
  }

  /** True while an edit of logAndApplyAsync waits for its fsync. */
  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** Finishes the pending asynchronous edit now: fsync on this thread, install, onInstalled (or onError). */
  completePending(): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    try {
      this.manifest!.file.sync();
    } catch (e) {
      p.onError(this.fail(e));
      return;
    }
    this.installPending(p);
  }

  private installPending(p: PendingEdit): void {
    this.logNumber = p.logNumber;
    this.lastSequence = p.lastSequence;
    this.install(p.next);
    p.onInstalled(p.next);
  }

  /** Records a failed MANIFEST write or sync: the set refuses every later edit. Returns the error to report. */
  private fail(e: unknown): LsmkvError {
    this.failure = isLsmkvError(e, ErrorCode.IO_ERROR)
      ? e
      : ioError('manifest', 'MANIFEST write failed', e, manifestFileName(this.manifestNum));
    return this.failure;
  }

  /** Every table number referenced by the current version or any version still ref'd. */
  liveFiles(): Set<number> {
    const out = new Set<number>();
    for (const v of this.live) for (const n of v.allFileNumbers()) out.add(n);
    return out;
  }

  /** Closes the MANIFEST. Idempotent; later edits throw CLOSED. */
  close(): void {
    if (this.closed) return;
    if (this.failure === undefined) this.completePending();
    this.closed = true;
    this.manifest?.file.close();
    this.manifest = undefined;
  }

  private checkUsable(): void {
    if (this.closed) throw new LsmkvError(ErrorCode.CLOSED, 'manifest: the version set is closed');
    if (this.failure !== undefined) {
      throw new LsmkvError(
        ErrorCode.IO_ERROR,
        `manifest: an earlier MANIFEST write failed, no further edits are accepted (${this.failure.message})`,
        { cause: this.failure },
      );
    }
  }

  /** Makes `version` current: the set takes a ref on it and drops its ref on the previous one. */
  private install(version: Version): void {
    version.ref();
    this.live.add(version);
    const old = this.currentVersion;
    this.currentVersion = version;
    if (old !== version) old.unref();
  }

  /**
   * Continues the replayed MANIFEST `name` (`size` bytes, read to a clean end): opens it for appending and fsyncs
   * it, so that edits read from the OS page cache (appended by a process that crashed before its sync) are durable
   * before anything acts on them.
   */
  private appendToManifest(name: string, size: number): void {
    const parsed = parseFileName(name);
    const file = this.vfs.openAppendable(`${this.dir}/${name}`);
    try {
      if (file.size !== size) throw ioError('manifest', `${name} changed while it was being recovered`, undefined, name);
      file.sync();
    } catch (e) {
      file.close();
      throw e;
    }
    this.manifest = new LogWriter(file, this.codec, size);
    this.manifestNum = parsed!.number;
  }

  /**
   * Writes a new MANIFEST holding one snapshot edit of `version` and the counters, syncs it and points CURRENT
   * at it; then closes the previous MANIFEST. On failure removes the new file (best effort) and rethrows.
   */
  private startManifest(version: Version): void {
    const number = this.newFileNumber();
    const path = `${this.dir}/${manifestFileName(number)}`;
    const snapshot: VersionEdit = {
      comparator: COMPARATOR_NAME,
      logNumber: this.logNumber,
      nextFileNumber: this.nextFile,
      lastSequence: this.lastSequence,
      deletedFiles: [],
      newFiles: [],
    };
    version.levels.forEach((files, level) => {
      for (const file of files) snapshot.newFiles.push({ level, file });
    });
    let file: WritableFile | undefined;
    let writer: LogWriter;
    try {
      file = this.vfs.openWritable(path);
      writer = new LogWriter(file, this.codec, 0);
      writer.addRecord(encodeVersionEdit(snapshot));
      file.sync();
    } catch (e) {
      file?.close();
      removeQuietly(this.vfs, path);
      throw e;
    }
    try {
      setCurrent(this.vfs, this.dir, number, number);
    } catch (e) {
      // Not removed: the rename may have happened, so CURRENT may already name it.
      file.close();
      throw e;
    }
    this.manifest?.file.close();
    this.manifest = writer;
    this.manifestNum = number;
  }
}
