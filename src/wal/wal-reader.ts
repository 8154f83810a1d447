/**
 * wal-reader — replays a whole WAL file: every record, in order, as an encoded write batch payload.
 *
 * The torn-tail rule is readLog's (src/log/log-reader.ts): the newest WAL is read in 'tolerate-tail' mode, older
 * ones (synced before their successor was written) in 'strict' mode. Beyond the framing, each payload must hold
 * at least the 12-byte batch header, else CORRUPTION naming the file and the record's offset; the ops themselves
 * are checked by forEachBatchOp when the caller applies them. A WAL_PREDECESSOR record (the first record of a
 * WAL started by a rotation) is handed to onPredecessor: which WAL came before and its last sequence.
 */

import { getVarint, varintValue } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import { BATCH_HEADER_SIZE } from '../batch/write-batch.js';
import type { Codec } from '../codec/codec.js';
import { SkippableType } from '../log/log-format.js';
import { readLog, type LogReadMode, type LogReadSummary } from '../log/log-reader.js';

export function replayWal(
  data: Buffer,
  fileName: string,
  codec: Codec,
  mode: LogReadMode,
  onBatch: (payload: Buffer, offset: number) => void,
  onPredecessor?: (walNumber: number, lastSequence: number) => void,
): LogReadSummary {
  return readLog(
    data,
    fileName,
    codec,
    mode,
    (payload, offset) => {
      if (payload.length < BATCH_HEADER_SIZE) {
        throw corruption('wal', `record of ${payload.length} bytes is shorter than a batch header`, fileName, offset);
      }
      onBatch(payload, offset);
    },
    (type, payload, offset) => {
      if (type !== SkippableType.WAL_PREDECESSOR || !onPredecessor) return;
      let p = getVarint(payload, 0, payload.length);
      const walNumber = varintValue.v;
      if (p >= 0) p = getVarint(payload, p, payload.length);
      if (p < 0) throw corruption('wal', 'malformed predecessor record', fileName, offset);
      onPredecessor(walNumber, varintValue.v);
    },
  );
}
