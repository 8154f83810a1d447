/**
 * file-names — names of the files in a database directory, and parsing them back.
 *
 * One counter (next file number, persisted in the MANIFEST) numbers logs, tables and manifests.
 * DO NOT CHANGE the names: existing databases are found by them.
 *
 *   NNNNNN.log       write-ahead log          NNNNNN.sst   table
 *   MANIFEST-NNNNNN  version edit log         CURRENT      names the live MANIFEST
 *   LOCK             owner of the directory   NNNNNN.dbtmp temporary file (CURRENT replacement)
 *   LOG              human-readable info log
 */

export type FileType = 'log' | 'table' | 'manifest' | 'current' | 'lock' | 'temp' | 'infolog';

function pad(n: number): string {
  return String(n).padStart(6, '0');
}

export const CURRENT_FILE = 'CURRENT';
export const LOCK_FILE = 'LOCK';
export const INFO_LOG_FILE = 'LOG';

export function logFileName(n: number): string {
  return `${pad(n)}.log`;
}
export function tableFileName(n: number): string {
  return `${pad(n)}.sst`;
}
export function manifestFileName(n: number): string {
  return `MANIFEST-${pad(n)}`;
}
export function tempFileName(n: number): string {
  return `${pad(n)}.dbtmp`;
}

export interface ParsedFileName {
  type: FileType;
  number: number;
}

/** Parses a file name found in the directory; undefined for files that are not ours. */
export function parseFileName(name: string): ParsedFileName | undefined {
  if (name === CURRENT_FILE) return { type: 'current', number: 0 };
  if (name === LOCK_FILE) return { type: 'lock', number: 0 };
  if (name === INFO_LOG_FILE) return { type: 'infolog', number: 0 };
  let m = /^MANIFEST-(\d+)$/.exec(name);
  if (m) return { type: 'manifest', number: Number(m[1]) };
  m = /^(\d+)\.(log|sst|dbtmp)$/.exec(name);
  if (m) {
    const type: FileType = m[2] === 'log' ? 'log' : m[2] === 'sst' ? 'table' : 'temp';
    return { type, number: Number(m[1]) };
  }
  return undefined;
}
