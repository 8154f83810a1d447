/**
 * Crash harness 1 (fuzz/crash/kill.ts) in CI: a few seed-fixed SIGKILL cycles of a real writer process on one
 * directory, each reopened and checked by the oracle. The child is the compiled dist/fuzz/crash/kill-child.js
 * (`npm test` compiles first; alone: `npx tsc -p . && npx vitest run test/fuzz`).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { childScript, run } from '../../fuzz/crash/kill.js';

describe('kill harness', () => {
  it('keeps every acknowledged write across 8 SIGKILL cycles (seed 11)', async () => {
    expect(existsSync(childScript()), `${childScript()} is missing: run npx tsc -p . first`).toBe(true);
    const lines: string[] = [];
    const summary = await run({ seed: 11, cycles: 8, seconds: Infinity, verbose: true }, (l) => lines.push(l));
    expect(summary.cycles).toBe(8);
    expect(summary.kills).toBe(8);
    // The cycles did real work: writes were acknowledged and checked, not just empty opens.
    expect(summary.acknowledgedOps).toBeGreaterThan(100);
    expect(lines).toHaveLength(8);
  });
});
