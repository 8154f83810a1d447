/**
 * snapshot-list — the sequence numbers of live explicit snapshots (db.snapshot()).
 *
 * Compaction keeps every version a live snapshot can see: it asks smallest(). Iterators need no entry here: they
 * pin their version, whose files keep every version they read. A sequence may be held several
 * times (a count per sequence). Main thread only.
 */

export class SnapshotList {
  private readonly counts = new Map<number, number>();
  private cachedSmallest: number | undefined;

  acquire(seq: number): void {
    this.counts.set(seq, (this.counts.get(seq) ?? 0) + 1);
    // Undefined means "recompute": other snapshots may be older than this one (regression:
    // test/fuzz/regressions/snapshot-loses-version-after-flush.test.ts).
    if (this.counts.size === 1) this.cachedSmallest = seq;
    else if (this.cachedSmallest !== undefined && seq < this.cachedSmallest) this.cachedSmallest = seq;
  }

  release(seq: number): void {
    const n = this.counts.get(seq);
    if (n === undefined) return;
    if (n > 1) this.counts.set(seq, n - 1);
    else {
      this.counts.delete(seq);
      if (seq === this.cachedSmallest) this.cachedSmallest = undefined;
    }
  }

  get size(): number {
    return this.counts.size;
  }

  /** The oldest live snapshot, or `fallback` (the last sequence) when none is live. */
  smallest(fallback: number): number {
    if (this.counts.size === 0) return fallback;
    if (this.cachedSmallest === undefined) {
      let min = Infinity;
      for (const s of this.counts.keys()) if (s < min) min = s;
      this.cachedSmallest = min;
    }
    return this.cachedSmallest;
  }
}
