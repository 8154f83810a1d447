/** Test helper: runs fn, asserts it threw an LsmkvError, and returns it for closer inspection. */

import { expect } from 'vitest';
import { LsmkvError } from '../../src/base/errors.js';

export function caught(fn: () => unknown): LsmkvError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LsmkvError);
    return e as LsmkvError;
  }
  throw new Error('expected a throw');
}
