/**
 * mem-file — a minimal in-memory WritableFile for the log and wal tests: records every append call so tests can
 * check that a writer appends once per call, and can fail on demand.
 */

import type { WritableFile } from '../../src/base/vfs.js';

export class MemFile implements WritableFile {
  private chunks: Buffer[] = [];
  appends = 0;
  syncs = 0;
  closed = false;
  failAppend = false;
  failSync = false;
  private length = 0;

  append(data: Uint8Array): void {
    if (this.failAppend) throw new Error('mem-file: injected append failure');
    this.chunks.push(Buffer.from(data));
    this.length += data.length;
    this.appends++;
  }
  sync(): void {
    if (this.failSync) throw new Error('mem-file: injected sync failure');
    this.syncs++;
  }
  async syncAsync(): Promise<void> {
    this.sync();
  }
  get size(): number {
    return this.length;
  }
  close(): void {
    this.closed = true;
  }
  contents(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
