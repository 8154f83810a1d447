/**
 * db-writes — issues a BatchSpec (./workload.ts) to a database through the public write API, writing the values
 * the oracle expects (op index first + i for the i-th operation).
 *
 * Both write paths are used: the synchronous one (put/delete for a one-op batch, write(batch) otherwise) and the
 * group-commit one (putAsync/deleteAsync/writeAsync). A one-op batch sometimes still goes through write(batch),
 * so that every call shape is exercised.
 */

import type { Batch, Db } from '../../src/index.js';
import { DELETE, keyName, makeValue, type BatchSpec } from './workload.js';

function toBatch(db: Db, b: BatchSpec, first: number): Batch {
  const batch = db.batch();
  for (let i = 0; i < b.keyIds.length; i++) {
    const len = b.valueLens[i]!;
    if (len === DELETE) batch.delete(keyName(b.keyIds[i]!));
    else batch.put(keyName(b.keyIds[i]!), makeValue(first + i, len));
  }
  return batch;
}

/** Synchronous API; throws what the database throws. `viaBatch` forces write(batch) for a one-op batch. */
export function writeSync(db: Db, b: BatchSpec, first: number, viaBatch = false): void {
  const options = { sync: b.sync };
  if (b.keyIds.length === 1 && !viaBatch) {
    const len = b.valueLens[0]!;
    if (len === DELETE) db.delete(keyName(b.keyIds[0]!), options);
    else db.put(keyName(b.keyIds[0]!), makeValue(first, len), options);
    return;
  }
  db.write(toBatch(db, b, first), options);
}

/** Group-commit API: the promise settles when the database acknowledges (or refuses) the write. */
export function writeAsync(db: Db, b: BatchSpec, first: number, viaBatch = false): Promise<void> {
  const options = { sync: b.sync };
  if (b.keyIds.length === 1 && !viaBatch) {
    const len = b.valueLens[0]!;
    if (len === DELETE) return db.deleteAsync(keyName(b.keyIds[0]!), options);
    return db.putAsync(keyName(b.keyIds[0]!), makeValue(first, len), options);
  }
  return db.writeAsync(toBatch(db, b, first), options);
}
