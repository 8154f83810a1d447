/**
 * open — opens (creating if allowed) a database directory and recovers it.
 *
 * Recovery: take the LOCK; read CURRENT and replay the MANIFEST (or create both); replay every WAL at or above
 * the recorded log number in order into memtables (the newest WAL that holds anything tolerates a torn tail, older
 * ones were synced before their successor was written and must be intact; empty WALs after it were created ahead
 * of a rotation that did not happen); write what was replayed to L0 tables; start a new WAL;
 * record it all in one MANIFEST edit; delete files nothing references. After a clean close there is nothing to
 * replay: the newest WAL (empty of batches, clean end) and the MANIFEST are reused, and open writes no file. Nothing acknowledged is lost: every
 * replayed write is in a synced table named by a synced MANIFEST before the old WAL is deleted.
 */

import { ErrorCode, LsmkvError, corruption } from '../base/errors.js';
import { CURRENT_FILE, LOCK_FILE, logFileName, parseFileName, tableFileName } from '../base/file-names.js';
import { resolveOptions, type Options } from '../base/options.js';
import type { Vfs } from '../base/vfs.js';
import { batchCount, batchFirstSequence, forEachBatchOp } from '../batch/write-batch.js';
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
      refuseOrphanedDatabase(vfs, dir);
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
    checkTablesExist(vfs, dir, versions);
    const lastSequence = replayLogs(vfs, dir, codec, opts, versions);
    const readStats: ReadStats = { bloomChecked: 0, bloomUseful: 0, blockCacheHits: 0, blockCacheMisses: 0 };
    const blockCache = opts.blockCacheSize > 0 ? new BlockCache(opts.blockCacheSize) : undefined;
    tableCache = new TableCache(vfs, dir, codec, blockCache, opts.maxOpenFiles, readStats);
    const walNumber = versions.logNumber;
    const wal = new WalWriter(vfs.openAppendable(`${dir}/${logFileName(walNumber)}`), codec, walNumber);
    const makeRunner = (): JobRunner =>
      opts.background === 'worker' && vfs === nodeVfs ? new WorkerRunner(codec.kind) : new InlineRunner({ vfs, codec });
    const flushRunner = makeRunner();
    const compactRunner = makeRunner();
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
      flushRunner,
      compactRunner,
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
 * CURRENT is missing. A directory that never finished its creation holds at most MANIFEST-000001 (and temp files):
 * create over it. Anything else (tables, WALs, a later MANIFEST) is a database whose CURRENT was lost: creating a
 * new one would delete every file as obsolete, so report it instead.
 */
function refuseOrphanedDatabase(vfs: Vfs, dir: string): void {
  const found: string[] = [];
  for (const name of vfs.list(dir)) {
    const p = parseFileName(name);
    if (!p || p.type === 'lock' || p.type === 'temp' || p.type === 'infolog') continue;
    if (p.type === 'manifest' && p.number === 1) continue;
    found.push(name);
  }
  if (found.length > 0) {
    throw corruption(
      'open',
      `CURRENT is missing but the directory holds a database (${found.slice(0, 5).join(', ')}${found.length > 5 ? ', ...' : ''}); restore CURRENT (it names the newest MANIFEST) instead of creating a new database`,
      CURRENT_FILE,
    );
  }
}

/** Every table the recovered version names must exist: a missing one means the MANIFEST and the directory disagree. */
function checkTablesExist(vfs: Vfs, dir: string, versions: VersionSet): void {
  const present = new Set(vfs.list(dir));
  const recovered = versions.recovered;
  for (const n of versions.current.allFileNumbers()) {
    const name = tableFileName(n);
    if (!present.has(name)) {
      // The MANIFEST ends early (damaged or cut) or the table was deleted: name the MANIFEST and where it ended.
      throw corruption(
        'open',
        `${recovered?.manifest ?? 'the MANIFEST'} names table ${name}, which does not exist`,
        recovered?.manifest,
        recovered?.summary.endOffset,
      );
    }
  }
}

/**
 * Replays the WALs into L0 tables, starts a fresh (empty, created and directory-synced) WAL whose number becomes
 * the log number, records everything in one edit, and deletes the replayed WALs. When no WAL holds a batch and
 * the newest ends cleanly, that WAL becomes the log number instead (no new file, no edit unless older empty WALs
 * precede it). Returns the last sequence.
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
  const names = new Set(vfs.list(dir));
  let lastSequence = versions.lastSequence;
  // Batches carry their sequence numbers, and every write lands in exactly one WAL in order: the WALs replayed
  // must continue the MANIFEST's last sequence (the newest write in a table) without a gap. A gap is a lost or
  // damaged older WAL, or a damaged MANIFEST: reported, never replayed around (that would leave a hole).
  let expected = versions.lastSequence + 1;
  const manifestName = versions.recovered?.manifest ?? 'the MANIFEST';
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
  // What the sequence must continue from, for the gap message: the previous WAL, or the oldest live WAL the
  // MANIFEST names when it is not there, or the MANIFEST itself.
  let before =
    logs.length > 0 && logs[0]! > versions.logNumber
      ? `${logFileName(versions.logNumber)} (the oldest live WAL; missing)`
      : manifestName;
  let batches = 0;
  let lastEndedCleanly = false;
  // The newest WAL that holds anything may have a torn tail. WALs after it are empty: created ahead of a rotation
  // (db.ts maybePrepareNextWal) that never came, so their predecessor was not synced for them.
  let newestWritten = logs.length - 1;
  while (newestWritten > 0 && vfs.size(`${dir}/${logFileName(logs[newestWritten]!)}`) === 0) newestWritten--;
  logs.forEach((number, i) => {
    const name = logFileName(number);
    const data = vfs.readFile(`${dir}/${name}`);
    let predecessor: { number: number; lastSequence: number } | undefined;
    const mode = i >= newestWritten ? 'tolerate-tail' : 'strict';
    const summary = replayWal(data, name, codec, mode, (payload, offset) => {
      batches++;
      const first = batchFirstSequence(payload);
      if (first > expected) {
        // The WAL this one succeeded (its predecessor record) is the lost one when it is not in the directory;
        // a WAL without that record (the first after an open) falls back to naming the nearest missing numbers.
        let missing = '';
        if (predecessor !== undefined) {
          missing = names.has(logFileName(predecessor.number))
            ? `; it follows ${logFileName(predecessor.number)}, which ended at sequence ${predecessor.lastSequence}`
            : `; it follows ${logFileName(predecessor.number)} (ended at sequence ${predecessor.lastSequence}), which is missing`;
        } else {
          const previous = i > 0 ? logs[i - 1]! : versions.logNumber - 1;
          const candidates: string[] = [];
          for (let n = number - 1; n > previous && candidates.length < 32; n--) {
            if (!names.has(logFileName(n)) && !names.has(tableFileName(n))) candidates.push(logFileName(n));
          }
          if (candidates.length > 0) missing = `; file numbers missing before it, nearest first: ${candidates.join(', ')}`;
        }
        throw corruption(
          'open',
          `sequence gap: this batch starts at sequence ${first} but ${before} ends at ${expected - 1} (a WAL is missing or damaged, or ${manifestName} is${missing})`,
          name,
          offset,
        );
      }
      expected = Math.max(expected, first + batchCount(payload));
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
    }, (walNumber, lastSeq) => {
      predecessor = { number: walNumber, lastSequence: lastSeq };
    });
    lastEndedCleanly = summary.tornTailOffset === undefined;
    before = name;
  });
  const reused = logs.length > 0 && batches === 0 && lastEndedCleanly ? logs[logs.length - 1]! : undefined;
  if (reused !== undefined) {
    // Nothing to replay (a clean close flushed it all) and the newest WAL ends cleanly: it stays the active WAL,
    // appended to from its end, like LevelDB's reuse_logs. It was created and its directory entry synced by the
    // process that started it. Only when older empty WALs precede it does the log number move (one edit).
    if (reused !== versions.logNumber) {
      edit.logNumber = reused;
      versions.logAndApply(edit);
    }
    removeLogs(vfs, dir, logs.slice(0, -1));
    return lastSequence;
  }
  flush();
  const walNumber = versions.newFileNumber();
  const wal = vfs.openWritable(`${dir}/${logFileName(walNumber)}`);
  wal.close();
  vfs.syncDir(dir);
  edit.logNumber = walNumber;
  edit.lastSequence = lastSequence;
  versions.lastSequence = lastSequence;
  versions.logAndApply(edit);
  removeLogs(vfs, dir, logs);
  return lastSequence;
}

/** Removes replayed WALs that the MANIFEST's log number now leaves behind (best effort). */
function removeLogs(vfs: Vfs, dir: string, logs: readonly number[]): void {
  for (const number of logs) {
    try {
      vfs.remove(`${dir}/${logFileName(number)}`);
    } catch {
      // deleted at the next open
    }
  }
}
