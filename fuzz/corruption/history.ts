/**
 * history — the model of the corruption harness: every write applied to the database, in order, with the
 * sequence number it ended at, so that the expected contents after any prefix of the writes can be rebuilt.
 *
 * A write is one WAL record (a put, a delete or a batch); a torn WAL tail may drop only whole writes, newest
 * first, so every acceptable state of the database is `stateAt(p)` for some prefix length p.
 * Keys and values are held as latin1 strings (one char per byte: compact, and string order equals byte order
 * for the keys this harness makes). Single-threaded; used by the corruption harness only.
 */

export type Op = { key: string; value: string | undefined };

export interface Write {
  ops: Op[];
  /** Sequence number of the write's last operation. */
  lastSequence: number;
}

export class History {
  readonly writes: Write[] = [];
  private sequence = 0;

  /** Records a write that the database acknowledged; returns its index. */
  add(ops: Op[]): number {
    this.sequence += ops.length;
    this.writes.push({ ops, lastSequence: this.sequence });
    return this.writes.length - 1;
  }

  get length(): number {
    return this.writes.length;
  }

  /** Index of the write whose operations include sequence `seq`, or -1. */
  writeOfSequence(seq: number): number {
    let lo = 0;
    let hi = this.writes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.writes[mid]!.lastSequence < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.writes.length ? lo : -1;
  }

  /** Contents after the first `p` writes. */
  stateAt(p: number): Map<string, string> {
    const m = new Map<string, string>();
    for (let i = 0; i < p; i++) applyWrite(m, this.writes[i]!);
    return m;
  }

  /** Every value key ever held (undefined included when it was absent or deleted at some point). */
  everHeld(key: string): Set<string | undefined> {
    const out = new Set<string | undefined>([undefined]);
    for (const w of this.writes) for (const op of w.ops) if (op.key === key) out.add(op.value);
    return out;
  }

  /** Every key ever written, sorted. */
  allKeys(): string[] {
    const s = new Set<string>();
    for (const w of this.writes) for (const op of w.ops) s.add(op.key);
    return [...s].sort();
  }
}

export function applyWrite(m: Map<string, string>, w: Write): void {
  for (const op of w.ops) {
    if (op.value === undefined) m.delete(op.key);
    else m.set(op.key, op.value);
  }
}

/** Sorted entries of a state. */
export function sortedEntries(m: Map<string, string>): Array<[string, string]> {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Equal contents. */
export function sameState(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
