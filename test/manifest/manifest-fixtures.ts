/**
 * manifest-fixtures — helpers of the manifest tests: table metadata from readable user keys, and a printable
 * form of a Version for comparisons.
 */

import { ValueKind, makeInternalKey, userKeyOf } from '../../src/base/internal-key.js';
import type { FileMeta } from '../../src/manifest/version-edit.js';
import type { Version } from '../../src/manifest/version.js';

/** A table covering user keys [lo, hi]; smallest has a higher sequence than largest when the keys are equal. */
export function fm(number: number, lo: string, hi: string, size = 1000, seq = 100): FileMeta {
  return {
    number,
    size,
    smallest: makeInternalKey(Buffer.from(lo), seq + 1, ValueKind.Value),
    largest: makeInternalKey(Buffer.from(hi), seq, ValueKind.Value),
  };
}

/** "number:lo-hi" per file, per level. */
export function describeVersion(v: Version): string[][] {
  return v.levels.map((files) =>
    files.map(
      (f) => `${f.number}:${Buffer.from(userKeyOf(f.smallest)).toString()}-${Buffer.from(userKeyOf(f.largest)).toString()}`,
    ),
  );
}

export function numbers(files: readonly FileMeta[]): number[] {
  return files.map((f) => f.number);
}
