import { describe, expect, it } from 'vitest';
import type { WorkloadResult } from '../../bench/db-bench/driver.js';
import { ProgressView } from '../../bench/db-bench/progress.js';

function setup(tty: boolean) {
  let now = 0;
  let text = '';
  const view = new ProgressView({ write: (t: string) => (text += t) }, tty, 5000, () => now);
  return { view, advance: (ms: number) => (now += ms), text: () => text };
}

const done: WorkloadResult = { workload: 'readrandom', ok: true, ops: 1000, seconds: 0.5, bytes: 0, opsPerSec: 2000, mbPerSec: 0 };

describe('db-bench progress', () => {
  it('on a terminal redraws one line in place, at most 10 times a second, then prints the result line', () => {
    const p = setup(true);
    p.view.onEvent({ kind: 'store-start', store: 'lmdb', round: 0, rounds: 1, index: 1, count: 4 });
    p.advance(200);
    p.view.onEvent({ kind: 'progress', store: 'lmdb', workload: 'readrandom', done: 500, total: 1000 });
    p.advance(10);
    p.view.onEvent({ kind: 'progress', store: 'lmdb', workload: 'readrandom', done: 510, total: 1000 });
    expect(p.text()).toContain('\r\x1b[2K[2/4 lmdb] readrandom [############............] 50% 500/1,000');
    expect(p.text()).not.toContain('510/');
    p.view.onEvent({ kind: 'workload', store: 'lmdb', result: done });
    expect(p.text()).toMatch(/\r\x1b\[2K\[2\/4 lmdb\] readrandom: 2,000 ops\/s in 500 ms\n$/);
  });

  it('elsewhere prints plain lines only, every few seconds, and FAILED with the reason', () => {
    const p = setup(false);
    p.view.onEvent({ kind: 'store-start', store: 'lsmkv', round: 1, rounds: 3, index: 0, count: 1 });
    for (let i = 1; i <= 100; i++) {
      p.advance(100);
      p.view.onEvent({ kind: 'progress', store: 'lsmkv', workload: 'fillrandom', done: i * 10, total: 1000 });
    }
    const lines = p.text().trim().split('\n');
    expect(lines[0]).toBe('[round 2/3, 1/1 lsmkv] starting');
    expect(lines.slice(1)).toEqual(['[round 2/3, 1/1 lsmkv] fillrandom 50% 500/1,000']);
    expect(p.text()).not.toContain('\x1b');
    p.view.onEvent({ kind: 'workload', store: 'lsmkv', result: { ...done, ok: false, error: 'verification: lost\nmore' } });
    expect(p.text()).toContain('[round 2/3, 1/1 lsmkv] readrandom: FAILED: verification: lost\n');
  });
});
