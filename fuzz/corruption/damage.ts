/**
 * damage — chooses and applies the one damage of a corruption case: bit flips, a truncation, a zeroed range or
 * a deleted file, in one file of the image (the newest or an older WAL, a live or obsolete table, the MANIFEST,
 * CURRENT). Log files are often hit at a record boundary or in their last record, where the torn-tail rule
 * decides; tables anywhere (every table byte is covered by a checksum).
 * Pure: returns the damaged copy of the file map; the image is not modified.
 */

import { parseFileName } from '../../src/base/file-names.js';
import type { DbImage } from './db-image.js';
import type { Prng } from '../common/prng.js';

export type FileRole = 'newest-wal' | 'older-wal' | 'live-table' | 'obsolete-table' | 'manifest' | 'current' | 'other';
export type DamageKind = 'flip' | 'truncate' | 'zero' | 'delete';

export interface Damage {
  file: string;
  role: FileRole;
  kind: DamageKind;
  /** Human-readable: what exactly was done (offsets, bits, lengths). */
  detail: string;
  /** False when the damage left the bytes as they were (zeroing zeros, for example). */
  changed: boolean;
  /** First damaged byte (the truncation point for 'truncate'); undefined for 'delete'. */
  offset: number | undefined;
}

export function roleOf(image: DbImage, name: string): FileRole {
  const wals = image.wals;
  if (wals.length > 0 && wals[wals.length - 1]!.name === name) return 'newest-wal';
  if (wals.some((w) => w.name === name)) return 'older-wal';
  if (name === image.manifest) return 'manifest';
  if (name === 'CURRENT') return 'current';
  if (parseFileName(name)?.type === 'table') return image.liveTables.has(name) ? 'live-table' : 'obsolete-table';
  return 'other';
}

const ROLE_WEIGHTS: Array<[FileRole, number]> = [
  ['newest-wal', 26],
  ['older-wal', 8],
  ['live-table', 32],
  ['obsolete-table', 2],
  ['manifest', 20],
  ['current', 8],
  ['other', 4],
];

export const FILE_ROLES: readonly FileRole[] = ROLE_WEIGHTS.map(([role]) => role);

function chooseFile(image: DbImage, rng: Prng, roles: readonly FileRole[]): string {
  const byRole = new Map<FileRole, string[]>();
  for (const name of image.files.keys()) {
    const role = roleOf(image, name);
    if (!roles.includes(role)) continue;
    byRole.set(role, [...(byRole.get(role) ?? []), name]);
  }
  const choices = ROLE_WEIGHTS.filter(([role]) => (byRole.get(role)?.length ?? 0) > 0);
  let r = rng.below(choices.reduce((n, [, w]) => n + w, 0));
  for (const [role, w] of choices) {
    if (r < w) return rng.pick(byRole.get(role)!);
    r -= w;
  }
  throw new Error(`damage: no file with role ${roles.join('/')} to damage`);
}

/** Record offsets of a log file of the image (WAL or MANIFEST), or undefined for other files. */
function recordOffsets(image: DbImage, name: string): number[] | undefined {
  if (name === image.manifest) return image.manifestRecords.offsets;
  return image.wals.find((w) => w.name === name)?.offsets;
}

/** An offset to damage: anywhere, near the end, or (logs) in the last record or at a record start. */
function chooseOffset(rng: Prng, size: number, records: number[] | undefined): number {
  const r = rng.float();
  if (records !== undefined && records.length > 0 && r < 0.5) {
    const last = records[records.length - 1]!;
    const start = r < 0.25 ? last : rng.pick(records);
    return Math.min(size - 1, start + rng.below(Math.max(1, Math.min(64, size - start))));
  }
  if (r < 0.7) return Math.max(0, size - 1 - rng.below(Math.min(size, 80)));
  return rng.below(size);
}

/** Applies one random damage to a copy of the image's files, to a file with one of `roles`. */
export function damageImage(
  image: DbImage,
  rng: Prng,
  roles: readonly FileRole[] = FILE_ROLES,
): { files: Map<string, Buffer>; damage: Damage } {
  const files = new Map(image.files);
  const file = chooseFile(image, rng, roles);
  const role = roleOf(image, file);
  const before = files.get(file)!;
  const records = recordOffsets(image, file);
  const size = before.length;
  const kinds: DamageKind[] = size === 0 ? ['delete'] : ['flip', 'flip', 'flip', 'truncate', 'zero', 'delete'];
  const kind = rng.pick(kinds);
  if (kind === 'delete') {
    files.delete(file);
    return { files, damage: { file, role, kind, detail: 'deleted', changed: true, offset: undefined } };
  }
  const after = Buffer.from(before);
  let detail: string;
  let offset: number;
  if (kind === 'flip') {
    const flips = rng.chance(0.7) ? 1 : 2 + rng.below(3);
    const parts: string[] = [];
    offset = size;
    for (let i = 0; i < flips; i++) {
      const at = chooseOffset(rng, size, records);
      const bit = rng.below(8);
      after[at]! ^= 1 << bit;
      parts.push(`${at}.${bit}`);
      offset = Math.min(offset, at);
    }
    detail = `flip byte.bit ${parts.join(' ')}`;
  } else if (kind === 'truncate') {
    let length: number;
    if (records !== undefined && records.length > 0 && rng.chance(0.4)) length = rng.pick(records);
    else if (rng.chance(0.5)) length = Math.max(0, size - 1 - rng.below(Math.min(size, 60)));
    else length = rng.below(size);
    offset = length;
    detail = `truncate to ${length} of ${size}`;
    files.set(file, after.subarray(0, length));
    return { files, damage: { file, role, kind, detail, changed: length < size, offset } };
  } else {
    offset = chooseOffset(rng, size, records);
    const length = 1 + rng.below(Math.min(size - offset, rng.chance(0.7) ? 32 : 4096));
    after.fill(0, offset, offset + length);
    detail = `zero ${length} bytes at ${offset} of ${size}`;
  }
  files.set(file, after);
  return { files, damage: { file, role, kind, detail, changed: !after.equals(before), offset } };
}
