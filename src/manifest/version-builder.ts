/**
 * version-builder — applies version edits to a base Version and produces the next Version.
 *
 * Used by VersionSet for MANIFEST replay (many edits, one build) and for logAndApply (one edit). Checks that an
 * edit can apply: levels in range, a deleted file is live at that level, an added file is not already live,
 * an added file's smallest key is not above its largest, and (at build) that no two files of a level >= 1
 * overlap. A violation is CORRUPTION naming the MANIFEST and the offset of the offending edit when known.
 * Within one edit deletions apply before additions, so an edit may move a file to another level
 * (delete at L, add at L+1). Not safe to share; one builder per build.
 */

import { compareInternalKeys } from '../base/comparator.js';
import { corruption } from '../base/errors.js';
import type { FileMeta, VersionEdit } from './version-edit.js';
import { Version } from './version.js';

export class VersionBuilder {
  private readonly base: Version;
  private readonly numLevels: number;
  /** Level of every live file number, as of the edits applied so far. */
  private readonly levelOf = new Map<number, number>();
  /** Files added by the edits, per level, by number. */
  private readonly added: Array<Map<number, FileMeta>>;
  /** Where the edit that added a file was read from, for error messages. */
  private readonly addedAt = new Map<number, { file: string | undefined; offset: number | undefined }>();

  /** REQUIRES: base has numLevels levels (default: as many as base has). */
  constructor(base: Version, numLevels: number = base.levels.length) {
    this.base = base;
    this.numLevels = numLevels;
    this.added = Array.from({ length: numLevels }, () => new Map());
    base.levels.forEach((files, level) => {
      for (const f of files) this.levelOf.set(f.number, level);
    });
  }

  /** Applies an edit; fileName/offset locate it for CORRUPTION errors (a MANIFEST record). */
  apply(edit: VersionEdit, fileName?: string, offset?: number): void {
    const bad = (msg: string) => corruption('manifest', msg, fileName, offset);
    for (const { level, number } of edit.deletedFiles) {
      this.checkLevel(level, bad);
      if (this.levelOf.get(number) !== level) {
        throw bad(`version edit deletes file ${number} at level ${level}, which is not there`);
      }
      this.levelOf.delete(number);
      this.added[level]!.delete(number);
    }
    for (const { level, file } of edit.newFiles) {
      this.checkLevel(level, bad);
      const at = this.levelOf.get(file.number);
      if (at !== undefined) throw bad(`version edit adds file ${file.number}, already live at level ${at}`);
      if (compareInternalKeys(file.smallest, file.largest) > 0) {
        throw bad(`version edit adds file ${file.number} whose smallest key is above its largest`);
      }
      this.levelOf.set(file.number, level);
      this.added[level]!.set(file.number, file);
      this.addedAt.set(file.number, { file: fileName, offset });
    }
  }

  /** The resulting Version. Throws CORRUPTION if files of a level >= 1 overlap. */
  build(onRelease?: (v: Version) => void): Version {
    const levels: FileMeta[][] = [];
    for (let level = 0; level < this.numLevels; level++) {
      const added = this.added[level]!;
      const files: FileMeta[] = [];
      for (const f of this.base.levels[level] ?? []) {
        if (this.levelOf.get(f.number) === level && !added.has(f.number)) files.push(f);
      }
      for (const f of added.values()) files.push(f);
      if (level === 0) {
        files.sort((a, b) => b.number - a.number);
      } else {
        files.sort((a, b) => compareInternalKeys(a.smallest, b.smallest) || a.number - b.number);
        for (let i = 1; i < files.length; i++) this.checkDisjoint(level, files[i - 1]!, files[i]!);
      }
      levels.push(files);
    }
    return new Version(levels, onRelease);
  }

  private checkLevel(level: number, bad: (msg: string) => Error): void {
    if (!Number.isInteger(level) || level < 0 || level >= this.numLevels) {
      throw bad(`version edit names level ${level}, outside 0..${this.numLevels - 1}`);
    }
  }

  private checkDisjoint(level: number, a: FileMeta, b: FileMeta): void {
    if (compareInternalKeys(a.largest, b.smallest) < 0) return;
    // Blame the edit that came last of those that added either file.
    const ea = this.addedAt.get(a.number);
    const eb = this.addedAt.get(b.number);
    const at = ea === undefined || (eb !== undefined && (eb.offset ?? 0) >= (ea.offset ?? 0)) ? eb : ea;
    throw corruption(
      'manifest',
      `files ${a.number} and ${b.number} overlap in level ${level}`,
      at?.file,
      at?.offset,
    );
  }
}
