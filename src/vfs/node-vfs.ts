/**
 * node-vfs — the Vfs over node:fs: synchronous system calls, plus fs.fsync on the libuv thread pool for
 * WritableFile.syncAsync so that group commit does not block the event loop.
 *
 * Every failure is an LsmkvError naming the path: NOT_FOUND for ENOENT, IO_ERROR otherwise (./vfs-errors.ts).
 * A WritableFile whose sync failed is poisoned: every later append/sync throws IO_ERROR, because after a failed
 * fsync the kernel may have dropped the dirty pages and a retry could falsely report success.
 * A closed file throws IO_ERROR (EBADF) instead of touching a descriptor number the OS may have reused.
 * WritableFile.close() while a syncAsync is in flight defers the close until that fsync completes.
 * RandomAccessFile.size is the size when the file was opened; reads past it still return what is there.
 *
 * syncDir opens the directory read-only and fsyncs it. Windows cannot open a directory that way (EPERM/EISDIR/
 * EACCES): there, and only there, syncDir is best effort and does nothing, since NTFS makes the metadata
 * operations durable by its own journal.
 *
 * Locking (LOCK file, docs/FORMAT.md): exclusive within this process (a process-wide set of locked absolute paths)
 * and across processes (LOCK created with O_EXCL holding our decimal pid). If LOCK already exists its pid is read:
 * a live process other than us (process.kill(pid, 0) succeeds or fails with EPERM) → LOCKED naming that pid.
 * Our own pid while this thread does not hold the lock is LOCKED too: another worker thread of this process holds
 * it (the set above is per thread), or a database of this process was never closed. A dead pid (ESRCH) or
 * unreadable content (a process killed between creating LOCK and writing its pid) is stale: we unlink it and create
 * it again, once. This is what makes a kill -9 harmless: the next opener sees a
 * dead pid. Known race: two processes taking over the same stale lock at the same instant can both unlink and
 * recreate it (the second unlinks the first's fresh LOCK); the window is two system calls wide and needs a dead
 * owner to begin with. release() unlinks LOCK only while it still holds our pid.
 *
 * Not safe to share across threads (each worker constructs its own; the in-process lock set is per isolate).
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { ErrorCode, LsmkvError } from '../base/errors.js';
import type { FileLock, RandomAccessFile, Vfs, WritableFile } from '../base/vfs.js';
import { errnoOf, systemError, vfsError } from './vfs-errors.js';

/** Absolute paths of the LOCK files this process holds. */
const heldLocks = new Set<string>();

class NodeWritableFile implements WritableFile {
  private fd: number;
  private length: number;
  private closed = false;
  private failed: unknown = undefined;
  private inFlight = 0;

  constructor(
    private readonly path: string,
    fd: number,
    length: number,
  ) {
    this.fd = fd;
    this.length = length;
  }

  get size(): number {
    return this.length;
  }

  private checkUsable(op: string): void {
    if (this.closed) throw vfsError(op, this.path, systemError('EBADF', op, this.path, 'file is closed'));
    if (this.failed !== undefined) {
      throw vfsError(op, this.path, systemError('EIO', op, this.path, 'an earlier fsync failed'));
    }
  }

  append(data: Uint8Array): void {
    this.checkUsable('write');
    let off = 0;
    try {
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off, null);
    } catch (e) {
      this.length += off;
      throw vfsError('write', this.path, e);
    }
    this.length += off;
  }

  sync(): void {
    this.checkUsable('fsync');
    try {
      fs.fsyncSync(this.fd);
    } catch (e) {
      this.failed = e;
      throw vfsError('fsync', this.path, e);
    }
  }

  syncAsync(): Promise<void> {
    try {
      this.checkUsable('fsync');
    } catch (e) {
      return Promise.reject(e);
    }
    this.inFlight++;
    return new Promise<void>((resolve, reject) => {
      fs.fsync(this.fd, (err) => {
        this.inFlight--;
        if (this.closed && this.inFlight === 0) {
          // Deferred close: nobody is left to hear about a failure here, so it is dropped.
          fs.close(this.fd, () => undefined);
          this.fd = -1;
        }
        if (err) {
          this.failed = err;
          reject(vfsError('fsync', this.path, err));
        } else {
          resolve();
        }
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight === 0) this.closeFd();
  }

  private closeFd(): void {
    const fd = this.fd;
    this.fd = -1;
    closeOrThrow(fd, this.path);
  }
}

/** Closes a descriptor; a failure is an IO_ERROR naming the path. */
function closeOrThrow(fd: number, path: string): void {
  try {
    fs.closeSync(fd);
  } catch (e) {
    throw vfsError('close', path, e);
  }
}

/**
 * Reads of READ_SLAB_MIN..READ_SLAB_MAX bytes land in slices of a shared slab (per thread: module state) instead
 * of a Buffer each: Buffer.allocUnsafe takes its own ArrayBuffer at >= 4 KiB (Node's pool serves only smaller
 * sizes), and that allocation plus its garbage cost more than the pread (one 16 KiB read: ~5.4 us CPU with a fresh
 * Buffer, ~2.1 us into a reused one; seek + nextv(100) in db-bench's read shape, whose read-ahead windows are 8-16
 * KiB: 0.92x CPU, same-process A/B, 40 alternating rounds, quartiles 0.87-1.00). Smaller reads (a compressed
 * data block is ~2.3 KiB) come from the slab too: Node's pool is only 8 KiB, so it takes a new ArrayBuffer every
 * few block reads (a 2.3 KiB pread: 1.90 -> 1.65 us CPU, microbenchmark). Like Node's pool, a result keeps its
 * whole slab alive: a caller that keeps a result for long (a cache) copies it (src/sstable/table-reader.ts does).
 */
const READ_SLAB_BYTES = 256 * 1024;
const READ_SLAB_MIN = 512;
const READ_SLAB_MAX = 64 * 1024;
let readSlab: Buffer | undefined;
let readSlabUsed = 0;

/** Room for a read of `length` bytes: a slab slice (8-byte aligned) or, outside the slab's sizes, a Buffer. */
function readBuffer(length: number): Buffer {
  if (length < READ_SLAB_MIN || length > READ_SLAB_MAX) return Buffer.allocUnsafe(length);
  if (readSlab === undefined || readSlab.length - readSlabUsed < length) {
    readSlab = Buffer.allocUnsafeSlow(READ_SLAB_BYTES);
    readSlabUsed = 0;
  }
  const buf = readSlab.subarray(readSlabUsed, readSlabUsed + length);
  readSlabUsed += (length + 7) & ~7;
  return buf;
}

class NodeRandomAccessFile implements RandomAccessFile {
  private fd: number;
  readonly size: number;

  constructor(
    private readonly path: string,
    fd: number,
    size: number,
  ) {
    this.fd = fd;
    this.size = size;
  }

  read(offset: number, length: number): Buffer {
    if (this.fd < 0) throw vfsError('read', this.path, systemError('EBADF', 'read', this.path, 'file is closed'));
    const buf = readBuffer(length);
    let got = 0;
    try {
      while (got < length) {
        const n = fs.readSync(this.fd, buf, got, length - got, offset + got);
        if (n === 0) break;
        got += n;
      }
    } catch (e) {
      throw vfsError('read', this.path, e);
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    closeOrThrow(fd, this.path);
  }
}

class NodeFileLock implements FileLock {
  private released = false;

  constructor(private readonly path: string) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    heldLocks.delete(this.path);
    if (readLockPid(this.path) !== process.pid) return;
    try {
      fs.unlinkSync(this.path);
    } catch (e) {
      if (errnoOf(e) !== 'ENOENT') throw vfsError('unlink', this.path, e);
    }
  }
}

/** The pid written in a LOCK file; undefined if it is missing or does not hold a pid. */
function readLockPid(path: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  const m = /^\s*(\d+)\s*$/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** True if a process with this pid exists (EPERM: it exists but belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoOf(e) === 'EPERM';
  }
}

/**
 * Creates LOCK exclusively holding our pid; false if it already exists. Not fsynced: the pid only has to be
 * visible to other processes (the page cache is enough), and after a power loss no holder is alive, so a LOCK
 * that lost its pid is stale and taken over like any other (lock() below). The fsync cost every open 0.25 ms on
 * an idle disk here and more behind other writes.
 */
function tryCreateLock(path: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(path, 'wx');
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    throw vfsError('lock', path, e);
  }
  try {
    fs.writeSync(fd, `${process.pid}\n`);
  } catch (e) {
    fs.closeSync(fd);
    throw vfsError('lock', path, e);
  }
  fs.closeSync(fd);
  return true;
}

function lockedError(path: string, holder: string): LsmkvError {
  return new LsmkvError(ErrorCode.LOCKED, `vfs: lock held by ${holder} (file ${path})`, { file: path });
}

/** Runs one system call on `path`, turning its failure into the Vfs error. */
function attempt<T>(op: string, path: string, call: () => T): T {
  try {
    return call();
  } catch (e) {
    throw vfsError(op, path, e);
  }
}

/** Opens `path` with `flags` and reads its size; closes the descriptor again if fstat fails. */
function openSized(path: string, flags: string): { fd: number; size: number } {
  const fd = attempt('open', path, () => fs.openSync(path, flags));
  try {
    return { fd, size: fs.fstatSync(fd).size };
  } catch (e) {
    fs.closeSync(fd);
    throw vfsError('fstat', path, e);
  }
}

export class NodeVfs implements Vfs {
  readonly name = 'node';

  openWritable(path: string): WritableFile {
    return new NodeWritableFile(path, attempt('open', path, () => fs.openSync(path, 'w')), 0);
  }

  openAppendable(path: string): WritableFile {
    const { fd, size } = openSized(path, 'a');
    return new NodeWritableFile(path, fd, size);
  }

  openReadable(path: string): RandomAccessFile {
    const { fd, size } = openSized(path, 'r');
    return new NodeRandomAccessFile(path, fd, size);
  }

  readFile(path: string): Buffer {
    return attempt('read', path, () => fs.readFileSync(path));
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  list(dir: string): string[] {
    return attempt('readdir', dir, () => fs.readdirSync(dir));
  }

  remove(path: string): void {
    attempt('unlink', path, () => fs.unlinkSync(path));
  }

  rename(from: string, to: string): void {
    attempt(`rename to ${to}`, from, () => fs.renameSync(from, to));
  }

  mkdir(path: string): void {
    attempt('mkdir', path, () => fs.mkdirSync(path, { recursive: true }));
  }

  syncDir(path: string): void {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (e) {
      if (process.platform === 'win32' && isWindowsDirRefusal(e)) return;
      throw vfsError('open directory', path, e);
    }
    try {
      fs.fsyncSync(fd);
    } catch (e) {
      if (!(process.platform === 'win32' && isWindowsDirRefusal(e))) {
        fs.closeSync(fd);
        throw vfsError('fsync directory', path, e);
      }
    }
    fs.closeSync(fd);
  }

  size(path: string): number {
    return attempt('stat', path, () => fs.statSync(path).size);
  }

  lock(path: string): FileLock {
    const abs = nodePath.resolve(path);
    if (heldLocks.has(abs)) throw lockedError(path, `this process (pid ${process.pid})`);
    if (!tryCreateLock(abs)) {
      const pid = readLockPid(abs);
      if (pid === process.pid) {
        throw lockedError(path, `this process (pid ${pid}): another thread, or a database that was never closed`);
      }
      if (pid !== undefined && processAlive(pid)) throw lockedError(path, `pid ${pid}`);
      // Stale: the owner is dead (or never finished writing its pid). Take it over, once.
      try {
        fs.unlinkSync(abs);
      } catch (e) {
        if (errnoOf(e) !== 'ENOENT') throw vfsError('unlink stale lock', path, e);
      }
      if (!tryCreateLock(abs)) throw lockedError(path, `pid ${readLockPid(abs) ?? 'unknown'}`);
    }
    heldLocks.add(abs);
    return new NodeFileLock(abs);
  }
}

function isWindowsDirRefusal(e: unknown): boolean {
  const code = errnoOf(e);
  return code === 'EPERM' || code === 'EISDIR' || code === 'EACCES';
}

/** The process-wide node file system. */
export const nodeVfs: Vfs = new NodeVfs();
