/**
 * batch — the public write-batch builder: validates keys and values as they are added, so a bad argument throws
 * at the call that made it and the batch stays as it was. db.write(batch) applies it atomically.
 */

import { WriteBatch } from '../batch/write-batch.js';
import { keyBytes, valueBytes } from './keys.js';

export class Batch {
  /** @internal */
  readonly inner: WriteBatch;

  /** @internal use db.batch(); `capacity` is a hint for the encoded size (db.batch() passes the last batch's). */
  constructor(capacity?: number) {
    this.inner = new WriteBatch(capacity);
  }

  put(key: string | Uint8Array, value: string | Uint8Array): this {
    const k = keyBytes(key);
    const v = valueBytes(value);
    this.inner.put(k, v);
    return this;
  }

  delete(key: string | Uint8Array): this {
    this.inner.delete(keyBytes(key));
    return this;
  }

  clear(): this {
    this.inner.clear();
    return this;
  }

  /** Number of operations. */
  get length(): number {
    return this.inner.count;
  }

  /** Encoded size in bytes. */
  get byteLength(): number {
    return this.inner.byteLength;
  }
}
