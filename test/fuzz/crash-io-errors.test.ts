/**
 * Crash harness 3 (fuzz/crash/io-errors.ts) in CI: seed-fixed injected EIO/ENOSPC faults; every failure must
 * surface as IO_ERROR/READ_ONLY, turn the database read-only, leave reads working and lose nothing acknowledged.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../fuzz/crash/io-errors.js';

describe('io-errors harness', () => {
  it('holds the error contract over 40 injected faults (seed 3)', async () => {
    const s = await run({ seed: 3, cycles: 40, seconds: Infinity, verbose: false }, () => {});
    expect(s.cycles).toBe(40);
    expect(s.liveChecks).toBe(40);
    // The faults reached the engine: writes failed, later writes were refused, the background failed too.
    expect(s.writeFailures).toBeGreaterThan(0);
    expect(s.refusedWrites).toBeGreaterThan(0);
    expect(s.backgroundFailures).toBeGreaterThan(0);
  });
});
