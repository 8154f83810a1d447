/**
 * manifest-files — the CURRENT file: which MANIFEST is live (docs/FORMAT.md "CURRENT").
 *
 * CURRENT holds exactly `MANIFEST-NNNNNN\n`. It is replaced atomically: write NNNNNN.dbtmp, fsync it, rename it
 * over CURRENT, fsync the directory; a crash at any point leaves either the old or the new CURRENT.
 * Called by VersionSet (set) and the database open path (read). Stateless.
 */

import { ErrorCode, corruption, isLsmkvError } from '../base/errors.js';
import { CURRENT_FILE, manifestFileName, tempFileName } from '../base/file-names.js';
import type { Vfs } from '../base/vfs.js';

const CURRENT_PATTERN = /^(MANIFEST-\d+)\n$/;

/**
 * The MANIFEST file name CURRENT points at, or undefined when there is no CURRENT (no database here).
 * Throws CORRUPTION if CURRENT is not exactly `MANIFEST-<digits>\n`.
 */
export function readCurrent(vfs: Vfs, dir: string): string | undefined {
  const path = `${dir}/${CURRENT_FILE}`;
  let data: Buffer;
  try {
    data = vfs.readFile(path);
  } catch (e) {
    if (isLsmkvError(e, ErrorCode.NOT_FOUND)) return undefined;
    throw e;
  }
  const m = CURRENT_PATTERN.exec(data.toString('latin1'));
  if (!m) {
    const shown = JSON.stringify(data.subarray(0, 40).toString('latin1'));
    throw corruption('manifest', `CURRENT must hold "MANIFEST-<number>\\n", found ${shown}`, CURRENT_FILE, 0);
  }
  return m[1]!;
}

/**
 * Points CURRENT at MANIFEST-<manifestNumber> durably: writes <tempNumber>.dbtmp, syncs it, syncs the directory
 * (so the MANIFEST's and the temp file's entries are durable BEFORE the rename can be: a file system may persist
 * directory changes out of order, and a CURRENT naming a MANIFEST whose entry was lost does not open), renames it
 * over CURRENT and syncs the directory again. On failure the temp file is removed (best effort) and the error
 * rethrown. REQUIRES: the MANIFEST's contents are synced and it lives in `dir`.
 */
export function setCurrent(vfs: Vfs, dir: string, manifestNumber: number, tempNumber: number): void {
  const temp = `${dir}/${tempFileName(tempNumber)}`;
  try {
    const file = vfs.openWritable(temp);
    try {
      file.append(Buffer.from(`${manifestFileName(manifestNumber)}\n`, 'latin1'));
      file.sync();
    } finally {
      file.close();
    }
    vfs.syncDir(dir);
    vfs.rename(temp, `${dir}/${CURRENT_FILE}`);
  } catch (e) {
    removeQuietly(vfs, temp);
    throw e;
  }
  vfs.syncDir(dir);
}

/**
 * Removes a file, best effort: a half-written file (a temp file, a new MANIFEST) while an error is being reported,
 * or an obsolete file (the background's removals). A failure here must not hide an error being reported or stop
 * other removals; the file is left for the obsolete-file sweep.
 */
export function removeQuietly(vfs: Vfs, path: string): void {
  try {
    if (vfs.exists(path)) vfs.remove(path);
  } catch {
    // The caller is rethrowing the error that matters; the obsolete-file sweep deletes what is left.
  }
}
