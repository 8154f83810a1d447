import { describe, expect, it } from 'vitest';
import { VersionBuilder } from '../../src/manifest/version-builder.js';
import { emptyEdit, type FileMeta, type VersionEdit } from '../../src/manifest/version-edit.js';
import { Version } from '../../src/manifest/version.js';
import { expectCorruption } from '../log/expect-corruption.js';
import { describeVersion, fm } from './manifest-fixtures.js';

function edit(add: Array<[number, FileMeta]>, del: Array<[number, number]> = []): VersionEdit {
  return {
    ...emptyEdit(),
    newFiles: add.map(([level, file]) => ({ level, file })),
    deletedFiles: del.map(([level, number]) => ({ level, number })),
  };
}

function apply(base: Version, ...edits: VersionEdit[]): Version {
  const b = new VersionBuilder(base);
  edits.forEach((e, i) => b.apply(e, 'MANIFEST-000002', i * 100));
  return b.build();
}

describe('VersionBuilder', () => {
  const base = apply(
    Version.empty(3),
    edit([
      [0, fm(3, 'a', 'z')],
      [0, fm(9, 'c', 'd')],
      [1, fm(5, 'm', 'n')],
      [1, fm(4, 'a', 'b')],
    ]),
  );

  it('orders L0 newest first and L1+ by smallest key', () => {
    expect(describeVersion(base)).toEqual([['9:c-d', '3:a-z'], ['4:a-b', '5:m-n'], []]);
  });

  it('applies deletions and additions, leaving the base untouched', () => {
    const next = apply(base, edit([[1, fm(10, 'c', 'k')], [2, fm(11, 'a', 'z')]], [[0, 9], [1, 4]]));
    expect(describeVersion(next)).toEqual([['3:a-z'], ['10:c-k', '5:m-n'], ['11:a-z']]);
    expect(describeVersion(base)).toEqual([['9:c-d', '3:a-z'], ['4:a-b', '5:m-n'], []]);
  });

  it('applies many edits in order: add then delete, and a move to another level within one edit', () => {
    const next = apply(
      base,
      edit([[0, fm(12, 'e', 'f')]]),
      edit([], [[0, 12]]),
      edit([[2, fm(5, 'm', 'n')]], [[1, 5]]), // trivial move L1 -> L2
    );
    expect(describeVersion(next)).toEqual([['9:c-d', '3:a-z'], ['4:a-b'], ['5:m-n']]);
  });

  it('rejects deleting a file that is not at that level', () => {
    expect(expectCorruption(() => apply(base, edit([], [[1, 99]]))).message).toContain('deletes file 99 at level 1');
    expect(expectCorruption(() => apply(base, edit([], [[1, 3]]))).message).toContain('deletes file 3 at level 1');
    const twice = expectCorruption(() => apply(base, edit([], [[1, 4]]), edit([], [[1, 4]])));
    expect(twice.file).toBe('MANIFEST-000002');
    expect(twice.offset).toBe(100);
  });

  it('rejects adding a file number that is already live', () => {
    expect(expectCorruption(() => apply(base, edit([[2, fm(3, 'a', 'b')]]))).message).toContain(
      'adds file 3, already live at level 0',
    );
  });

  it('rejects levels out of range', () => {
    expect(expectCorruption(() => apply(base, edit([[3, fm(20, 'a', 'b')]]))).message).toContain('level 3, outside 0..2');
    expectCorruption(() => apply(base, edit([], [[-1, 3]])));
  });

  it('rejects a file whose smallest key is above its largest', () => {
    expectCorruption(() => apply(base, edit([[0, fm(20, 'b', 'a')]])));
  });

  it('rejects overlapping files in L1+, blaming the edit that added the later one', () => {
    const err = expectCorruption(() =>
      apply(base, edit([[2, fm(20, 'a', 'c')]]), edit([[0, fm(30, 'x', 'y')]]), edit([[2, fm(21, 'c', 'e')]])),
    );
    expect(err.message).toContain('files 20 and 21 overlap in level 2');
    expect(err.offset).toBe(200);
    expectCorruption(() => apply(base, edit([[1, fm(22, 'b', 'c')]])));
    expectCorruption(() => apply(base, edit([[1, fm(23, 'd', 'z')]])));
  });

  it('accepts adjacent L1+ files that share a user key when their internal keys are ordered', () => {
    // File 30 ends with (k, seq 100); file 31 starts with (k, seq 50): disjoint in internal-key order.
    const left = fm(30, 'h', 'k', 1, 100);
    const right = { ...fm(31, 'k', 'l', 1, 49) };
    const next = apply(base, edit([[2, left], [2, right]]));
    expect(describeVersion(next)[2]).toEqual(['30:h-k', '31:k-l']);
    // The same two with the sequences swapped overlap.
    expectCorruption(() => apply(base, edit([[2, fm(30, 'h', 'k', 1, 10)], [2, fm(31, 'k', 'l', 1, 49)]])));
  });
});
