/**
 * errors — the one error class of lsmkv and its stable codes.
 *
 * Every domain error is an LsmkvError carrying an uppercase `code` that never changes between versions;
 * messages may change. Messages start with the module that raised them and name the file and offset where
 * there is one. Argument mistakes are plain TypeError/RangeError (see ./validate.ts), and not-found is a value
 * (`undefined`), never an error. Callers branch on `code`, never on message text.
 */

export const ErrorCode = {
  CORRUPTION: 'LSMKV_CORRUPTION',
  IO_ERROR: 'LSMKV_IO_ERROR',
  LOCKED: 'LSMKV_LOCKED',
  CLOSED: 'LSMKV_CLOSED',
  NOT_SUPPORTED: 'LSMKV_NOT_SUPPORTED',
  INVALID_ARGUMENT: 'LSMKV_INVALID_ARGUMENT',
  READ_ONLY: 'LSMKV_READ_ONLY',
  NOT_FOUND: 'LSMKV_NOT_FOUND',
  EXISTS: 'LSMKV_EXISTS',
  NATIVE_UNAVAILABLE: 'LSMKV_NATIVE_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ErrorDetails {
  /** The file the problem was found in, if any. */
  file?: string;
  /** Byte offset within `file`, if known. */
  offset?: number;
  /** The underlying error (for example a Node system error). */
  cause?: unknown;
}

export class LsmkvError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly offset: number | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LsmkvError';
    this.code = code;
    this.file = details.file;
    this.offset = details.offset;
  }
}

function where(file?: string, offset?: number): string {
  if (file === undefined) return '';
  return offset === undefined ? ` (file ${file})` : ` (file ${file}, offset ${offset})`;
}

/** Damaged data: a checksum mismatch, a bad length, an impossible value. `module` is e.g. 'sstable'. */
export function corruption(module: string, message: string, file?: string, offset?: number): LsmkvError {
  return new LsmkvError(ErrorCode.CORRUPTION, `${module}: corruption: ${message}${where(file, offset)}`, {
    ...(file !== undefined && { file }),
    ...(offset !== undefined && { offset }),
  });
}

/** Wraps a failed system call. */
export function ioError(module: string, message: string, cause: unknown, file?: string): LsmkvError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new LsmkvError(ErrorCode.IO_ERROR, `${module}: ${message}${detail}${where(file)}`, {
    cause,
    ...(file !== undefined && { file }),
  });
}

export function isLsmkvError(e: unknown, code?: ErrorCode): e is LsmkvError {
  return e instanceof LsmkvError && (code === undefined || e.code === code);
}
