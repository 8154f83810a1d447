/**
 * vfs-errors — turns a failed file system call into the LsmkvError the Vfs contract promises.
 *
 * A missing file or directory (errno ENOENT) becomes NOT_FOUND; every other failure becomes IO_ERROR. Both name
 * the path and keep the system error as `cause`, so callers can still read its errno `code`. Used by every Vfs
 * implementation in this folder, so that NodeVfs and FaultInjectionVfs fail in the same words.
 */

import { ErrorCode, LsmkvError, ioError } from '../base/errors.js';

/** The errno code of a Node system error (or of the look-alike FaultInjectionVfs throws), if any. */
export function errnoOf(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Wraps `cause`, the failure of operation `op` (e.g. 'open', 'fsync') on `path`. */
export function vfsError(op: string, path: string, cause: unknown): LsmkvError {
  if (errnoOf(cause) === 'ENOENT') {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return new LsmkvError(ErrorCode.NOT_FOUND, `vfs: ${op} failed${detail} (file ${path})`, {
      cause,
      file: path,
    });
  }
  return ioError('vfs', `${op} failed`, cause, path);
}

/** A system-error look-alike (message, errno code, syscall, path) for failures that did not come from node:fs. */
export function systemError(code: string, op: string, path: string, what: string): Error {
  return Object.assign(new Error(`${code}: ${what}, ${op} '${path}'`), { code, syscall: op, path });
}
