/**
 * A sorted-map model of the database for tests: what every read must return.
 */

export class Model {
  private readonly map = new Map<string, Buffer>();

  static keyOf(k: Uint8Array | string): string {
    return Buffer.from(typeof k === 'string' ? Buffer.from(k) : k).toString('hex');
  }

  put(k: Uint8Array | string, v: Uint8Array | string): void {
    this.map.set(Model.keyOf(k), Buffer.from(typeof v === 'string' ? Buffer.from(v) : v));
  }

  delete(k: Uint8Array | string): void {
    this.map.delete(Model.keyOf(k));
  }

  get(k: Uint8Array | string): Buffer | undefined {
    return this.map.get(Model.keyOf(k));
  }

  clone(): Model {
    const m = new Model();
    for (const [k, v] of this.map) m.map.set(k, v);
    return m;
  }

  get size(): number {
    return this.map.size;
  }

  /** Entries sorted bytewise by key (hex order equals byte order). */
  entries(): Array<[Buffer, Buffer]> {
    return [...this.map.keys()].sort().map((k) => [Buffer.from(k, 'hex'), this.map.get(k)!]);
  }

  range(opts: {
    gt?: Uint8Array;
    gte?: Uint8Array;
    lt?: Uint8Array;
    lte?: Uint8Array;
    reverse?: boolean;
    limit?: number;
  }): Array<[Buffer, Buffer]> {
    let out = this.entries().filter(([k]) => {
      if (opts.gt !== undefined && Buffer.compare(k, opts.gt) <= 0) return false;
      if (opts.gte !== undefined && Buffer.compare(k, opts.gte) < 0) return false;
      if (opts.lt !== undefined && Buffer.compare(k, opts.lt) >= 0) return false;
      if (opts.lte !== undefined && Buffer.compare(k, opts.lte) > 0) return false;
      return true;
    });
    if (opts.reverse) out = out.reverse();
    if (opts.limit !== undefined && opts.limit >= 0) out = out.slice(0, opts.limit);
    return out;
  }
}

/** Small fast seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(rand: () => number, n: number): number {
  return Math.floor(rand() * n);
}

/** What randomWrites needs of a database: put and delete (a Db, or anything shaped like one). */
export interface Writable {
  put(key: Uint8Array, value: Uint8Array): void;
  delete(key: Uint8Array): void;
}

/**
 * `ops` random writes of keys 0..keys-1 to db and model alike: a delete with probability deleteShare, else a put of
 * value(rand, n). Draws from rand in a fixed order (key, delete?, then the value), so a seed replays exactly.
 */
export function randomWrites(
  db: Writable,
  model: Model,
  rand: () => number,
  spec: { ops: number; keys: number; deleteShare: number; key: (n: number) => Buffer; value: (rand: () => number, n: number) => Buffer },
): void {
  for (let i = 0; i < spec.ops; i++) {
    const n = randInt(rand, spec.keys);
    if (rand() < spec.deleteShare) {
      db.delete(spec.key(n));
      model.delete(spec.key(n));
    } else {
      const v = spec.value(rand, n);
      db.put(spec.key(n), v);
      model.put(spec.key(n), v);
    }
  }
}
