/**
 * vfs — the file system interface the engine does all its I/O through.
 *
 * Synchronous by design: reads serve synchronous gets, and appends must be in the operating system when a write
 * returns. The one asynchronous call, WritableFile.syncAsync, lets group commit fsync without blocking the event
 * loop. Paths are absolute or relative to the process; the engine joins directory + file name with '/'.
 *
 * Implementations: NodeVfs (src/vfs/node-vfs.ts) and FaultInjectionVfs (src/vfs/fault-injection-vfs.ts), an
 * in-memory file system that tracks what was synced, can crash (dropping unsynced data and directory entries) and
 * can inject errors. Errors are thrown as LsmkvError with code IO_ERROR (or NOT_FOUND for a missing file).
 * An instance is not shared across threads.
 */

export interface WritableFile {
  /**
   * Appends bytes; when it returns they are in the OS (survive a process crash, not a power loss). The caller may
   * reuse or overwrite `data` as soon as append returns (the WAL and table writers reuse one buffer), so an
   * implementation that keeps bytes (the in-memory vfs, fault injection) must copy them before returning.
   */
  append(data: Uint8Array): void;
  /** fsync: makes everything appended so far durable. Throws IO_ERROR on failure (fatal for the writer). */
  sync(): void;
  /** fsync off the event loop. */
  syncAsync(): Promise<void>;
  /** Bytes appended so far. */
  readonly size: number;
  close(): void;
}

export interface RandomAccessFile {
  /** Reads up to `length` bytes at `offset`; fewer only at end of file. */
  read(offset: number, length: number): Buffer;
  readonly size: number;
  close(): void;
}

export interface FileLock {
  release(): void;
}

export interface Vfs {
  /** Short name, e.g. 'node' or 'fault-injection'. */
  readonly name: string;
  /**
   * Optional: waits about `ms` milliseconds (LevelDB's Env::SleepForMicroseconds; the write slowdown uses it).
   * Absent: a real timer. A simulated environment makes it independent of the wall clock, so that a run replays
   * exactly from its seed however loaded the machine is.
   */
  delay?(ms: number): Promise<void>;
  /**
   * Optional: the current time, ms since the epoch (LevelDB's Env::NowMicros); recorded as each new table's
   * creation time. Absent: Date.now(). The creation time is a varint inside the compressed properties block, so
   * it changes a table's size by a byte now and then, and sizes drive compaction: a simulated environment returns
   * a clock of its own so that a run's files, and so its decisions, do not depend on the wall clock.
   */
  now?(): number;
  /** Creates (or truncates) a file for appending. */
  openWritable(path: string): WritableFile;
  /** Opens an existing file for appending at its end (not truncated). */
  openAppendable(path: string): WritableFile;
  openReadable(path: string): RandomAccessFile;
  /** Whole-file read. */
  readFile(path: string): Buffer;
  exists(path: string): boolean;
  /** Names (not paths) of the entries of a directory. */
  list(dir: string): string[];
  remove(path: string): void;
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): void;
  /** Creates a directory and its parents; no error if it exists. */
  mkdir(path: string): void;
  /** fsyncs a directory so that creations, renames and removals in it are durable. */
  syncDir(path: string): void;
  size(path: string): number;
  /**
   * Takes the exclusive lock on `path` (a LOCK file), across processes and within this process.
   * Throws an LsmkvError with code LOCKED if another owner holds it.
   */
  lock(path: string): FileLock;
}
