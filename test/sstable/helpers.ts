/**
 * Test helpers for the sstable tests: in-memory files and a minimal in-memory Vfs (counting opens and closes),
 * a seeded PRNG, and a model table (sorted internal keys with versions and deletions) to check readers against.
 */

import { compareInternalKeys } from '../../src/base/comparator.js';
import { ValueKind, makeInternalKey } from '../../src/base/internal-key.js';
import type { FileLock, RandomAccessFile, Vfs, WritableFile } from '../../src/base/vfs.js';
import { tsCodec } from '../../src/codec/ts-codec.js';
import type { TableBuilderOptions, TableInfo } from '../../src/sstable/table-builder.js';
import { TableBuilder } from '../../src/sstable/table-builder.js';

/** Small seeded PRNG (mulberry32): returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(r: () => number, n: number, alphabet = 256): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * alphabet);
  return b;
}

export class MemWritableFile implements WritableFile {
  private chunks: Buffer[] = [];
  size = 0;
  closed = false;

  append(data: Uint8Array): void {
    if (this.closed) throw new Error('append after close');
    this.chunks.push(Buffer.from(data));
    this.size += data.length;
  }
  sync(): void {}
  async syncAsync(): Promise<void> {}
  close(): void {
    this.closed = true;
  }
  contents(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export class MemRandomAccessFile implements RandomAccessFile {
  closed = false;
  reads = 0;
  /** The length asked for by the last read. */
  lastLength = 0;

  constructor(private readonly data: Buffer) {}

  get size(): number {
    return this.data.length;
  }
  read(offset: number, length: number): Buffer {
    if (this.closed) throw new Error('read after close');
    this.reads++;
    this.lastLength = length;
    return Buffer.from(this.data.subarray(offset, Math.min(this.data.length, offset + length)));
  }
  close(): void {
    this.closed = true;
  }
}

/** Only what the table cache needs; everything else throws. */
export class MemVfs implements Vfs {
  readonly name = 'mem-test';
  readonly files = new Map<string, Buffer>();
  readonly opened: MemRandomAccessFile[] = [];

  openReadable(path: string): RandomAccessFile {
    const data = this.files.get(path);
    if (data === undefined) throw new Error(`no such file ${path}`);
    const f = new MemRandomAccessFile(data);
    this.opened.push(f);
    return f;
  }
  openWritable(): WritableFile {
    throw new Error('not implemented');
  }
  openAppendable(): WritableFile {
    throw new Error('not implemented');
  }
  readFile(path: string): Buffer {
    return Buffer.from(this.files.get(path)!);
  }
  exists(path: string): boolean {
    return this.files.has(path);
  }
  list(): string[] {
    return [];
  }
  remove(path: string): void {
    this.files.delete(path);
  }
  rename(): void {
    throw new Error('not implemented');
  }
  mkdir(): void {}
  syncDir(): void {}
  size(path: string): number {
    return this.files.get(path)!.length;
  }
  lock(): FileLock {
    throw new Error('not implemented');
  }
}

export interface ModelEntry {
  userKey: Buffer;
  seq: number;
  kind: number;
  ikey: Buffer;
  value: Buffer;
}

export interface ModelOptions {
  userKeys: number;
  maxVersions: number;
  maxValue: number;
  deletionRate: number;
}

/** Random user keys (shared prefixes), 1..maxVersions versions each with unique sequences, sorted. */
export function makeModel(r: () => number, o: ModelOptions): ModelEntry[] {
  const users = new Map<string, Buffer>();
  while (users.size < o.userKeys) {
    const k = Buffer.concat([Buffer.from('k'), randomBytes(r, 1 + Math.floor(r() * 10), 4)]);
    users.set(k.toString('hex'), k);
  }
  const entries: ModelEntry[] = [];
  for (const userKey of users.values()) {
    const versions = 1 + Math.floor(r() * o.maxVersions);
    for (let v = 0; v < versions; v++) entries.push({ userKey, seq: 0, kind: 0, ikey: Buffer.alloc(0), value: Buffer.alloc(0) });
  }
  const seqs = entries.map((_, i) => i + 1);
  for (let i = seqs.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [seqs[i], seqs[j]] = [seqs[j]!, seqs[i]!];
  }
  entries.forEach((e, i) => {
    e.seq = seqs[i]! * 1000 + 7; // gaps between sequences so lookups can fall between versions
    e.kind = r() < o.deletionRate ? ValueKind.Deletion : ValueKind.Value;
    e.ikey = makeInternalKey(e.userKey, e.seq, e.kind);
    e.value = e.kind === ValueKind.Value ? randomBytes(r, Math.floor(r() * o.maxValue)) : Buffer.alloc(0);
  });
  return entries.sort((a, b) => compareInternalKeys(a.ikey, b.ikey));
}

const byUserKey = new WeakMap<ModelEntry[], Map<string, ModelEntry[]>>();

/** Expected get(userKey, seq) against a model. */
export function modelGet(model: ModelEntry[], userKey: Buffer, seq: number): Buffer | null | undefined {
  let index = byUserKey.get(model);
  if (index === undefined) {
    index = new Map();
    for (const e of model) {
      const h = e.userKey.toString('hex');
      const list = index.get(h) ?? [];
      list.push(e);
      index.set(h, list);
    }
    byUserKey.set(model, index);
  }
  let best: ModelEntry | undefined;
  for (const e of index.get(userKey.toString('hex')) ?? []) {
    if (e.seq <= seq && (best === undefined || e.seq > best.seq)) best = e;
  }
  if (best === undefined) return undefined;
  return best.kind === ValueKind.Deletion ? null : best.value;
}

export const DEFAULT_TABLE_OPTIONS: TableBuilderOptions = {
  blockSize: 4096,
  blockRestartInterval: 16,
  bloomBitsPerKey: 10,
  compression: 'snappy',
  creationTime: 1_700_000_000_000,
};

export function buildTable(model: ModelEntry[], options: Partial<TableBuilderOptions> = {}): { bytes: Buffer; info: TableInfo } {
  const file = new MemWritableFile();
  const b = new TableBuilder(file, { ...DEFAULT_TABLE_OPTIONS, ...options }, tsCodec);
  for (const e of model) b.add(e.ikey, e.value);
  const info = b.finish();
  return { bytes: file.contents(), info };
}

export function newStats(): { bloomChecked: number; bloomUseful: number; blockCacheHits: number; blockCacheMisses: number } {
  return { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
}
