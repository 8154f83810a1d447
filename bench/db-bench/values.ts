/**
 * values — deterministic, half-compressible values, db_bench style.
 *
 * Like db_bench's RandomGenerator: a 1 MiB pool of pieces, each made of `ratio` random printable bytes followed by
 * repeats of them, so snappy shrinks each piece to about `ratio` of its size. A piece is exactly one value long and
 * values start on piece boundaries (db_bench's 100-byte values line up with its 100-byte pieces the same way); a
 * value that straddled two pieces would lose most of its redundancy. value(i, version) is the piece chosen by a hash
 * of (i, version), so it is reproducible for verification without storing anything per key. Views are never
 * written after construction.
 */

import { SeededRandom, mix32 } from './random.js';

const POOL_BYTES = 1 << 20;

export class ValueSource {
  readonly valueSize: number;
  private readonly pool: Buffer;
  private readonly pieces: number;

  /** REQUIRES: 1 <= valueSize <= 16 MiB, 0 < compressionRatio <= 1. */
  constructor(seed: number, valueSize: number, compressionRatio = 0.5) {
    if (!Number.isInteger(valueSize) || valueSize < 1 || valueSize > 16 * 1024 * 1024) {
      throw new RangeError(`values: valueSize must be an integer in [1, 16777216], got ${valueSize}`);
    }
    if (!(compressionRatio > 0 && compressionRatio <= 1)) {
      throw new RangeError(`values: compressionRatio must be in (0, 1], got ${compressionRatio}`);
    }
    this.valueSize = valueSize;
    const size = Math.max(POOL_BYTES, valueSize * 4);
    this.pool = Buffer.allocUnsafe(size);
    const rnd = new SeededRandom(seed ^ 0x5bd1e995);
    const raw = Math.max(1, Math.floor(valueSize * compressionRatio));
    this.pieces = Math.floor(size / valueSize);
    for (let start = 0; start + valueSize <= size; start += valueSize) {
      const end = start + valueSize;
      for (let p = start; p < start + raw; p++) this.pool[p] = 0x20 + rnd.nextInt(95);
      for (let p = start + raw; p < end; p++) this.pool[p] = this.pool[p - raw]!;
    }
  }

  /** The value of key i at `version` (0 = first fill, 1 = overwrite, ...). */
  value(i: number, version: number): Buffer {
    const off = (mix32((i * 0x9e3779b1) ^ mix32(version + 0x1234567)) % this.pieces) * this.valueSize;
    return this.pool.subarray(off, off + this.valueSize);
  }
}
