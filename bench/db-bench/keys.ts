/**
 * keys — the key space of the macro benchmark, laid out flat.
 *
 * Key i is the 16-digit zero-padded decimal of 2·i; "missing" key i is the decimal of 2·i + 1, so missing keys
 * interleave with present ones (inside every table's key range: bloom filters, not range checks, must reject
 * them). All keys live in two flat buffers computed once before any timing; key(i) is a view, never a copy, and
 * the bytes never change after construction, so a store may keep the view it was handed.
 * REQUIRES: n <= 5·10^15 (keys must fit in 16 decimal digits).
 */

export const KEY_SIZE = 16;

/** Writes `num` as KEY_SIZE zero-padded decimal digits at buf[off..off+KEY_SIZE). */
export function writeDecimalKey(buf: Buffer, off: number, num: number): void {
  let v = num;
  for (let p = off + KEY_SIZE - 1; p >= off; p--) {
    buf[p] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
}

export class KeySpace {
  readonly n: number;
  private readonly present: Buffer;
  private readonly missing: Buffer;

  constructor(n: number) {
    if (!Number.isInteger(n) || n < 1 || n > 5e15) throw new RangeError(`keys: n must be an integer in [1, 5e15], got ${n}`);
    this.n = n;
    this.present = Buffer.allocUnsafe(n * KEY_SIZE);
    this.missing = Buffer.allocUnsafe(n * KEY_SIZE);
    for (let i = 0; i < n; i++) {
      writeDecimalKey(this.present, i * KEY_SIZE, 2 * i);
      writeDecimalKey(this.missing, i * KEY_SIZE, 2 * i + 1);
    }
  }

  /** The i-th present key (ascending in i). REQUIRES: 0 <= i < n. */
  key(i: number): Buffer {
    return this.present.subarray(i * KEY_SIZE, (i + 1) * KEY_SIZE);
  }

  /** A key that is never written, sorting between key(i) and key(i + 1). REQUIRES: 0 <= i < n. */
  missingKey(i: number): Buffer {
    return this.missing.subarray(i * KEY_SIZE, (i + 1) * KEY_SIZE);
  }

  /** True if `k` is byte-equal to key(i). */
  isKey(k: Uint8Array, i: number): boolean {
    if (k.length !== KEY_SIZE) return false;
    return this.present.compare(k, 0, KEY_SIZE, i * KEY_SIZE, (i + 1) * KEY_SIZE) === 0;
  }
}
