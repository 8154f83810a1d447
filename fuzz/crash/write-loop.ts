/**
 * write-loop — the random write steps the in-process crash harnesses run against a database: synchronous writes,
 * bursts of group-committed writes (sometimes with a synchronous write in the middle, which commits the queue
 * first), event-loop turns (inline background jobs run then), flush() and compactRange().
 *
 * Every batch is recorded in the oracle before it is issued and acknowledged in the oracle when its call returns
 * or its promise resolves. What a failure means differs per harness, so the loop hands every error to a hook
 * with a token the hook made when the call was issued (e.g. "was the database already read-only").
 */

import type { Db } from '../../src/index.js';
import { writeAsync, writeSync } from '../common/db-writes.js';
import type { Oracle } from '../common/oracle.js';
import type { Prng } from '../common/prng.js';
import { randomBatch, type WorkloadShape } from '../common/workload.js';

export interface WriteLoopHooks<T> {
  /** Called just before a write call; its result comes back to onAck/onError of that write. */
  beforeWrite(): T;
  onAck(token: T): void;
  onError(error: unknown, what: string, token: T): void;
  /** The loop ends before the next step once this returns true. */
  done(): boolean;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

export class WriteLoop<T> {
  constructor(
    private readonly db: Db,
    private readonly oracle: Oracle,
    private readonly prng: Prng,
    private readonly shape: WorkloadShape,
    /** Only the synchronous API (never the async writers' timer-based slowdown). */
    private readonly syncOnly: boolean,
    private readonly hooks: WriteLoopHooks<T>,
  ) {}

  private issueSync(): void {
    const b = randomBatch(this.prng, this.shape);
    const first = this.oracle.issue(b);
    const token = this.hooks.beforeWrite();
    try {
      writeSync(this.db, b, first, this.prng.chance(0.2));
    } catch (e) {
      this.hooks.onError(e, 'a synchronous write', token);
      return;
    }
    this.oracle.acknowledge(first);
    this.hooks.onAck(token);
  }

  private issueAsync(): Promise<void> {
    const b = randomBatch(this.prng, this.shape);
    const first = this.oracle.issue(b);
    const token = this.hooks.beforeWrite();
    return writeAsync(this.db, b, first, this.prng.chance(0.2)).then(
      () => {
        this.oracle.acknowledge(first);
        this.hooks.onAck(token);
      },
      (e: unknown) => this.hooks.onError(e, 'an async write', token),
    );
  }

  /** Runs up to `maxSteps` random steps. */
  async run(maxSteps: number): Promise<void> {
    for (let step = 0; step < maxSteps && !this.hooks.done(); step++) {
      const kind = this.prng.below(100);
      if (kind < 50 || (this.syncOnly && kind < 90)) {
        this.issueSync();
      } else if (kind < 90) {
        const pending: Promise<void>[] = [];
        const n = this.prng.skewed(1, 32);
        for (let i = 0; i < n; i++) {
          if (this.prng.chance(0.05)) this.issueSync();
          else pending.push(this.issueAsync());
        }
        await Promise.all(pending);
      } else if (kind < 96) {
        await turn();
      } else {
        const what = kind < 99 ? 'flush()' : 'compactRange()';
        const token = this.hooks.beforeWrite();
        await (kind < 99 ? this.db.flush() : this.db.compactRange()).catch((e: unknown) => this.hooks.onError(e, what, token));
      }
    }
  }
}

/** Lets queued work (group commits, inline background jobs) run for a few event-loop turns. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}
