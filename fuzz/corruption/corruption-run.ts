/**
 * corruption-run — runs corruption cases: case i of seed s damages a copy of image floor(i / CASES_PER_IMAGE)
 * (built from a seed derived from s) with a damage drawn from a seed derived from (s, i), opens it on a
 * FaultInjectionVfs and judges everything read (./check-case.ts). Every CLI_VERIFY_EVERY-th case also writes the
 * damaged files to a temporary directory and runs `lsmkv verify` on them, which must agree.
 * Cases are independent: `--seed s --case i` replays one exactly. Used by ./corruption.ts and the vitest test.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCommand } from '../../src/cli/commands/verify.js';
import { checkDamagedDb, type VerifyState } from './check-case.js';
import { FILE_ROLES, damageImage, type Damage, type FileRole } from './damage.js';
import { buildImage, materialize, restore, type DbImage } from './db-image.js';
import { Prng, cycleSeed } from '../common/prng.js';

export const CASES_PER_IMAGE = 50;
export const CLI_VERIFY_EVERY = 25;

export interface CaseReport {
  seed: number;
  index: number;
  damage: Damage;
  ok: boolean;
  /** 'intact' | 'tail-dropped' | 'reported', or the failure reason. */
  outcome: string;
  notes: string[];
  cliChecked: boolean;
}

export function replayCommand(seed: number, index: number, roles: readonly FileRole[] = FILE_ROLES): string {
  const only = roles.length === FILE_ROLES.length ? '' : ` --roles ${roles.join(',')}`;
  return `npx tsc -p . && node dist/fuzz/corruption/corruption.js --seed ${seed} --case ${index}${only}`;
}

const EXIT_OF: Record<VerifyState, number> = { clean: 0, corruption: 1, 'not-found': 3 };

async function cliVerify(files: ReadonlyMap<string, Buffer>, damage: Damage, want: VerifyState): Promise<string | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'lsmkv-corruption-'));
  try {
    materialize(files, join(dir, 'db'));
    let out = '';
    const sink = { write: (t: string) => (out += t) };
    const code = await verifyCommand([join(dir, 'db')], { stdout: sink, stderr: sink, stderrIsTTY: false });
    if (code !== EXIT_OF[want]) return `lsmkv verify exited ${code}, expected ${EXIT_OF[want]} (${want}): ${out.trim()}`;
    if (code !== 0 && !out.includes(damage.file)) return `lsmkv verify does not name ${damage.file}: ${out.trim()}`;
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds images on demand and keeps the last one (cases run in order reuse it). */
export class CorruptionRunner {
  private image: { index: number; image: DbImage } | undefined;

  /** `roles`: damage only files with these roles (default: all). */
  constructor(
    readonly seed: number,
    readonly roles: readonly FileRole[] = FILE_ROLES,
  ) {}

  async imageFor(caseIndex: number): Promise<DbImage> {
    const index = Math.floor(caseIndex / CASES_PER_IMAGE);
    if (this.image?.index !== index) this.image = { index, image: await buildImage(cycleSeed(this.seed, index)) };
    return this.image.image;
  }

  async runCase(index: number, cliCheck = index % CLI_VERIFY_EVERY === CLI_VERIFY_EVERY - 1): Promise<CaseReport> {
    const image = await this.imageFor(index);
    const caseSeed = cycleSeed(this.seed ^ 0x5a5a5a5a, index);
    const rng = new Prng(caseSeed);
    const { files, damage } = damageImage(image, rng, this.roles);
    const result = await checkDamagedDb(image, damage, restore(files, caseSeed));
    const v = result.verdict;
    let ok = v.ok;
    let outcome = v.ok ? v.outcome : v.reason;
    if (ok && cliCheck) {
      const cliFailure = await cliVerify(files, damage, result.verifyState);
      if (cliFailure !== undefined) {
        ok = false;
        outcome = cliFailure;
      }
    }
    return { seed: this.seed, index, damage, ok, outcome, notes: v.notes, cliChecked: cliCheck };
  }
}
