/**
 * expect-corruption — runs f, asserts it throws an LsmkvError with code CORRUPTION (naming `file` and `offset`
 * when given, in the fields and in the message), and returns the error for further checks.
 */

import { expect } from 'vitest';
import { ErrorCode, LsmkvError } from '../../src/base/errors.js';

export function expectCorruption(f: () => unknown, file?: string, offset?: number): LsmkvError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LsmkvError);
    const err = e as LsmkvError;
    expect(err.code).toBe(ErrorCode.CORRUPTION);
    if (file !== undefined) {
      expect(err.file).toBe(file);
      expect(err.message).toContain(file);
    }
    if (offset !== undefined) expect(err.offset).toBe(offset);
    return err;
  }
  throw new Error('expected a CORRUPTION error, nothing was thrown');
}
