/**
 * open — opens (creating if allowed) a database directory and recovers it.
 *
 * Recovery: take the LOCK; read CURRENT and replay the MANIFEST (or create both); replay every WAL at or above
 * the recorded log number in order into memtables (the newest WAL tolerates a torn tail, older ones were synced
 * before their successor was written and must be intact); write what was replayed to L0 tables; start a new WAL;
 * record it all in one MANIFEST edit; delete files nothing references. Nothing acknowledged is lost: every
 * replayed write is in a synced table named by a synced MANIFEST before the old WAL is deleted.
 */

import { ErrorCode, LsmkvError } from '../base/errors.js';
import { LOCK_FILE, logFileName, parseFileName } from '../base/file-names.js';
import { resolveOptions, type Options } from '../base/options.js';
import type { Vfs } from '../base/vfs.js';
import { forEachBatchOp } from '../batch/write-batch.js';
import type { Codec } from '../codec/codec.js';
import { codecFor, selectCodec } from '../codec/loader.js';
import { runJob } from '../compaction/compaction-job.js';
import { InlineRunner } from '../compaction/inline-runner.js';
import type { JobRunner } from '../compaction/job-runner.js';
import { WorkerRunner } from '../compaction/worker-runner.js';
import { readCurrent } from '../manifest/manifest-files.js';
import { emptyEdit, type FileMeta } from '../manifest/version-edit.js';
import { VersionSet } from '../manifest/version-set.js';
import { MemTable } from '../memtable/memtable.js';
import { BlockCache } from '../sstable/block-cache.js';
import { TableCache } from '../sstable/table-cache.js';
import type { ReadStats } from '../sstable/table-reader.js';
import { nodeVfs } from '../vfs/node-vfs.js';
import { replayWal } from '../wal/wal-reader.js';
import { WalWriter } from '../wal/wal-writer.js';
import { Db } from './db.js';

function chooseCodec(options: Options): Codec {
  if (options.codec === 'auto') return selectCodec().codec;
  return codecFor(options.codec);
}

function normalizeDir(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('open: location must be a non-empty string');
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** Opens the database at `location`. */
export async function open(location: string, options?: Partial<Options>): Promise<Db> {
  const dir = normalizeDir(location);
  const opts = resolveOptions(options);
  const vfs: Vfs = opts.vfs ?? nodeVfs;
  const codec = chooseCodec(opts);
  if (!vfs.exists(dir)) {
    if (!opts.createIfMissing) {
      throw new LsmkvError(ErrorCode.NOT_FOUND, `open: ${dir} does not exist (createIfMissing is false)`, { file: dir });
    }
    vfs.mkdir(dir);
  }
  const lock = vfs.lock(`${dir}/${LOCK_FILE}`);
  let versions: VersionSet | undefined;
  let tableCache: TableCache | undefined;
  try {
    const current = readCurrent(vfs, dir);
    if (current === undefined) {
      if (!opts.createIfMissing) {
        throw new LsmkvError(ErrorCode.NOT_FOUND, `open: no database in ${dir} (createIfMissing is false)`, { file: dir });
      }
      versions = VersionSet.create(vfs, dir, codec, opts.numLevels);
    } else {
      if (opts.errorIfExists) {
        throw new LsmkvError(ErrorCode.EXISTS, `open: a database already exists in ${dir} (errorIfExists)`, { file: dir });
      }
      versions = VersionSet.recover(vfs, dir, codec, opts.numLevels);
    }
    const lastSequence = replayLogs(vfs, dir, codec, opts, versions);
    const readStats: ReadStats = { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
    const blockCache = opts.blockCacheSize > 0 ? new BlockCache(opts.blockCacheSize) : undefined;
    tableCache = new TableCache(vfs, dir, codec, blockCache, opts.maxOpenFiles, readStats);
    const walNumber = versions.logNumber;
    const wal = new WalWriter(vfs.openAppendable(`${dir}/${logFileName(walNumber)}`), codec, walNumber);
    const runner: JobRunner =
      opts.background === 'worker' && vfs === nodeVfs
        ? new WorkerRunner(codec.kind)
        : new InlineRunner({ vfs, codec });
    const db = new Db({
      dir,
      options: opts,
      vfs,
      codec,
      lock,
      versions,
      tableCache,
      blockCache,
      readStats,
      wal,
      lastSequence,
      runner,
    });
    return db;
  } catch (e) {
    tableCache?.close();
    versions?.close();
    lock.release();
    throw e;
  }
}

/**
 * Replays the WALs into L0 tables, starts a fresh (empty, created and directory-synced) WAL whose number becomes
 * the log number, records everything in one edit, and deletes the replayed WALs. Returns the last sequence.
 */
function replayLogs(vfs: Vfs, dir: string, codec: Codec, opts: Options, versions: VersionSet): number {
  const logs: number[] = [];
  for (const name of vfs.list(dir)) {
    const p = parseFileName(name);
    if (!p) continue;
    versions.markFileNumberUsed(p.number);
    if (p.type === 'log' && p.number >= versions.logNumber) logs.push(p.number);
  }
  logs.sort((a, b) => a - b);
  let lastSequence = versions.lastSequence;
  const edit = emptyEdit();
  let mem = new MemTable();
  const flush = (): void => {
    if (mem.count === 0) return;
    mem.freeze();
    const fileNumber = versions.newFileNumber();
    const result = runJob(
      {
        kind: 'flush',
        dir,
        memtable: mem.image(),
        fileNumber,
        smallestSnapshot: lastSequence,
        output: {
          blockSize: opts.blockSize,
          blockRestartInterval: opts.blockRestartInterval,
          bloomBitsPerKey: opts.bloomBitsPerKey,
          compression: opts.compression,
          targetFileSize: opts.targetFileSize,
        },
      },
      { vfs, codec },
    );
    for (const f of result.outputs) edit.newFiles.push({ level: 0, file: f as FileMeta });
    mem = new MemTable();
  };
  logs.forEach((number, i) => {
    const name = logFileName(number);
    const data = vfs.readFile(`${dir}/${name}`);
    replayWal(data, name, codec, i === logs.length - 1 ? 'tolerate-tail' : 'strict', (payload, offset) => {
      forEachBatchOp(
        payload,
        (kind, key, value, seq) => {
          mem.add(seq, kind, key, value);
          if (seq > lastSequence) lastSequence = seq;
        },
        name,
        offset,
      );
      if (mem.approximateBytes >= opts.writeBufferSize) flush();
    });
  });
  flush();
  const walNumber = versions.newFileNumber();
  const wal = vfs.openWritable(`${dir}/${logFileName(walNumber)}`);
  wal.close();
  vfs.syncDir(dir);
  edit.logNumber = walNumber;
  edit.lastSequence = lastSequence;
  versions.lastSequence = lastSequence;
  versions.logAndApply(edit);
  for (const number of logs) {
    try {
      vfs.remove(`${dir}/${logFileName(number)}`);
    } catch {
      // deleted at the next open
    }
  }
  return lastSequence;
}
