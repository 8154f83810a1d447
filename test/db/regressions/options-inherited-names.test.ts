/**
 * Regression (fixed): resolveOptions tests option names with `name in DEFAULT_OPTIONS`, which is true for names
 * inherited from Object.prototype. `{ toString: 1 }` or `{ hasOwnProperty: 1 }` (e.g. from JSON config) is
 * accepted silently and written onto the resolved options instead of failing with "unknown option".
 * Fix: check Object.hasOwn(DEFAULT_OPTIONS, name).
 */
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../../src/base/options.js';

describe('regression: options inherited from Object.prototype', () => {
  for (const name of ['toString', 'hasOwnProperty', 'constructor', 'valueOf']) {
    it(`rejects '${name}' as an unknown option`, () => {
      expect(() => resolveOptions(JSON.parse(`{"${name}": 1}`))).toThrow(
        new TypeError(`options: unknown option '${name}'`),
      );
    });
  }
});
