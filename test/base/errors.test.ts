/**
 * errors: the stable codes, the message shape (module first, file and offset named), and isLsmkvError.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, LsmkvError, corruption, ioError, isLsmkvError } from '../../src/base/errors.js';

describe('errors', () => {
  it('has stable, prefixed, uppercase codes', () => {
    expect(ErrorCode).toEqual({
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
    });
  });

  it('LsmkvError is an Error with name, code, file, offset and cause', () => {
    const cause = new Error('inner');
    const e = new LsmkvError(ErrorCode.IO_ERROR, 'vfs: boom', { file: 'x.log', offset: 3, cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LsmkvError');
    expect(e.message).toBe('vfs: boom');
    expect(e.code).toBe('LSMKV_IO_ERROR');
    expect(e.file).toBe('x.log');
    expect(e.offset).toBe(3);
    expect(e.cause).toBe(cause);
    expect(e.stack).toContain('vfs: boom');
    const bare = new LsmkvError(ErrorCode.CLOSED, 'db: closed');
    expect(bare.file).toBeUndefined();
    expect(bare.offset).toBeUndefined();
    expect('cause' in bare).toBe(false);
  });

  it('corruption() names the module, the file and the offset', () => {
    const e = corruption('sstable', 'bad block checksum', '000012.sst', 4096);
    expect(e.code).toBe(ErrorCode.CORRUPTION);
    expect(e.message).toBe('sstable: corruption: bad block checksum (file 000012.sst, offset 4096)');
    expect(e.file).toBe('000012.sst');
    expect(e.offset).toBe(4096);
    expect(corruption('log', 'bad length', '000003.log', 0).message).toBe(
      'log: corruption: bad length (file 000003.log, offset 0)',
    );
    const noOffset = corruption('manifest', 'x', 'CURRENT');
    expect(noOffset.message).toBe('manifest: corruption: x (file CURRENT)');
    expect(noOffset.offset).toBeUndefined();
    const nothing = corruption('batch', 'short');
    expect(nothing.message).toBe('batch: corruption: short');
    expect(nothing.file).toBeUndefined();
  });

  it('ioError() keeps the cause, its message and the file', () => {
    const cause = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    const e = ioError('wal', 'append failed', cause, '000005.log');
    expect(e.code).toBe(ErrorCode.IO_ERROR);
    expect(e.message).toBe('wal: append failed: ENOSPC: no space left on device (file 000005.log)');
    expect(e.cause).toBe(cause);
    expect(e.file).toBe('000005.log');
    expect(ioError('vfs', 'sync failed', 'not an error').message).toBe('vfs: sync failed');
  });

  it('isLsmkvError checks the class and, if given, the code — never the message', () => {
    const e = corruption('x', 'y');
    expect(isLsmkvError(e)).toBe(true);
    expect(isLsmkvError(e, ErrorCode.CORRUPTION)).toBe(true);
    expect(isLsmkvError(e, ErrorCode.IO_ERROR)).toBe(false);
    const lookalike = Object.assign(new Error('x: corruption: y'), { code: ErrorCode.CORRUPTION });
    expect(isLsmkvError(lookalike)).toBe(false);
    for (const v of [undefined, null, 'LSMKV_CORRUPTION', { code: 'LSMKV_CORRUPTION' }, new TypeError('t')]) {
      expect(isLsmkvError(v)).toBe(false);
    }
  });
});
