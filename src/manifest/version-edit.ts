/**
 * version-edit — one MANIFEST record: a change to the set of live tables plus the counters
 * (docs/FORMAT.md "MANIFEST records"). A sequence of `varint tag` + fields:
 *
 *   1 comparator      varint length, bytes            6 deleted file  varint level, varint number
 *   2 log number      varint                          7 new file      varint level, varint number, varint size,
 *   3 next file       varint                                          len-prefixed smallest, largest internal key
 *   4 last sequence   varint
 *
 *   8193 file stats   varint length, then varint number, varint entries, varint deletions, varint max sequence
 *                     (optional, right after the new-file record it describes)
 *
 * Tags with bit 13 (8192) set are followed by `varint length, bytes`; this reader knows 8193 and skips any other
 * such tag; any other unknown tag is corruption. Plain data; any module may build one. DO NOT CHANGE the tags: embedded in MANIFEST files.
 */

import { ByteWriter, getVarint, varintValue } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import { TRAILER_SIZE } from '../base/internal-key.js';

/** A table file as the version knows it. smallest/largest are internal keys. */
export interface FileMeta {
  number: number;
  size: number;
  smallest: Buffer;
  largest: Buffer;
  /**
   * Entry counts from the table's properties, for the deletion-triggered compaction. Set by the job that wrote
   * the table and recorded in the MANIFEST next to the new file (tag 8193), so an open knows them at once; for a
   * table recorded without them (a MANIFEST written before the tag existed) they are filled in after open from the
   * properties block (like RocksDB's num_entries/num_deletions). The one field of a FileMeta that may be set later.
   */
  stats?: FileStats;
}

export interface FileStats {
  entries: number;
  deletions: number;
  /** Largest sequence number in the table: its deletions are droppable once every snapshot is at or above it. */
  maxSequence: number;
}

export interface VersionEdit {
  comparator?: string;
  logNumber?: number;
  nextFileNumber?: number;
  lastSequence?: number;
  deletedFiles: Array<{ level: number; number: number }>;
  newFiles: Array<{ level: number; file: FileMeta }>;
}

/** Tags. DO NOT CHANGE: embedded in on-disk data. */
export const EditTag = {
  COMPARATOR: 1,
  LOG_NUMBER: 2,
  NEXT_FILE_NUMBER: 3,
  LAST_SEQUENCE: 4,
  DELETED_FILE: 6,
  NEW_FILE: 7,
} as const;

/** Tags with this bit are optional: `varint length, bytes` that an older reader skips. */
export const SKIPPABLE_TAG_BIT = 8192;

/** Optional tags (SKIPPABLE_TAG_BIT set). DO NOT CHANGE: embedded in on-disk data. */
export const OptionalTag = {
  /** The FileStats of the new file recorded just before it: number, entries, deletions, max sequence. */
  FILE_STATS: SKIPPABLE_TAG_BIT | 1,
} as const;

export function emptyEdit(): VersionEdit {
  return { deletedFiles: [], newFiles: [] };
}

export function encodeVersionEdit(edit: VersionEdit): Buffer {
  const w = new ByteWriter(64 + edit.newFiles.length * 64);
  if (edit.comparator !== undefined) {
    w.varint(EditTag.COMPARATOR);
    w.lengthPrefixed(Buffer.from(edit.comparator, 'utf8'));
  }
  if (edit.logNumber !== undefined) {
    w.varint(EditTag.LOG_NUMBER);
    w.varint(edit.logNumber);
  }
  if (edit.nextFileNumber !== undefined) {
    w.varint(EditTag.NEXT_FILE_NUMBER);
    w.varint(edit.nextFileNumber);
  }
  if (edit.lastSequence !== undefined) {
    w.varint(EditTag.LAST_SEQUENCE);
    w.varint(edit.lastSequence);
  }
  for (const d of edit.deletedFiles) {
    w.varint(EditTag.DELETED_FILE);
    w.varint(d.level);
    w.varint(d.number);
  }
  for (const { level, file } of edit.newFiles) {
    w.varint(EditTag.NEW_FILE);
    w.varint(level);
    w.varint(file.number);
    w.varint(file.size);
    w.lengthPrefixed(file.smallest);
    w.lengthPrefixed(file.largest);
    if (file.stats !== undefined) {
      const st = new ByteWriter(32);
      st.varint(file.number);
      st.varint(file.stats.entries);
      st.varint(file.stats.deletions);
      st.varint(file.stats.maxSequence);
      w.varint(OptionalTag.FILE_STATS);
      w.lengthPrefixed(st.buf.subarray(0, st.length));
    }
  }
  return Buffer.from(w.buf.buffer, w.buf.byteOffset, w.length);
}

/** Decodes one MANIFEST record; CORRUPTION (naming fileName and the record's offset) on bad input. */
export function decodeVersionEdit(data: Uint8Array, fileName: string, offset: number): VersionEdit {
  const end = data.length;
  const edit = emptyEdit();
  let pos = 0;
  const bad = (what: string, at: number) =>
    corruption('manifest', `version edit: ${what} at record byte ${at} of ${end}`, fileName, offset);
  const varint = (what: string): number => {
    const next = getVarint(data, pos, end);
    if (next < 0) throw bad(`truncated or overlong ${what}`, pos);
    pos = next;
    return varintValue.v;
  };
  const bytes = (what: string): Buffer => {
    const n = varint(`${what} length`);
    if (n > end - pos) throw bad(`${what} of ${n} bytes runs past the end`, pos);
    const out = Buffer.from(data.subarray(pos, pos + n));
    pos += n;
    return out;
  };
  const internalKey = (what: string): Buffer => {
    const at = pos;
    const key = bytes(what);
    if (key.length < TRAILER_SIZE) throw bad(`${what} shorter than an internal key trailer`, at);
    return key;
  };
  while (pos < end) {
    const tagAt = pos;
    const tag = varint('tag');
    switch (tag) {
      case EditTag.COMPARATOR:
        edit.comparator = bytes('comparator name').toString('utf8');
        break;
      case EditTag.LOG_NUMBER:
        edit.logNumber = varint('log number');
        break;
      case EditTag.NEXT_FILE_NUMBER:
        edit.nextFileNumber = varint('next file number');
        break;
      case EditTag.LAST_SEQUENCE:
        edit.lastSequence = varint('last sequence');
        break;
      case EditTag.DELETED_FILE: {
        const level = varint('level');
        edit.deletedFiles.push({ level, number: varint('file number') });
        break;
      }
      case EditTag.NEW_FILE: {
        const level = varint('level');
        const number = varint('file number');
        const size = varint('file size');
        const smallest = internalKey('smallest key');
        const largest = internalKey('largest key');
        edit.newFiles.push({ level, file: { number, size, smallest, largest } });
        break;
      }
      case OptionalTag.FILE_STATS: {
        const n = varint('file stats length');
        if (n > end - pos) throw bad(`file stats of ${n} bytes runs past the end`, tagAt);
        const statsEnd = pos + n;
        const field = (what: string): number => {
          const next = getVarint(data, pos, statsEnd);
          if (next < 0) throw bad(`truncated or overlong ${what} in file stats`, pos);
          pos = next;
          return varintValue.v;
        };
        const number = field('file number');
        const stats = { entries: field('entries'), deletions: field('deletions'), maxSequence: field('max sequence') };
        if (stats.deletions > stats.entries) throw bad(`file stats: ${stats.deletions} deletions of ${stats.entries} entries`, tagAt);
        const described = edit.newFiles.find((f) => f.file.number === number);
        if (described === undefined) throw bad(`file stats for file ${number}, which this edit does not add`, tagAt);
        described.file.stats = stats;
        // Fields a later writer may append are skipped.
        pos = statsEnd;
        break;
      }
      default:
        if ((tag & SKIPPABLE_TAG_BIT) === 0) throw bad(`unknown tag ${tag}`, tagAt);
        {
          const n = varint(`tag ${tag} length`);
          if (n > end - pos) throw bad(`tag ${tag} of ${n} bytes runs past the end`, tagAt);
          pos += n;
        }
    }
  }
  return edit;
}
