/**
 * sorted-model — the in-memory model the metamorphic harness checks every database against: a map from hex key
 * to value bytes, with point-in-time copies for snapshots and open iterators, and the iterator semantics of
 * DbIterator written the simple way (filter, sort, reverse, seek, limit).
 *
 * Bounds: when both gte and gt are given gte wins, when both lte and lt are given lte wins (as in DbIterator).
 * Hex strings of bytes sort exactly like the bytes. Single-threaded; harness code only.
 */

import type { IterSpec } from './ops.js';

export type Entry = [key: string, value: Buffer];

export class SortedModel {
  private readonly map = new Map<string, Buffer>();

  put(k: string, v: Buffer): void {
    this.map.set(k, v);
  }

  delete(k: string): void {
    this.map.delete(k);
  }

  get(k: string): Buffer | undefined {
    return this.map.get(k);
  }

  /** A frozen copy (what a snapshot or an iterator created now must see). */
  copy(): SortedModel {
    const m = new SortedModel();
    for (const [k, v] of this.map) m.map.set(k, v);
    return m;
  }

  /** The entries an iterator with `spec` returns, in order (limit applied). */
  range(spec: IterSpec): Entry[] {
    const lower = spec.gte ?? spec.gt;
    const lowerInclusive = spec.gte !== undefined;
    const upper = spec.lte ?? spec.lt;
    const upperInclusive = spec.lte !== undefined;
    let out: Entry[] = [];
    for (const [k, v] of this.map) {
      if (lower !== undefined && (lowerInclusive ? k < lower : k <= lower)) continue;
      if (upper !== undefined && (upperInclusive ? k > upper : k >= upper)) continue;
      if (spec.seek !== undefined && (spec.reverse ? k > spec.seek : k < spec.seek)) continue;
      out.push([k, v]);
    }
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    if (spec.reverse) out.reverse();
    if (spec.limit !== undefined) out = out.slice(0, spec.limit);
    return out;
  }
}
