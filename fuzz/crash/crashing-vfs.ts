/**
 * crashing-vfs — a Vfs in front of a FaultInjectionVfs that loses power at a chosen point: just before the N-th
 * mutating call (open for writing, append, sync, syncDir, rename, remove) from now, or before the k-th call of
 * one kind. At that point it calls crash() on the inner file system, keeps what survives (`survivor`), and lets
 * the call go on to the dead instance, which throws IO_ERROR, as does every later call. The engine sees the
 * failure wherever it was (a write, a flush, a compaction, recovery); the harness reopens on `survivor`.
 *
 * Counting every call lets a harness place crashes inside background work it cannot otherwise interrupt
 * (the inline runner runs a whole flush within one event-loop turn). Single-threaded, like FaultInjectionVfs.
 * Time (now, delay) is the inner file system's simulated clock, so nothing a run writes depends on the wall clock.
 */

import type { FaultInjectionVfs, FileLock, RandomAccessFile, Vfs, WritableFile } from '../../src/index.js';

export type CrashOptions = Parameters<FaultInjectionVfs['crash']>[0];
export type MutatingCall = 'openWritable' | 'append' | 'sync' | 'syncDir' | 'rename' | 'remove';

interface Trigger {
  kind: MutatingCall | undefined;
  /** Matching calls left before the crash (the crash comes before the call that brings it to zero). */
  left: number;
  options: CrashOptions;
}

export class CrashingVfs implements Vfs {
  readonly name = 'crashing';
  /** Mutating calls seen (including the one that crashed). */
  calls = 0;
  /** The call the crash came before, e.g. 'sync 000012.log'. */
  crashedAt: string | undefined;
  private trigger: Trigger | undefined;
  private survivorVfs: FaultInjectionVfs | undefined;

  constructor(private readonly inner: FaultInjectionVfs) {}

  // The simulated time of the inner file system: without these the engine falls back to the wall clock (table
  // creation times, the async write slowdown's timer) and a run no longer replays from its seed.
  delay(ms: number): Promise<void> {
    return this.inner.delay(ms);
  }

  now(): number {
    return this.inner.now();
  }

  /** Crash before the `n`-th mutating call from now (of `kind`, if given). REQUIRES: n >= 1, not crashed. */
  armAfter(n: number, options: CrashOptions, kind?: MutatingCall): void {
    this.trigger = { kind, left: n, options };
  }

  get crashed(): boolean {
    return this.survivorVfs !== undefined;
  }

  /** What the power loss left. REQUIRES: crashed. */
  get survivor(): FaultInjectionVfs {
    if (this.survivorVfs === undefined) throw new Error('crashing-vfs: no crash happened');
    return this.survivorVfs;
  }

  /** Loses power now, between calls. */
  crashNow(options: CrashOptions): FaultInjectionVfs {
    if (this.survivorVfs === undefined) {
      this.crashedAt = 'between calls';
      this.survivorVfs = this.inner.crash(options);
    }
    return this.survivorVfs;
  }

  /** Counts a mutating call and crashes first if the trigger says so. */
  private before(kind: MutatingCall, path: string): void {
    this.calls++;
    const t = this.trigger;
    if (t === undefined || this.survivorVfs !== undefined) return;
    if (t.kind !== undefined && t.kind !== kind) return;
    if (--t.left > 0) return;
    this.trigger = undefined;
    this.crashedAt = `before ${kind} ${path.slice(path.lastIndexOf('/') + 1)}`;
    this.survivorVfs = this.inner.crash(t.options);
  }

  private wrap(file: WritableFile, path: string): WritableFile {
    const before = (kind: MutatingCall): void => this.before(kind, path);
    return {
      append(data: Uint8Array): void {
        before('append');
        file.append(data);
      },
      sync(): void {
        before('sync');
        file.sync();
      },
      syncAsync(): Promise<void> {
        try {
          before('sync');
        } catch (e) {
          return Promise.reject(e);
        }
        return file.syncAsync();
      },
      get size(): number {
        return file.size;
      },
      close(): void {
        file.close();
      },
    };
  }

  openWritable(path: string): WritableFile {
    this.before('openWritable', path);
    return this.wrap(this.inner.openWritable(path), path);
  }

  openAppendable(path: string): WritableFile {
    this.before('openWritable', path);
    return this.wrap(this.inner.openAppendable(path), path);
  }

  openReadable(path: string): RandomAccessFile {
    return this.inner.openReadable(path);
  }

  readFile(path: string): Buffer {
    return this.inner.readFile(path);
  }

  exists(path: string): boolean {
    return this.inner.exists(path);
  }

  list(dir: string): string[] {
    return this.inner.list(dir);
  }

  remove(path: string): void {
    this.before('remove', path);
    this.inner.remove(path);
  }

  rename(from: string, to: string): void {
    this.before('rename', to);
    this.inner.rename(from, to);
  }

  mkdir(path: string): void {
    this.inner.mkdir(path);
  }

  syncDir(path: string): void {
    this.before('syncDir', path);
    this.inner.syncDir(path);
  }

  size(path: string): number {
    return this.inner.size(path);
  }

  lock(path: string): FileLock {
    return this.inner.lock(path);
  }
}
