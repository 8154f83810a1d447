/**
 * db — the database: the write path (WAL, memtable, group commit, stalls), the read path, iterators, snapshots,
 * flush/compaction control and stats. Created by open() (./open.ts), which also does recovery.
 *
 * Threading: every method runs on the caller's (main) thread and is short; flush and compaction run on the
 * JobRunner (a worker thread by default). Writes: a synchronous write returns once its batch is in the OS (and on
 * disk with sync: true). The *Async forms queue into a group commit: all writes queued before the group starts
 * share one WAL append and, if any asked for sync, one fsync. Writes become visible to readers when they are in
 * the OS; an async write with sync: true resolves after the fsync.
 * Durability contract and stall behaviour: README.md and docs/DURABILITY.md.
 */

import { ErrorCode, LsmkvError } from '../base/errors.js';
import type { FileLock, Vfs, WritableFile } from '../base/vfs.js';
import type { Options } from '../base/options.js';
import { logFileName, parseFileName } from '../base/file-names.js';
import { forEachBatchOp, WriteBatch } from '../batch/write-batch.js';
import { bloomHash } from '../codec/bloom-probe.js';
import type { Codec } from '../codec/codec.js';
import type { VersionSet } from '../manifest/version-set.js';
import type { Version } from '../manifest/version.js';
import { MemTable } from '../memtable/memtable.js';
import { memTableFilterBytes } from '../memtable/memtable-filter.js';
import type { BlockCache } from '../sstable/block-cache.js';
import type { ReadStats } from '../sstable/table-reader.js';
import type { TableCache } from '../sstable/table-cache.js';
import { WalWriter } from '../wal/wal-writer.js';
import type { JobRunner } from '../compaction/job-runner.js';
import { Background, type BackgroundHost, type ImmutableMemTable } from './background.js';
import { Batch } from './batch.js';
import { DbIterator, type IteratorBounds } from './db-iterator.js';
import { boundBytes, keyBytes, syncOption, valueBytes, type Bytes, type WriteOptions } from './keys.js';
import { getFromView, newViewIterator } from './read-path.js';
import { scanMergeTs } from './scan-merge-ts.js';
import { SnapshotList } from './snapshot-list.js';

/** Immutable memtables allowed to wait for flush before writers stall. */
const MAX_IMMUTABLE_MEMTABLES = 2;
/** Background fsync of the WAL every this many bytes, so rotation's synchronous fsync has little left to do. */
const WAL_BYTES_PER_SYNC = 1024 * 1024;
/** Upper bound of one group commit. */
const MAX_GROUP_BYTES = 4 * 1024 * 1024;
/** Tables whose entry counts are read after open (the deletion-triggered compaction needs them). */
const STATS_LOAD_LIMIT = 256;
/** Address space reserved at most for one memtable's link array (only the pages written are memory). */
const MAX_RESERVED_LINK_BYTES = 512 * 1024 * 1024;
/**
 * Largest capacity db.batch() reserves up front (the encoded size of the last batch written, see batchCapacity):
 * enough for the usual batches of a few hundred KiB, while a small batch made after a huge one holds at most this.
 */
const MAX_BATCH_CAPACITY_HINT = 256 * 1024;

/**
 * Capacity for the batch after one of `bytes`: an eighth more (a batch of the same ops must not double on its last
 * put, which reserves room for the largest varint headers), at most MAX_BATCH_CAPACITY_HINT.
 */
function batchCapacityAfter(bytes: number): number {
  return Math.min(bytes + (bytes >>> 3) + 64, MAX_BATCH_CAPACITY_HINT);
}

export interface IteratorOptions {
  gt?: Bytes;
  gte?: Bytes;
  lt?: Bytes;
  lte?: Bytes;
  reverse?: boolean;
  limit?: number;
  keys?: boolean;
  values?: boolean;
  snapshot?: Snapshot;
}

export interface LevelStats {
  level: number;
  files: number;
  bytes: number;
}

export interface DbStats {
  levels: LevelStats[];
  memtableBytes: number;
  immutableMemtables: number;
  walBytes: number;
  sequence: number;
  blockCache: { hits: number; misses: number; bytes: number; capacity: number };
  bloom: { checked: number; useful: number };
  compaction: {
    flushes: number;
    count: number;
    trivialMoves: number;
    bytesRead: number;
    bytesWritten: number;
    flushBytes: number;
    millis: number;
    running: boolean;
  };
  userBytesWritten: number;
  /** (WAL + flush + compaction bytes written) / user bytes written. */
  writeAmplification: number;
  stalls: { slowdowns: number; stops: number; stallMs: number };
  liveSnapshots: number;
  openIterators: number;
  codec: 'native' | 'typescript';
  background: 'worker' | 'inline';
  readOnly: string | undefined;
}

export class Snapshot {
  private released = false;
  /** @internal */
  constructor(
    private readonly db: Db,
    /** The sequence number this snapshot reads at. */
    readonly sequence: number,
    private readonly onRelease: (seq: number) => void,
  ) {}

  get(key: Bytes): Buffer | undefined {
    this.check();
    return this.db.getAt(key, this.sequence);
  }

  has(key: Bytes): boolean {
    return this.get(key) !== undefined;
  }

  iterator(options: Omit<IteratorOptions, 'snapshot'> = {}): DbIterator<Buffer, Buffer> {
    this.check();
    return this.db.iterator({ ...options, snapshot: this });
  }

  /** Lets compaction drop what only this snapshot could see. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this.sequence);
  }

  get isReleased(): boolean {
    return this.released;
  }

  private check(): void {
    if (this.released) throw new LsmkvError(ErrorCode.INVALID_ARGUMENT, 'snapshot: the snapshot was released');
  }
}

interface QueuedWrite {
  batch: WriteBatch;
  sync: boolean;
  resolve: () => void;
  reject: (e: Error) => void;
}

/** Everything open() assembles. */
export interface DbParts {
  dir: string;
  options: Options;
  vfs: Vfs;
  codec: Codec;
  lock: FileLock;
  versions: VersionSet;
  tableCache: TableCache;
  blockCache: BlockCache | undefined;
  readStats: ReadStats;
  wal: WalWriter;
  lastSequence: number;
  flushRunner: JobRunner;
  compactRunner: JobRunner;
}

export class Db {
  readonly location: string;
  private readonly options: Options;
  private readonly vfs: Vfs;
  private readonly codec: Codec;
  private readonly lock: FileLock;
  private readonly versions: VersionSet;
  private readonly tableCache: TableCache;
  private readonly blockCache: BlockCache | undefined;
  private readonly readStats: ReadStats;
  private readonly background: Background;
  private readonly runnerKind: 'worker' | 'inline';
  private mem: MemTable;
  private wal: WalWriter;
  private readonly imm: ImmutableMemTable[] = [];
  private lastSequence: number;
  private readonly snapshots = new SnapshotList();
  private readonly iterators = new Set<DbIterator<unknown, unknown>>();
  private readonly queue: QueuedWrite[] = [];
  /** Reused by the synchronous put/delete. */
  private readonly scratch = new WriteBatch();
  /** Capacity of the next db.batch(): from the encoded size of the last batch written (see batch()). */
  private batchCapacity = 256;
  private draining = false;
  private walBytesSinceSync = 0;
  private rotationScheduled = false;
  private readOnlyError: Error | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;
  private userBytesWritten = 0;
  private walBytesWritten = 0;
  private readonly stallStats = { slowdowns: 0, stops: 0, stallMs: 0 };

  /** @internal use open() */
  constructor(parts: DbParts) {
    this.location = parts.dir;
    this.options = parts.options;
    this.vfs = parts.vfs;
    this.codec = parts.codec;
    this.mem = this.newMemTable();
    this.lock = parts.lock;
    this.versions = parts.versions;
    this.tableCache = parts.tableCache;
    this.blockCache = parts.blockCache;
    this.readStats = parts.readStats;
    this.wal = parts.wal;
    this.lastSequence = parts.lastSequence;
    this.runnerKind = parts.flushRunner.kind;
    const host: BackgroundHost = {
      dir: parts.dir,
      options: parts.options,
      versions: parts.versions,
      imm: this.imm,
      activeWalNumber: () => this.wal.number,
      smallestSnapshot: () => this.snapshots.smallest(this.lastSequence),
      deleteObsoleteFiles: (protectedNumbers) => this.deleteObsoleteFiles(protectedNumbers),
      onBackgroundError: (e) => this.setReadOnly(e),
    };
    this.background = new Background(host, parts.flushRunner, parts.compactRunner);
    this.background.maybeSchedule();
    setImmediate(() => this.loadTableStats(0)).unref();
  }

  /**
   * After open: fills FileMeta.stats (entry and deletion counts, kept in each table's properties, not in the
   * MANIFEST) of the tables the MANIFEST named, one table per event-loop turn so that open does not wait for it,
   * at most STATS_LOAD_LIMIT tables; then lets the background look for a deletion-triggered compaction. A table
   * that fails to open stops the loading (its reads report the damage); its counts stay unknown.
   */
  private loadTableStats(loaded: number): void {
    if (this.closed || this.closing || loaded >= STATS_LOAD_LIMIT) return;
    for (const files of this.versions.current.levels) {
      for (const f of files) {
        if (f.stats !== undefined) continue;
        try {
          const p = this.tableCache.get(f.number).properties;
          f.stats = { entries: p.numEntries, deletions: p.numDeletions, maxSequence: p.maxSequence };
        } catch {
          return;
        }
        setImmediate(() => this.loadTableStats(loaded + 1)).unref();
        return;
      }
    }
    this.background.maybeSchedule();
  }

  // ---- state checks -------------------------------------------------------------------------------------------

  private checkOpen(): void {
    if (this.closed || this.closing) throw new LsmkvError(ErrorCode.CLOSED, 'db: the database is closed');
  }

  private checkWritable(): void {
    this.checkOpen();
    this.checkNotReadOnly();
  }

  private checkNotReadOnly(): void {
    if (this.readOnlyError) {
      throw new LsmkvError(
        ErrorCode.READ_ONLY,
        `db: the database refuses writes after an earlier failure; reopen it: ${this.readOnlyError.message}`,
        { cause: this.readOnlyError },
      );
    }
  }

  private setReadOnly(e: Error): void {
    if (this.readOnlyError === undefined) this.readOnlyError = e;
    for (const q of this.queue.splice(0)) q.reject(e);
  }

  /** The codec side in use: 'native' (C++ addon) or 'typescript'. */
  get codecKind(): 'native' | 'typescript' {
    return this.codec.kind;
  }

  // ---- writes --------------------------------------------------------------------------------------------------

  /**
   * A new batch with room for a bit more than the last batch written with write() or writeAsync() (at most
   * MAX_BATCH_CAPACITY_HINT): workloads write batches of similar sizes, and a batch that starts at 256 bytes
   * doubles nine times (a copy and, past 4 KiB, a fresh ArrayBuffer each) on its way to a 1000-put batch's
   * ~120 KiB, which cost ~50 of ~145 ns per put.
   */
  batch(): Batch {
    return new Batch(this.batchCapacity);
  }

  put(key: Bytes, value: Bytes, options?: WriteOptions): void {
    const k = keyBytes(key);
    const v = valueBytes(value);
    const sync = syncOption(options);
    // One reused batch: commit() copies it into the WAL and the memtable before returning.
    this.scratch.clear();
    this.scratch.put(k, v);
    this.writeSync(this.scratch, sync);
  }

  delete(key: Bytes, options?: WriteOptions): void {
    const k = keyBytes(key);
    const sync = syncOption(options);
    this.scratch.clear();
    this.scratch.delete(k);
    this.writeSync(this.scratch, sync);
  }

  /** Applies every operation of the batch atomically. */
  write(batch: Batch, options?: WriteOptions): void {
    if (!(batch instanceof Batch)) throw new TypeError('db: write() takes a Batch from db.batch()');
    const sync = syncOption(options);
    this.writeSync(batch.inner, sync);
    this.batchCapacity = batchCapacityAfter(batch.inner.byteLength);
  }

  putAsync(key: Bytes, value: Bytes, options?: WriteOptions): Promise<void> {
    try {
      const b = new Batch();
      b.inner.put(keyBytes(key), valueBytes(value));
      return this.enqueue(b.inner, syncOption(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  deleteAsync(key: Bytes, options?: WriteOptions): Promise<void> {
    try {
      const b = new Batch();
      b.inner.delete(keyBytes(key));
      return this.enqueue(b.inner, syncOption(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Group-committed atomic batch: resolves once in the OS (after fsync with sync: true). */
  writeAsync(batch: Batch, options?: WriteOptions): Promise<void> {
    try {
      if (!(batch instanceof Batch)) throw new TypeError('db: writeAsync() takes a Batch from db.batch()');
      const copy = new Batch(batch.inner.byteLength);
      copy.inner.append(batch.inner);
      this.batchCapacity = batchCapacityAfter(batch.inner.byteLength);
      return this.enqueue(copy.inner, syncOption(options));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private writeSync(batch: WriteBatch, sync: boolean): void {
    this.checkWritable();
    if (batch.count === 0) return;
    if (this.queue.length > 0) this.commitQueuedSync();
    this.makeRoomSync();
    this.checkWritable();
    this.commit([batch], sync);
  }

  /**
   * Appends batches to the WAL with one append, then applies them to the memtable. With sync, fsyncs before
   * applying. Any failure makes the database read-only (the WAL's state is unknown).
   */
  private commit(batches: readonly WriteBatch[], sync: boolean): void {
    let seq = this.lastSequence + 1;
    const payloads: Uint8Array[] = [];
    let bytes = 0;
    for (const b of batches) {
      payloads.push(b.payload(seq));
      seq += b.count;
      bytes += b.byteLength;
    }
    try {
      this.wal.addBatches(payloads);
      if (sync) this.wal.sync();
    } catch (e) {
      this.setReadOnly(e as Error);
      throw e;
    }
    const mem = this.mem;
    // Staged and linked in key order as one run (src/memtable/memtable.ts linkStaged: sequential fills ~1.5x).
    for (const p of payloads) {
      // One native call per batch when the codec has a stager, else op by op.
      if (!mem.stageBatch(p)) forEachBatchOp(p, (kind, key, value, s) => mem.stage(s, kind, key, value));
    }
    mem.linkStaged();
    this.lastSequence = seq - 1;
    this.userBytesWritten += bytes;
    this.walBytesWritten += bytes;
    if (sync) this.walBytesSinceSync = 0;
    else this.maybeBackgroundWalSync(bytes);
    this.maybeScheduleRotation();
  }

  /**
   * A memtable that this write filled is rotated in a turn of its own (the old WAL's fsync, the memtable switch
   * and the flush start: ~5 ms measured), not at the start of the next write, whose turn would then hold both
   * (~12 ms). A write that comes first (no turn in between) still rotates itself in makeRoom.
   */
  private maybeScheduleRotation(): void {
    if (this.rotationScheduled || this.mem.approximateBytes < this.options.writeBufferSize) return;
    this.rotationScheduled = true;
    setImmediate(() => {
      this.rotationScheduled = false;
      if (this.closed || this.closing || this.readOnlyError || this.background.backgroundError) return;
      if (this.mem.approximateBytes < this.options.writeBufferSize || this.needsStop()) return;
      try {
        this.rotateMemtable();
      } catch {
        // rotateMemtable made the database read-only; the next write reports it.
      }
    }).unref();
  }

  private maybeBackgroundWalSync(bytes: number): void {
    this.walBytesSinceSync += bytes;
    if (this.walBytesSinceSync < WAL_BYTES_PER_SYNC) return;
    this.walBytesSinceSync = 0;
    this.wal.syncAsync().catch((e: Error) => this.setReadOnly(e));
  }

  private enqueue(batch: WriteBatch, sync: boolean): Promise<void> {
    this.checkWritable();
    if (batch.count === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, sync, resolve, reject });
      if (!this.draining) queueMicrotask(() => void this.drain());
    });
  }

  private takeGroup(): QueuedWrite[] {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes < MAX_GROUP_BYTES)) bytes += this.queue[n++]!.batch.byteLength;
    return this.queue.splice(0, n);
  }

  /** Commits queued async writes now (a synchronous write arrived; keep call order). */
  private commitQueuedSync(): void {
    while (this.queue.length > 0) {
      this.makeRoomSync();
      const group = this.takeGroup();
      const sync = group.some((q) => q.sync);
      try {
        this.commit(
          group.map((q) => q.batch),
          sync,
        );
      } catch (e) {
        for (const q of group) q.reject(e as Error);
        throw e;
      }
      for (const q of group) q.resolve();
    }
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        try {
          this.checkNotReadOnly();
          await this.makeRoomAsync();
          this.checkNotReadOnly();
        } catch (e) {
          for (const q of this.queue.splice(0)) q.reject(e as Error);
          return;
        }
        if (this.queue.length === 0) break;
        const group = this.takeGroup();
        const sync = group.some((q) => q.sync);
        try {
          this.commit(
            group.map((q) => q.batch),
            false,
          );
          if (sync) {
            const wal = this.wal;
            await wal.syncAsync();
          }
        } catch (e) {
          this.setReadOnly(e as Error);
          for (const q of group) q.reject(e as Error);
          continue;
        }
        for (const q of group) q.resolve();
      }
    } finally {
      this.draining = false;
    }
  }

  // ---- memtable rotation and stalls ----------------------------------------------------------------------------

  private needsStop(): boolean {
    return (
      this.imm.length >= MAX_IMMUTABLE_MEMTABLES ||
      this.versions.current.numFiles(0) >= this.options.level0StopTrigger
    );
  }

  /**
   * One step of making room for a write: rotates a full memtable when the background can take it. Returns
   * 'wait' when the write must wait for the background (at a stop threshold, with a job running), else 'go'.
   */
  private roomStep(): 'go' | 'wait' {
    if (this.background.backgroundError) return 'go';
    if (this.mem.approximateBytes < this.options.writeBufferSize) return 'go';
    if (!this.needsStop()) {
      this.rotateMemtable();
      return 'go';
    }
    this.background.maybeSchedule();
    return this.background.busy ? 'wait' : 'go';
  }

  /** What a stopped writer waits for: the flush when memtables pile up, else the compaction draining L0. */
  private stopReason(): 'flush' | 'compaction' {
    return this.imm.length >= MAX_IMMUTABLE_MEMTABLES ? 'flush' : 'compaction';
  }

  /** Synchronous writers: at a stop threshold, block this thread until the background catches up. */
  private makeRoomSync(): void {
    const started = Date.now();
    let stalled = false;
    while (this.roomStep() === 'wait') {
      if (!stalled) this.stallStats.stops++;
      stalled = true;
      this.background.waitForProgressSync(this.stopReason());
    }
    if (stalled) this.stallStats.stallMs += Date.now() - started;
  }

  /** Async writers: delayed 1 ms per group at the slowdown threshold; at a stop, wait without blocking. */
  private async makeRoomAsync(): Promise<void> {
    const started = Date.now();
    let stalled = false;
    if (this.versions.current.numFiles(0) >= this.options.level0SlowdownTrigger) {
      this.stallStats.slowdowns++;
      stalled = true;
      await (this.vfs.delay?.(1) ?? new Promise((r) => setTimeout(r, 1)));
    }
    while (this.roomStep() === 'wait') {
      if (!stalled) this.stallStats.stops++;
      stalled = true;
      await this.background.waitForProgress();
    }
    if (stalled) this.stallStats.stallMs += Date.now() - started;
  }

  /**
   * Freezes the memtable and starts a new WAL. The new WAL's directory
   * entry is durable and the old WAL is fsynced before anything is written to the new one, so nothing in the new
   * WAL can reach the disk while an older write is still missing (no holes after a power loss).
   */
  private rotateMemtable(): void {
    // Not created ahead of time (in an earlier turn, to shorten this one): then the active WAL would no longer be
    // the newest WAL file, and "only the newest WAL may lose its unsynced tail" would stop being a rule about file
    // order (docs/DURABILITY.md; corruption run seed 7102 case 185 flagged the active WAL's loss as an older WAL's).
    const number = this.versions.newFileNumber();
    let file;
    try {
      file = this.vfs.openWritable(`${this.location}/${logFileName(number)}`);
      this.vfs.syncDir(this.location);
      this.wal.sync();
      this.wal.close();
    } catch (e) {
      this.setReadOnly(e as Error);
      throw e;
    }
    this.mem.freeze();
    this.imm.push({ mem: this.mem, walNumber: this.wal.number, lastSequence: this.lastSequence });
    this.mem = this.newMemTable();
    const previous = this.wal.number;
    this.wal = new WalWriter(file, this.codec, number);
    this.walBytesSinceSync = 0;
    try {
      // Lets recovery name this WAL's predecessor exactly if it is ever lost (docs/FORMAT.md).
      this.wal.addPredecessor(previous, this.lastSequence);
    } catch (e) {
      this.setReadOnly(e as Error);
      throw e;
    }
    this.background.maybeSchedule();
  }

  // ---- reads ---------------------------------------------------------------------------------------------------

  /** A memtable that stages and links write groups natively when the codec can (native codec only). */
  private newMemTable(): MemTable {
    const { linkStaged: linker, stageBatch: stager } = this.codec;
    // Reserve the link array for a full write buffer: it then never grows (a copy) inside a write.
    const linkBytes = Math.min(this.options.writeBufferSize, MAX_RESERVED_LINK_BYTES);
    // A whole-key filter (2% of the write buffer) lets a get skip the search of a memtable without its key.
    const filterBytes = memTableFilterBytes(this.options.writeBufferSize);
    return new MemTable({ linker, stager, linkBytes, filterBytes, filterHash: bloomHash });
  }

  private memtablesNewestFirst(): MemTable[] {
    const out = [this.mem];
    for (let i = this.imm.length - 1; i >= 0; i--) out.push(this.imm[i]!.mem);
    return out;
  }

  /** The value of key, or undefined. */
  get(key: Bytes): Buffer | undefined {
    this.checkOpen();
    return this.lookup(keyBytes(key), this.lastSequence);
  }

  /** @internal reads at a snapshot's sequence */
  getAt(key: Bytes, seq: number): Buffer | undefined {
    this.checkOpen();
    return this.lookup(keyBytes(key), seq);
  }

  private lookup(k: Uint8Array, seq: number): Buffer | undefined {
    const mem = this.mem;
    // Hashed once: the memtables' filters and the tables' blooms are probed with it (src/db/read-path.ts).
    const hash = bloomHash(k);
    const r = mem.get(k, seq, hash);
    if (r !== undefined) return r ?? undefined;
    if (this.imm.length === 0) return getFromView([], this.versions.current, this.tableCache, k, seq, hash);
    return getFromView(this.memtablesNewestFirst().slice(1), this.versions.current, this.tableCache, k, seq, hash);
  }

  has(key: Bytes): boolean {
    return this.get(key) !== undefined;
  }

  /** Values of many keys at one point in time, in order. */
  getMany(keys: readonly Bytes[]): Array<Buffer | undefined> {
    this.checkOpen();
    if (!Array.isArray(keys)) throw new TypeError('db: getMany() takes an array of keys');
    const ks = keys.map((k) => keyBytes(k));
    const seq = this.lastSequence;
    return ks.map((k) => this.lookup(k, seq));
  }

  /** A consistent point-in-time view for reads; release() it when done. */
  snapshot(): Snapshot {
    this.checkOpen();
    const seq = this.lastSequence;
    this.snapshots.acquire(seq);
    return new Snapshot(this, seq, (s) => this.snapshots.release(s));
  }

  iterator(options: IteratorOptions = {}): DbIterator<Buffer, Buffer> {
    this.checkOpen();
    if (typeof options !== 'object' || options === null) throw new TypeError('db: iterator options must be an object');
    const bounds: IteratorBounds = {};
    for (const name of ['gt', 'gte', 'lt', 'lte'] as const) {
      const b = options[name];
      if (b !== undefined) bounds[name] = boundBytes(b);
    }
    const limit = options.limit ?? Infinity;
    if (limit !== Infinity && limit !== -1 && (!Number.isInteger(limit) || limit < 0)) {
      throw new RangeError('db: iterator limit must be a non-negative integer (or Infinity / -1 for none)');
    }
    for (const name of ['reverse', 'keys', 'values'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'boolean') {
        throw new TypeError(`db: iterator option '${name}' must be a boolean`);
      }
    }
    let seq = this.lastSequence;
    if (options.snapshot !== undefined) {
      if (!(options.snapshot instanceof Snapshot)) throw new TypeError("db: iterator option 'snapshot' must be a Snapshot");
      if (options.snapshot.isReleased) {
        throw new LsmkvError(ErrorCode.INVALID_ARGUMENT, 'snapshot: the snapshot was released');
      }
      seq = options.snapshot.sequence;
    }
    const version: Version = this.versions.current;
    version.ref();
    let internal;
    try {
      internal = newViewIterator(this.memtablesNewestFirst(), version, this.tableCache);
    } catch (e) {
      version.unref();
      throw e;
    }
    let released = false;
    const it: DbIterator<Buffer, Buffer> = new DbIterator<Buffer, Buffer>(internal, {
      bounds,
      reverse: options.reverse === true,
      limit: limit === -1 ? Infinity : limit,
      keys: options.keys !== false,
      values: options.values !== false,
      sequence: seq,
      release: () => {
        if (released) return;
        released = true;
        this.iterators.delete(it as DbIterator<unknown, unknown>);
        version.unref();
        // Only a superseded version can have been the last holder of now-obsolete tables.
        if (version !== this.versions.current && version.refCount === 0 && !this.closed && !this.closing) {
          this.deleteObsoleteFiles(this.background.pendingOutputs);
        }
      },
      checkOpen: () => this.checkOpen(),
      // The TypeScript codec scans with the step's TypeScript twin (at least as fast as DbIterator's run path).
      scanMerge: this.codec.scanMerge ?? (this.codec.kind === 'typescript' ? scanMergeTs : undefined),
    });
    this.iterators.add(it as DbIterator<unknown, unknown>);
    return it;
  }

  // ---- maintenance ---------------------------------------------------------------------------------------------

  /** Writes the memtable to an L0 table and waits for it (and any earlier pending flush). */
  async flush(): Promise<void> {
    this.checkOpen();
    await this.flushInternal();
  }

  private async flushInternal(): Promise<void> {
    while (this.draining || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    if (this.mem.count > 0 && !this.readOnlyError) this.rotateMemtable();
    while (this.imm.length > 0) {
      if (this.background.backgroundError) throw this.background.backgroundError;
      this.background.maybeSchedule();
      await this.background.waitForProgress();
    }
  }

  /** Compacts the key range [start, end] (inclusive, undefined = unbounded) down through every level. */
  async compactRange(start?: Bytes, end?: Bytes): Promise<void> {
    this.checkOpen();
    const lo = start === undefined ? undefined : boundBytes(start);
    const hi = end === undefined ? undefined : boundBytes(end);
    await this.flushInternal();
    await this.background.compactRange(lo, hi);
    // The space is reclaimed when this resolves: the obsolete inputs are removed on the background's thread.
    await this.background.removalsDone();
  }

  /** Reads every block of every live table and checks every checksum; throws CORRUPTION naming file and offset. */
  verify(): { tables: number; bytes: number } {
    this.checkOpen();
    const version = this.versions.current;
    version.ref();
    let tables = 0;
    let bytes = 0;
    try {
      for (const level of version.levels) {
        for (const f of level) {
          this.tableCache.get(f.number).verify();
          tables++;
          bytes += f.size;
        }
      }
    } finally {
      version.unref();
    }
    return { tables, bytes };
  }

  /**
   * Deletes every file in the directory that nothing live references. The decision is made here; the unlinks run
   * on the background's thread (Background.removeFiles), off the event loop.
   */
  private deleteObsoleteFiles(protectedNumbers: ReadonlySet<number>): void {
    const live = this.versions.liveFiles();
    const minLog = Math.min(this.versions.logNumber, ...this.imm.map((i) => i.walNumber));
    let names: string[];
    try {
      names = this.vfs.list(this.location);
    } catch {
      return;
    }
    const obsolete: string[] = [];
    for (const name of names) {
      const p = parseFileName(name);
      if (!p) continue;
      let remove = false;
      if (p.type === 'table') remove = !live.has(p.number) && !protectedNumbers.has(p.number);
      else if (p.type === 'log') remove = p.number < minLog && p.number !== this.wal.number;
      else if (p.type === 'manifest') remove = p.number !== this.versions.manifestNumber;
      else if (p.type === 'temp') remove = !protectedNumbers.has(p.number);
      if (!remove) continue;
      if (p.type === 'table') this.tableCache.evict(p.number);
      obsolete.push(`${this.location}/${name}`);
    }
    this.background.removeFiles(obsolete);
  }

  stats(): DbStats {
    const version = this.versions.current;
    const levels: LevelStats[] = version.levels.map((files, level) => ({
      level,
      files: files.length,
      bytes: version.levelBytes(level),
    }));
    const c = this.background.stats;
    const written = this.walBytesWritten + c.flushBytes + c.bytesWritten;
    return {
      levels,
      memtableBytes: this.mem.approximateBytes + this.imm.reduce((n, i) => n + i.mem.approximateBytes, 0),
      immutableMemtables: this.imm.length,
      walBytes: this.wal.size,
      sequence: this.lastSequence,
      blockCache: {
        hits: this.readStats.blockCacheHits,
        misses: this.readStats.blockCacheMisses,
        bytes: this.blockCache?.usage ?? 0,
        capacity: this.options.blockCacheSize,
      },
      bloom: { checked: this.readStats.bloomChecked, useful: this.readStats.bloomUseful },
      compaction: {
        flushes: c.flushes,
        count: c.compactions,
        trivialMoves: c.trivialMoves,
        bytesRead: c.bytesRead,
        bytesWritten: c.bytesWritten,
        flushBytes: c.flushBytes,
        millis: c.millis,
        running: this.background.busy,
      },
      userBytesWritten: this.userBytesWritten,
      writeAmplification: this.userBytesWritten === 0 ? 0 : written / this.userBytesWritten,
      stalls: { ...this.stallStats },
      liveSnapshots: this.snapshots.size,
      openIterators: this.iterators.size,
      codec: this.codec.kind,
      background: this.runnerKind,
      readOnly: this.readOnlyError?.message,
    };
  }

  /**
   * Flushes the memtable (so the next open replays no WAL), waits for background work, closes open iterators
   * and releases the lock. Idempotent: every call returns the same promise. Every other call after it throws
   * CLOSED.
   */
  close(): Promise<void> {
    if (!this.closing) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    let firstError: unknown;
    try {
      // Writes queued before close() may be waiting for a compaction (a write stop): let them land first.
      while (this.draining || this.queue.length > 0) await new Promise((r) => setImmediate(r));
      this.background.quiesce();
      if (!this.readOnlyError) await this.flushInternal();
    } catch (e) {
      firstError = e;
    }
    for (const q of this.queue.splice(0)) q.reject(new LsmkvError(ErrorCode.CLOSED, 'db: the database is closed'));
    try {
      await this.background.stop();
    } catch (e) {
      firstError ??= e;
    }
    for (const it of [...this.iterators]) it.close();
    this.closed = true;
    const steps: Array<() => void> = [
      () => this.wal.close(),
      () => this.versions.close(),
      () => this.tableCache.close(),
      () => this.lock.release(),
    ];
    for (const step of steps) {
      try {
        step();
      } catch (e) {
        firstError ??= e;
      }
    }
    if (firstError !== undefined && !this.readOnlyError) throw firstError;
  }
}

