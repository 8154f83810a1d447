/**
 * fault-injection-vfs — an in-memory Vfs for crash testing: it remembers what was made durable, can lose power or
 * be killed at any point, and can make chosen calls fail. Exported publicly: users test their own code with it.
 *
 * Model. A file is an inode: its bytes (what reads see) and its synced length (what WritableFile.sync made
 * durable; files only grow by appending, so the durable content is always a prefix of the bytes). A directory has
 * two maps from name to inode: `live` (what list/exists/open see) and `durable` (what syncDir last made durable).
 * Creating, renaming (in both directories) and removing only change `live`; syncDir(dir) copies `live` to
 * `durable`. Reads always see the volatile (latest) state. Directories themselves are durable as soon as mkdir
 * returns (the engine creates its directory once and syncs what is inside it).
 *
 * crash() (power loss) returns a NEW instance holding what survives, and kills this one:
 *   dirEntries 'drop' (default): every directory is its durable map. A file created (or renamed into place) but
 *     whose directory was never synced is gone, however much of it was synced; a rename not followed by syncDir
 *     is undone; a removal not followed by syncDir is undone (the removed file comes back, with its synced bytes).
 *   dirEntries 'keep': every directory is its live map.
 *   dirEntries 'random': each name whose live and durable bindings differ independently keeps one of the two
 *     (seeded). More adversarial than a journaling file system, which would keep a prefix of the operations.
 *   unsynced 'drop' (default): each surviving file keeps its synced prefix only; 'keep': all bytes appended;
 *   'random-prefix': its synced prefix plus a random-length (seeded) prefix of the unsynced tail.
 * kill() (process death, no power loss) keeps everything: every live entry and every appended byte.
 * openWritable on an existing name creates a new inode (the old one stays the durable binding until syncDir).
 * In the new instance everything is durable, nothing is locked, no error rules are set, and stats start at zero.
 * A file open for reading keeps working after the name is removed (it holds the inode), as on POSIX.
 *
 * The dead instance (after crash/kill) throws IO_ERROR ("crashed") from every call, including calls on files and
 * test helpers, so a database still running on it cannot write. Only close() and FileLock.release() are silent
 * no-ops there, so that shutting the old database down does not throw.
 *
 * Errors: injectError rules make the next matching calls throw IO_ERROR with an errno-like cause (EIO/ENOSPC).
 * A failed call changes nothing. A failed sync poisons its WritableFile (later appends and syncs throw), as in
 * NodeVfs. Missing files are NOT_FOUND, exactly like NodeVfs (./vfs-errors.ts).
 *
 * Paths are normalised with path.posix.normalize (so 'a//b', 'a/./b' and 'a/b/' are one path); relative paths
 * are not resolved against the process directory. '/' and '.' always exist. A file's parent must exist.
 * Locks are in memory and also create a LOCK file holding the pid, like NodeVfs; release removes it.
 *
 * Single-threaded: use an instance from one thread only (the engine runs background work inline with a custom vfs).
 */

import * as posix from 'node:path/posix';
import { ErrorCode, LsmkvError, ioError } from '../base/errors.js';
import type { FileLock, RandomAccessFile, Vfs, WritableFile } from '../base/vfs.js';
import { systemError, vfsError } from './vfs-errors.js';

export type FaultOp = 'append' | 'sync' | 'syncDir' | 'rename' | 'openWritable' | 'read' | 'remove';

export interface FaultRule {
  /** 'openWritable' also matches openAppendable; 'read' matches RandomAccessFile.read and readFile. */
  op: FaultOp;
  /** Matches the (normalised) path; for rename, either side. Default: every path. */
  path?: string | RegExp;
  /** errno code of the failure. Default 'EIO'. */
  code?: 'EIO' | 'ENOSPC';
  /** How many matching calls fail. Default 1. */
  times?: number;
  /** How many matching calls succeed first. Default 0. */
  after?: number;
}

export interface CrashOptions {
  /** What happens to bytes appended after a file's last sync. Default 'drop'. */
  unsynced?: 'drop' | 'keep' | 'random-prefix';
  /** What happens to creations, renames and removals after a directory's last syncDir. Default 'drop'. */
  dirEntries?: 'drop' | 'keep' | 'random';
}

export interface FaultInjectionStats {
  /** Successful WritableFile syncs (sync and syncAsync). */
  syncs: number;
  /** Successful syncDir calls. */
  dirSyncs: number;
  appends: number;
  bytesAppended: number;
  /** Successful reads (RandomAccessFile.read and readFile). */
  reads: number;
  bytesRead: number;
  /** Files opened (writable, appendable or readable). */
  opens: number;
  renames: number;
  removes: number;
  /** Calls that failed because of an injected error. */
  injectedErrors: number;
}

const FAULT_OPS: readonly FaultOp[] = ['append', 'sync', 'syncDir', 'rename', 'openWritable', 'read', 'remove'];

interface ActiveRule {
  op: FaultOp;
  path: string | RegExp | undefined;
  code: string;
  times: number;
  after: number;
}

/** Seeded PRNG (mulberry32): the same seed and the same calls give the same crash. */
class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  nextUint32(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.nextUint32() / 0x1_0000_0000) * n);
  }
}

class Inode {
  data: Uint8Array;
  length: number;
  synced: number;

  constructor(data: Uint8Array = new Uint8Array(0), length = 0, synced = 0) {
    this.data = data;
    this.length = length;
    this.synced = synced;
  }

  append(bytes: Uint8Array): void {
    const need = this.length + bytes.length;
    if (need > this.data.length) {
      const next = new Uint8Array(Math.max(need, this.data.length * 2, 256));
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(bytes, this.length);
    this.length = need;
  }

  /** A new, fully durable inode holding the first `length` bytes of this one. */
  prefix(length: number): Inode {
    return new Inode(this.data.slice(0, length), length, length);
  }
}

class Dir {
  live = new Map<string, Inode>();
  durable = new Map<string, Inode>();
}

function normalize(path: string): string {
  if (typeof path !== 'string') throw new TypeError('vfs: path must be a string');
  const p = posix.normalize(path === '' ? '.' : path);
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

function checkRange(what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`vfs: ${what} must be an integer between ${min} and ${max}, got ${value}`);
  }
}

/** What a vfs instance and its open files share: liveness, error rules and counters. */
class Faults {
  readonly stats: FaultInjectionStats = {
    syncs: 0,
    dirSyncs: 0,
    appends: 0,
    bytesAppended: 0,
    reads: 0,
    bytesRead: 0,
    opens: 0,
    renames: 0,
    removes: 0,
    injectedErrors: 0,
  };
  rules: ActiveRule[] = [];
  dead = false;

  /** Throws the injected error if a rule matches this call. */
  maybeFail(op: FaultOp, path: string, otherPath?: string): void {
    const rules = this.rules;
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i]!;
      if (rule.op !== op) continue;
      if (!pathMatches(rule.path, path) && (otherPath === undefined || !pathMatches(rule.path, otherPath))) continue;
      if (rule.after > 0) {
        rule.after--;
        continue;
      }
      if (--rule.times === 0) rules.splice(i, 1);
      this.stats.injectedErrors++;
      throw vfsError(op, path, systemError(rule.code, op, path, 'injected fault'));
    }
  }

  /** Throws IO_ERROR once the instance crashed or was killed. */
  checkAlive(op: string, path: string): void {
    if (!this.dead) return;
    throw ioError(
      'vfs',
      `${op} on a crashed fault-injection file system (use the instance crash()/kill() returned)`,
      systemError('EIO', op, path, 'crashed'),
      path === '' ? undefined : path,
    );
  }
}

class FaultWritableFile implements WritableFile {
  private closed = false;
  private failed = false;

  constructor(
    private readonly faults: Faults,
    private readonly path: string,
    private readonly inode: Inode,
  ) {}

  get size(): number {
    return this.inode.length;
  }

  private checkUsable(op: FaultOp): void {
    this.faults.checkAlive(op, this.path);
    if (this.closed) throw vfsError(op, this.path, systemError('EBADF', op, this.path, 'file is closed'));
    if (this.failed) throw vfsError(op, this.path, systemError('EIO', op, this.path, 'an earlier sync failed'));
  }

  append(data: Uint8Array): void {
    this.checkUsable('append');
    this.faults.maybeFail('append', this.path);
    this.inode.append(data);
    this.faults.stats.appends++;
    this.faults.stats.bytesAppended += data.length;
  }

  sync(): void {
    this.checkUsable('sync');
    try {
      this.faults.maybeFail('sync', this.path);
    } catch (e) {
      this.failed = true;
      throw e;
    }
    this.inode.synced = this.inode.length;
    this.faults.stats.syncs++;
  }

  /** Syncs now (deterministically); the promise settles on a later microtask. */
  syncAsync(): Promise<void> {
    try {
      this.sync();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  close(): void {
    this.closed = true;
  }
}

class FaultRandomAccessFile implements RandomAccessFile {
  private closed = false;
  readonly size: number;

  constructor(
    private readonly faults: Faults,
    private readonly path: string,
    private readonly inode: Inode,
  ) {
    this.size = inode.length;
  }

  read(offset: number, length: number): Buffer {
    this.faults.checkAlive('read', this.path);
    if (this.closed) throw vfsError('read', this.path, systemError('EBADF', 'read', this.path, 'file is closed'));
    if (!(offset >= 0 && length >= 0)) throw new RangeError('vfs: read offset and length must be >= 0');
    this.faults.maybeFail('read', this.path);
    const end = Math.min(this.inode.length, offset + length);
    const out = Buffer.from(this.inode.data.subarray(Math.min(offset, end), end));
    this.faults.stats.reads++;
    this.faults.stats.bytesRead += out.length;
    return out;
  }

  close(): void {
    this.closed = true;
  }
}

/** Where the simulated clock of now() starts: 2026-01-01T00:00:00Z. */
const SIMULATED_EPOCH_MS = Date.UTC(2026, 0, 1);

export class FaultInjectionVfs implements Vfs {
  readonly name = 'fault-injection';
  private readonly faults = new Faults();
  private readonly dirs = new Map<string, Dir>();
  private readonly locks = new Set<string>();
  private readonly rng: Prng;
  /** Calls of now() so far (see now()). */
  private ticks = 0;

  constructor(options: { seed?: number } = {}) {
    const seed = options.seed ?? 0x5eed;
    if (!Number.isInteger(seed)) throw new TypeError('vfs: seed must be an integer');
    this.rng = new Prng(seed);
    this.dirs.set('/', new Dir());
    this.dirs.set('.', new Dir());
  }

  /** Counters since this instance was created. */
  get stats(): FaultInjectionStats {
    return this.faults.stats;
  }

  // ---- power loss and process death -------------------------------------------------------------------------

  /**
   * Simulated time: one event-loop turn whatever `ms` is, never a timer. A real timer would let the number of
   * turns (and so the background work interleaved with a harness's writes) depend on the machine's load, and a
   * run would no longer replay from its seed (seen: the power-loss replay test under a loaded `npm test`).
   */
  delay(_ms: number): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
  }

  /**
   * Simulated clock: SIMULATED_EPOCH_MS plus one millisecond per call, carried over to the instance a crash or a
   * kill leaves, so table creation times (and so table bytes) follow from the run, not from the wall clock (a
   * power-loss replay test once diverged because a properties block compressed one byte smaller).
   */
  now(): number {
    return SIMULATED_EPOCH_MS + this.ticks++;
  }

  /** The state a power loss would leave, as a new instance; this one becomes dead. */
  crash(options: CrashOptions = {}): FaultInjectionVfs {
    const unsynced = options.unsynced ?? 'drop';
    const dirEntries = options.dirEntries ?? 'drop';
    if (unsynced !== 'drop' && unsynced !== 'keep' && unsynced !== 'random-prefix') {
      throw new TypeError(`vfs: crash option 'unsynced' must be 'drop', 'keep' or 'random-prefix'`);
    }
    if (dirEntries !== 'drop' && dirEntries !== 'keep' && dirEntries !== 'random') {
      throw new TypeError(`vfs: crash option 'dirEntries' must be 'drop', 'keep' or 'random'`);
    }
    this.faults.checkAlive('crash', '');
    const next = new FaultInjectionVfs({ seed: this.rng.nextUint32() });
    next.ticks = this.ticks;
    const copies = new Map<Inode, Inode>();
    const survivor = (inode: Inode): Inode => {
      let copy = copies.get(inode);
      if (copy === undefined) {
        let keep = inode.synced;
        if (unsynced === 'keep') keep = inode.length;
        else if (unsynced === 'random-prefix') keep += this.rng.below(inode.length - inode.synced + 1);
        copy = inode.prefix(keep);
        copies.set(inode, copy);
      }
      return copy;
    };
    for (const [path, dir] of this.dirs) {
      const out = new Dir();
      for (const [name, inode] of this.survivingEntries(dir, dirEntries)) {
        const copy = survivor(inode);
        out.live.set(name, copy);
        out.durable.set(name, copy);
      }
      next.dirs.set(path, out);
    }
    this.faults.dead = true;
    this.locks.clear();
    return next;
  }

  /** Process death without power loss: everything written survives, in a new instance; this one becomes dead. */
  kill(): FaultInjectionVfs {
    return this.crash({ unsynced: 'keep', dirEntries: 'keep' });
  }

  /** True once crash() or kill() was called on this instance. */
  get crashed(): boolean {
    return this.faults.dead;
  }

  private survivingEntries(dir: Dir, mode: 'drop' | 'keep' | 'random'): Map<string, Inode> {
    if (mode === 'drop') return dir.durable;
    if (mode === 'keep') return dir.live;
    const out = new Map<string, Inode>();
    const names = new Set([...dir.durable.keys(), ...dir.live.keys()]);
    for (const name of names) {
      const durable = dir.durable.get(name);
      const live = dir.live.get(name);
      const chosen = durable === live || this.rng.below(2) === 0 ? durable : live;
      if (chosen !== undefined) out.set(name, chosen);
    }
    return out;
  }

  // ---- error injection ---------------------------------------------------------------------------------------

  /** The next matching calls throw IO_ERROR with the given errno code (rules are checked in the order added). */
  injectError(rule: FaultRule): void {
    if (!FAULT_OPS.includes(rule.op)) throw new TypeError(`vfs: unknown fault op '${String(rule.op)}'`);
    const code = rule.code ?? 'EIO';
    if (code !== 'EIO' && code !== 'ENOSPC') throw new TypeError(`vfs: fault code must be 'EIO' or 'ENOSPC'`);
    const times = rule.times ?? 1;
    const after = rule.after ?? 0;
    checkRange('fault times', times, 1, Number.MAX_SAFE_INTEGER);
    checkRange('fault after', after, 0, Number.MAX_SAFE_INTEGER);
    const path = typeof rule.path === 'string' ? normalize(rule.path) : rule.path;
    this.faults.rules.push({ op: rule.op, path, code, times, after });
  }

  clearErrors(): void {
    this.faults.rules = [];
  }

  // ---- Vfs ---------------------------------------------------------------------------------------------------

  openWritable(path: string): WritableFile {
    const p = normalize(path);
    this.faults.checkAlive('openWritable', p);
    const dir = this.parentOf(p, 'open');
    this.faults.maybeFail('openWritable', p);
    const inode = new Inode();
    dir.live.set(posix.basename(p), inode);
    this.faults.stats.opens++;
    return new FaultWritableFile(this.faults, p, inode);
  }

  openAppendable(path: string): WritableFile {
    const p = normalize(path);
    this.faults.checkAlive('openAppendable', p);
    const dir = this.parentOf(p, 'open');
    this.faults.maybeFail('openWritable', p);
    const name = posix.basename(p);
    let inode = dir.live.get(name);
    if (inode === undefined) {
      inode = new Inode();
      dir.live.set(name, inode);
    }
    this.faults.stats.opens++;
    return new FaultWritableFile(this.faults, p, inode);
  }

  openReadable(path: string): RandomAccessFile {
    const p = normalize(path);
    this.faults.checkAlive('openReadable', p);
    const inode = this.fileAt(p, 'open');
    this.faults.stats.opens++;
    return new FaultRandomAccessFile(this.faults, p, inode);
  }

  readFile(path: string): Buffer {
    const p = normalize(path);
    this.faults.checkAlive('read', p);
    const inode = this.fileAt(p, 'read');
    this.faults.maybeFail('read', p);
    this.faults.stats.reads++;
    this.faults.stats.bytesRead += inode.length;
    return Buffer.from(inode.data.subarray(0, inode.length));
  }

  exists(path: string): boolean {
    const p = normalize(path);
    this.faults.checkAlive('exists', p);
    return this.dirs.has(p) || this.lookup(p) !== undefined;
  }

  list(dir: string): string[] {
    const p = normalize(dir);
    this.faults.checkAlive('list', p);
    const d = this.dirs.get(p);
    if (d === undefined) throw vfsError('readdir', p, systemError('ENOENT', 'readdir', p, 'no such directory'));
    const names = [...d.live.keys()];
    for (const sub of this.dirs.keys()) {
      if (sub !== p && posix.dirname(sub) === p) names.push(posix.basename(sub));
    }
    return names.sort();
  }

  remove(path: string): void {
    const p = normalize(path);
    this.faults.checkAlive('remove', p);
    this.fileAt(p, 'unlink');
    this.faults.maybeFail('remove', p);
    this.dirs.get(posix.dirname(p))!.live.delete(posix.basename(p));
    this.faults.stats.removes++;
  }

  rename(from: string, to: string): void {
    const f = normalize(from);
    const t = normalize(to);
    this.faults.checkAlive('rename', f);
    const inode = this.fileAt(f, 'rename');
    const toDir = this.parentOf(t, 'rename');
    this.faults.maybeFail('rename', f, t);
    this.dirs.get(posix.dirname(f))!.live.delete(posix.basename(f));
    toDir.live.set(posix.basename(t), inode);
    this.faults.stats.renames++;
  }

  mkdir(path: string): void {
    const p = normalize(path);
    this.faults.checkAlive('mkdir', p);
    const missing: string[] = [];
    for (let d = p; !this.dirs.has(d); d = posix.dirname(d)) {
      if (this.lookup(d) !== undefined) {
        throw vfsError('mkdir', p, systemError(d === p ? 'EEXIST' : 'ENOTDIR', 'mkdir', p, 'a file is in the way'));
      }
      missing.push(d);
    }
    for (const d of missing) this.dirs.set(d, new Dir());
  }

  syncDir(path: string): void {
    const p = normalize(path);
    this.faults.checkAlive('syncDir', p);
    const d = this.dirs.get(p);
    if (d === undefined) throw vfsError('open directory', p, systemError('ENOENT', 'open', p, 'no such directory'));
    this.faults.maybeFail('syncDir', p);
    d.durable = new Map(d.live);
    this.faults.stats.dirSyncs++;
  }

  size(path: string): number {
    const p = normalize(path);
    this.faults.checkAlive('size', p);
    return this.fileAt(p, 'stat').length;
  }

  lock(path: string): FileLock {
    const p = normalize(path);
    this.faults.checkAlive('lock', p);
    if (this.locks.has(p)) {
      throw new LsmkvError(ErrorCode.LOCKED, `vfs: lock held by this process (pid ${process.pid}) (file ${p})`, {
        file: p,
      });
    }
    const dir = this.parentOf(p, 'lock');
    const inode = new Inode();
    inode.append(Buffer.from(`${process.pid}\n`));
    dir.live.set(posix.basename(p), inode);
    this.locks.add(p);
    return {
      release: () => {
        if (this.faults.dead || !this.locks.delete(p)) return;
        const name = posix.basename(p);
        if (dir.live.get(name) === inode) dir.live.delete(name);
      },
    };
  }

  // ---- test helpers ------------------------------------------------------------------------------------------

  /** Flips one bit of a file, in what reads see and in what a crash keeps. */
  flipBit(path: string, byteOffset: number, bit: number): void {
    const inode = this.helperFile(path, 'flipBit');
    checkRange('byteOffset', byteOffset, 0, inode.length - 1);
    checkRange('bit', bit, 0, 7);
    inode.data[byteOffset]! ^= 1 << bit;
  }

  /** Cuts a file to `length` bytes (durable and volatile); the synced length shrinks with it. */
  truncate(path: string, length: number): void {
    const inode = this.helperFile(path, 'truncate');
    checkRange('length', length, 0, inode.length);
    inode.length = length;
    inode.synced = Math.min(inode.synced, length);
  }

  /** Overwrites `length` bytes at `offset` with zeros (durable and volatile). */
  zero(path: string, offset: number, length: number): void {
    const inode = this.helperFile(path, 'zero');
    checkRange('offset', offset, 0, inode.length);
    checkRange('length', length, 0, inode.length - offset);
    inode.data.fill(0, offset, offset + length);
  }

  /** Sorted names of the files (not directories) in `dir` as reads see them. */
  fileNames(dir: string): string[] {
    return [...this.helperDir(dir, 'fileNames').live.keys()].sort();
  }

  /** Sorted names of the files in `dir` that a crash with dirEntries 'drop' would keep. */
  durableFileNames(dir: string): string[] {
    return [...this.helperDir(dir, 'durableFileNames').durable.keys()].sort();
  }

  /** A copy of a file's bytes as reads see them, without counting a read or consulting error rules. */
  readRaw(path: string): Buffer {
    const inode = this.helperFile(path, 'readRaw');
    return Buffer.from(inode.data.subarray(0, inode.length));
  }

  /** How many leading bytes of a file are synced (a crash with unsynced 'drop' keeps exactly these). */
  syncedSize(path: string): number {
    return this.helperFile(path, 'syncedSize').synced;
  }

  // ---- lookups -----------------------------------------------------------------------------------------------

  private lookup(p: string): Inode | undefined {
    return this.dirs.get(posix.dirname(p))?.live.get(posix.basename(p));
  }

  private fileAt(p: string, op: string): Inode {
    const inode = this.lookup(p);
    if (inode === undefined) throw vfsError(op, p, systemError('ENOENT', op, p, 'no such file'));
    return inode;
  }

  /** The directory a new entry `p` goes into: it must exist, and `p` must not be a directory. */
  private parentOf(p: string, op: string): Dir {
    const dir = this.dirs.get(posix.dirname(p));
    if (dir === undefined) throw vfsError(op, p, systemError('ENOENT', op, p, 'no such directory'));
    if (this.dirs.has(p)) throw vfsError(op, p, systemError('EISDIR', op, p, 'is a directory'));
    return dir;
  }

  private helperFile(path: string, op: string): Inode {
    const p = normalize(path);
    this.faults.checkAlive(op, p);
    return this.fileAt(p, op);
  }

  private helperDir(dir: string, op: string): Dir {
    const p = normalize(dir);
    this.faults.checkAlive(op, p);
    const d = this.dirs.get(p);
    if (d === undefined) throw vfsError(op, p, systemError('ENOENT', op, p, 'no such directory'));
    return d;
  }
}

function pathMatches(rule: string | RegExp | undefined, path: string): boolean {
  if (rule === undefined) return true;
  if (typeof rule === 'string') return rule === path;
  rule.lastIndex = 0;
  return rule.test(path);
}
