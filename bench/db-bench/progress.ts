/**
 * progress — what a person sees on stderr while the benchmark runs.
 *
 * On a terminal: one line redrawn in place (store, workload, a bar, percentage, count), at most 10 times a
 * second, plus one permanent line per finished workload. Elsewhere (CI logs, pipes): no redraws, a plain progress
 * line at most every `plainIntervalMs` (none at 0% or 100%: the workload's own line says that), and the same
 * per-workload lines.
 */

import { formatInt, formatSeconds } from '../../src/cli/format.js';
import type { BenchEvent } from './messages.js';

export interface ProgressSink {
  write(text: string): unknown;
}

const BAR = 24;

export class ProgressView {
  private lastDraw = 0;
  private drawn = false;
  private header = '';

  constructor(
    private readonly out: ProgressSink,
    private readonly tty: boolean,
    private readonly plainIntervalMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  onEvent(ev: BenchEvent): void {
    switch (ev.kind) {
      case 'store-start':
        this.header = `[${ev.rounds > 1 ? `round ${ev.round + 1}/${ev.rounds}, ` : ''}${ev.index + 1}/${ev.count} ${ev.store}]`;
        this.line(`${this.header} starting`);
        this.lastDraw = this.now();
        break;
      case 'progress': {
        const t = this.now();
        const finalTick = ev.done >= ev.total;
        if (this.tty ? t - this.lastDraw < 100 && !finalTick : t - this.lastDraw < this.plainIntervalMs || ev.done === 0 || finalTick) {
          return;
        }
        this.lastDraw = t;
        const frac = ev.total > 0 ? Math.min(1, ev.done / ev.total) : 1;
        const text = `${this.header} ${ev.workload} ${this.tty ? `${bar(frac)} ` : ''}${(frac * 100).toFixed(0)}% ${formatInt(ev.done)}/${formatInt(ev.total)}`;
        if (this.tty) {
          this.out.write(`\r\x1b[2K${text}`);
          this.drawn = true;
        } else {
          this.line(text);
        }
        break;
      }
      case 'workload': {
        const r = ev.result;
        const what = r.ok
          ? r.workload === 'reopen'
            ? formatSeconds(r.seconds)
            : `${formatInt(r.opsPerSec)} ops/s in ${formatSeconds(r.seconds)}`
          : `FAILED: ${(r.error ?? '').split('\n')[0]}`;
        this.line(`${this.header} ${r.workload}: ${what}`);
        break;
      }
      case 'store-end':
        if (ev.run.fatal !== undefined) this.line(`${this.header} FAILED: ${ev.run.fatal.split('\n')[0]}`);
        break;
    }
  }

  /** Clears a half-drawn bar line. */
  finish(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private line(text: string): void {
    this.finish();
    this.out.write(`${text}\n`);
  }
}

function bar(frac: number): string {
  const full = Math.round(frac * BAR);
  return `[${'#'.repeat(full)}${'.'.repeat(BAR - full)}]`;
}
