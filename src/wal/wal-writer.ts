/**
 * wal-writer — the write-ahead log of one memtable: appends encoded write batches (src/batch) as log records.
 *
 * A thin layer over LogWriter: addBatches frames a whole write group with one append, so a group reaches the OS
 * as a unit; sync/syncAsync make it durable. After a failed append or sync the writer is unusable (the caller
 * turns the database read-only); that state is the caller's, this class only forwards the error.
 * One writer per WAL file; not safe to share. The WAL's number is its file number (NNNNNN.log).
 *
 * REQUIRES: each payload is a complete encoded batch (WriteBatch.payload()).
 */

import type { WritableFile } from '../base/vfs.js';
import type { Codec } from '../codec/codec.js';
import { ByteWriter } from '../base/coding.js';
import { SkippableType } from '../log/log-format.js';
import { LogWriter } from '../log/log-writer.js';

export class WalWriter {
  readonly number: number;
  private readonly log: LogWriter;

  constructor(file: WritableFile, codec: Codec, number: number) {
    this.number = number;
    this.log = new LogWriter(file, codec);
  }

  /** Records which WAL came before this one and the last sequence written to it (the first record of a WAL). */
  addPredecessor(walNumber: number, lastSequence: number): void {
    const w = new ByteWriter(20);
    w.varint(walNumber);
    w.varint(lastSequence);
    this.log.addSkippableRecord(SkippableType.WAL_PREDECESSOR, w.finish());
  }

  /** Appends the payloads as consecutive records with one file append. */
  addBatches(payloads: readonly Uint8Array[]): void {
    this.log.addRecords(payloads);
  }

  sync(): void {
    this.log.file.sync();
  }

  syncAsync(): Promise<void> {
    return this.log.file.syncAsync();
  }

  /** Bytes in the file so far. */
  get size(): number {
    return this.log.file.size;
  }

  close(): void {
    this.log.file.close();
  }
}
