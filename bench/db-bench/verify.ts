/**
 * verify — what every workload checks so that no store can win by skipping work.
 *
 * The expected contents of a database are a live flag per key index plus one value version for all live keys
 * (every write workload rewrites whole key sets, so one version suffices). Checkers compare what a store returns
 * against that model and throw VerificationError on the first difference; the driver turns it into a FAILED cell.
 * Every answer's presence, every value's length and every scan's count are checked; the bytes of keys and values
 * are compared for one answer in `1 + sampleMask` (default 8), so that checking costs the timed loops little
 * next to the store's own work (a store that skips or fakes work fails the count or the sampled bytes).
 */

import type { Visit } from './adapter.js';
import { KEY_SIZE, type KeySpace } from './keys.js';
import type { ValueSource } from './values.js';

export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

/** The model: which key indices are live and the version of their values. */
export class ExpectedState {
  readonly live: Uint8Array;
  liveCount = 0;
  version = 0;

  constructor(n: number) {
    this.live = new Uint8Array(n);
  }

  /** Marks the first `count` indices of `order` (or 0..count-1 without order) live. */
  markLive(order: Uint32Array | null, count: number): void {
    for (let s = 0; s < count; s++) {
      const i = order === null ? s : order[s]!;
      if (this.live[i] === 0) {
        this.live[i] = 1;
        this.liveCount++;
      }
    }
  }

  markDeleted(order: Uint32Array, count: number): void {
    for (let s = 0; s < count; s++) {
      const i = order[s]!;
      if (this.live[i] === 1) {
        this.live[i] = 0;
        this.liveCount--;
      }
    }
  }

  /** suffix[i] = live keys with index >= i (length n + 1). */
  liveSuffix(): Uint32Array {
    const n = this.live.length;
    const out = new Uint32Array(n + 1);
    for (let i = n - 1; i >= 0; i--) out[i] = out[i + 1]! + this.live[i]!;
    return out;
  }
}

export class Verifier {
  private checks = 0;

  /** REQUIRES: sampleMask + 1 is a power of two; 0 compares every answer's bytes. */
  constructor(
    readonly keys: KeySpace,
    readonly values: ValueSource,
    readonly sampleMask = 7,
  ) {}

  /** True for the answers whose bytes are compared. */
  private sampled(): boolean {
    return (this.checks++ & this.sampleMask) === 0;
  }

  /** A point read of key i returned `got`. */
  expectRead(state: ExpectedState, i: number, got: Buffer | undefined): void {
    if (state.live[i] === 1) {
      if (got === undefined) throw new VerificationError(`key ${this.keys.key(i).toString()} (index ${i}) not found`);
      if (got.length !== this.values.valueSize || (this.sampled() && !this.values.value(i, state.version).equals(got))) {
        throw new VerificationError(`key ${this.keys.key(i).toString()} (index ${i}) has a wrong value`);
      }
    } else if (got !== undefined) {
      throw new VerificationError(`deleted or never-written key ${this.keys.key(i).toString()} (index ${i}) was found`);
    }
  }

  /** A read of a key that was never written returned `got`. */
  expectMissing(i: number, got: Buffer | undefined): void {
    if (got !== undefined) throw new VerificationError(`missing key ${this.keys.missingKey(i).toString()} was found`);
  }

  /** A full scan: visit() checks order, keys and values; finish() checks the count. */
  scan(state: ExpectedState, reverse: boolean): { visit: Visit; finish(): number } {
    const n = state.live.length;
    let pos = reverse ? n - 1 : 0;
    let seen = 0;
    const visit: Visit = (key, value) => {
      if (reverse) while (pos >= 0 && state.live[pos] === 0) pos--;
      else while (pos < n && state.live[pos] === 0) pos++;
      if (pos < 0 || pos >= n) throw new VerificationError(`scan returned more than ${state.liveCount} entries`);
      this.expectEntry(state, pos, key, value, 'scan');
      pos += reverse ? -1 : 1;
      seen++;
    };
    const finish = (): number => {
      if (seen !== state.liveCount) {
        throw new VerificationError(`scan returned ${seen} entries, expected ${state.liveCount}`);
      }
      return seen;
    };
    return { visit, finish };
  }

  /** A seek to key(start) followed by up to `limit` entries; `suffix` is state.liveSuffix(). */
  seek(state: ExpectedState, suffix: Uint32Array): { begin(start: number): void; visit: Visit; finish(count: number, limit: number): void } {
    const n = state.live.length;
    let start = 0;
    let pos = 0;
    let seen = 0;
    const visit: Visit = (key, value) => {
      while (pos < n && state.live[pos] === 0) pos++;
      if (pos >= n) throw new VerificationError(`seek to index ${start} read past the last key`);
      this.expectEntry(state, pos, key, value, `seek to index ${start}`);
      pos++;
      seen++;
    };
    return {
      begin(s: number): void {
        start = s;
        pos = s;
        seen = 0;
      },
      visit,
      finish(count: number, limit: number): void {
        const want = Math.min(limit, suffix[start]!);
        if (count !== want || seen !== want) {
          throw new VerificationError(`seek to index ${start} returned ${seen} entries, expected ${want}`);
        }
      },
    };
  }

  private expectEntry(state: ExpectedState, i: number, key: Buffer, value: Buffer, what: string): void {
    const full = this.sampled();
    if (key.length !== KEY_SIZE || (full && !this.keys.isKey(key, i))) {
      throw new VerificationError(`${what}: got key ${key.toString()}, expected ${this.keys.key(i).toString()}`);
    }
    if (value.length !== this.values.valueSize || (full && !this.values.value(i, state.version).equals(value))) {
      throw new VerificationError(`${what}: key ${key.toString()} has a wrong value`);
    }
  }
}
