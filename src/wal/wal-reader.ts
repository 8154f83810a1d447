/**
 * wal-reader — replays a whole WAL file: every record, in order, as an encoded write batch payload.
 *
 * The torn-tail rule is readLog's (src/log/log-reader.ts): the newest WAL is read in 'tolerate-tail' mode, older
 * ones (synced before their successor was written) in 'strict' mode. Beyond the framing, each payload must hold
 * at least the 12-byte batch header, else CORRUPTION naming the file and the record's offset; the ops themselves
 * are checked by forEachBatchOp when the caller applies them.
 */

import { corruption } from '../base/errors.js';
import { BATCH_HEADER_SIZE } from '../batch/write-batch.js';
import type { Codec } from '../codec/codec.js';
import { readLog, type LogReadMode, type LogReadSummary } from '../log/log-reader.js';

export function replayWal(
  data: Buffer,
  fileName: string,
  codec: Codec,
  mode: LogReadMode,
  onBatch: (payload: Buffer, offset: number) => void,
): LogReadSummary {
  return readLog(data, fileName, codec, mode, (payload, offset) => {
    if (payload.length < BATCH_HEADER_SIZE) {
      throw corruption('wal', `record of ${payload.length} bytes is shorter than a batch header`, fileName, offset);
    }
    onBatch(payload, offset);
  });
}
