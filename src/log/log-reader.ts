/**
 * log-reader — reads every record of a whole log file (WAL or MANIFEST) framed as in ./log-format.ts, and
 * decides where the log ends. Stateless: one call reads one file held in memory. Any caller may use it.
 *
 * THE TORN-TAIL RULE (docs/FORMAT.md "Reading rule"; both modes apply it, they differ only in what the end of the
 * log may look like):
 *
 *  - A fragment is DAMAGED when its checksum does not match, its header or payload runs past the end of its
 *    block or of the file, its type is unknown (0, or 5..127), or it breaks the FIRST, MIDDLE*, LAST sequence
 *    (a MIDDLE/LAST with no record open, or a FULL/FIRST while one is open). A header of seven zero bytes (or
 *    fewer than seven zero bytes at the end of the file) is a ZERO region: preallocated or never written.
 *    Damage that runs past the end of the file (a cut header or payload, or a record whose LAST never came) is
 *    PARTIAL. The last 1..6 bytes of a block are padding and are never read.
 *  - "Something valid follows" a damaged fragment (or zero region) when (a) the first fragment of any later
 *    32 KiB block validates (fits its block and the file, type 1..4 or bit 7 set, checksum ok), or (b) the
 *    damaged fragment's length field fits its block and the fragment right after it validates, or (c) a fragment
 *    validates at any later byte offset of the damaged fragment's own block (a flipped length field hides where
 *    the next fragment starts; scanning costs nothing on undamaged logs and a false match needs a 32-bit
 *    checksum collision).
 *  - Damage with something valid after it is always CORRUPTION naming the file and the damaged fragment's offset
 *    (a FULL/FIRST arriving while a record is open is itself valid, so it is always CORRUPTION).
 *  - Damage with nothing valid after it ends the log:
 *      'tolerate-tail' (the newest WAL, the MANIFEST): any damage is a torn tail;
 *      'strict' (older WALs): only a PARTIAL or ZERO region may end the log; a checksum mismatch, a bad length,
 *      an unknown type or a broken sequence is CORRUPTION even at the end.
 *    A torn tail sets summary.tornTailOffset to where the valid log ends: the first fragment of the record that
 *    could not be completed.
 *  - A record whose fragments touch a damaged region is never delivered. Fragments with bit 7 of the type set
 *    (reserved for future record kinds) are checked and skipped.
 *
 * Payloads of FULL records are views into `data`; records of several fragments are copied into a new Buffer.
 * REQUIRES: `data` holds the whole file.
 */

import { getFixed32 } from '../base/coding.js';
import { corruption } from '../base/errors.js';
import { CHECKSUM_SEED, type Codec } from '../codec/codec.js';
import { BLOCK_SIZE, HEADER_SIZE, LENGTH_OFFSET, RecordType, SKIPPABLE_TYPE_BIT, TYPE_OFFSET } from './log-format.js';

export type LogReadMode = 'tolerate-tail' | 'strict';

export interface LogReadSummary {
  /** Records delivered. */
  records: number;
  /** Set when a torn tail was dropped: where the valid log ends. */
  tornTailOffset?: number;
  /** Why the tail was dropped (for the info log). */
  tornReason?: string;
  /** Offset just past the last delivered record (or skipped fragment). */
  endOffset: number;
}

type DamageKind = 'bad' | 'partial' | 'zero';

/** Reads every record of a whole log file, calling onRecord(payload, offsetOfFirstFragment). */
export function readLog(
  data: Buffer,
  fileName: string,
  codec: Codec,
  mode: LogReadMode,
  onRecord: (payload: Buffer, offset: number) => void,
  onSkippable?: (type: number, payload: Buffer, offset: number) => void,
): LogReadSummary {
  const len = data.length;
  let pos = 0;
  let records = 0;
  let endOffset = 0;
  /** Offset of the open record's FIRST fragment, or -1. */
  let openStart = -1;
  /** Payload ranges [start, end) of the open record's fragments, flattened. */
  const parts: number[] = [];

  let damageKind: DamageKind = 'partial';
  let damageReason = '';
  /** Offset of the fragment right after the damaged one when its length field fits the block, else -1. */
  let damageNext = -1;

  for (;;) {
    damageNext = -1;
    if (pos >= len) {
      if (openStart < 0) return { records, endOffset };
      damageKind = 'partial';
      damageReason = `record at offset ${openStart} is incomplete at the end of the file`;
      break;
    }
    const blockOff = pos % BLOCK_SIZE;
    if (BLOCK_SIZE - blockOff < HEADER_SIZE) {
      pos += BLOCK_SIZE - blockOff;
      continue;
    }
    if (len - pos < HEADER_SIZE) {
      damageKind = isZero(data, pos, len) ? 'zero' : 'partial';
      damageReason = 'fragment header cut by the end of the file';
      break;
    }
    if (isZero(data, pos, pos + HEADER_SIZE)) {
      damageKind = 'zero';
      damageReason = 'zero-filled region';
      damageNext = pos + HEADER_SIZE;
      break;
    }
    const n = data[pos + LENGTH_OFFSET]! | (data[pos + LENGTH_OFFSET + 1]! << 8);
    const type = data[pos + TYPE_OFFSET]!;
    const payloadStart = pos + HEADER_SIZE;
    const next = payloadStart + n;
    if (blockOff + HEADER_SIZE + n > BLOCK_SIZE) {
      damageKind = 'bad';
      damageReason = `fragment length ${n} runs past the end of its block`;
      break;
    }
    damageNext = next;
    if (next > len) {
      damageKind = 'partial';
      damageReason = `fragment payload of ${n} bytes cut by the end of the file`;
      break;
    }
    if (codec.xxh32(data.subarray(pos + TYPE_OFFSET, next), CHECKSUM_SEED) !== getFixed32(data, pos)) {
      damageKind = 'bad';
      damageReason = 'fragment checksum mismatch';
      break;
    }
    if (type === RecordType.FULL || type === RecordType.FIRST) {
      if (openStart >= 0) {
        throw corruption(
          'log',
          `record at offset ${openStart} has no LAST fragment: a new record starts (type ${type})`,
          fileName,
          pos,
        );
      }
      if (type === RecordType.FULL) {
        onRecord(data.subarray(payloadStart, next), pos);
        records++;
        endOffset = next;
      } else {
        openStart = pos;
        parts.length = 0;
        parts.push(payloadStart, next);
      }
    } else if (type === RecordType.MIDDLE || type === RecordType.LAST) {
      if (openStart < 0) {
        damageKind = 'bad';
        damageReason = `${type === RecordType.MIDDLE ? 'MIDDLE' : 'LAST'} fragment without a FIRST`;
        break;
      }
      parts.push(payloadStart, next);
      if (type === RecordType.LAST) {
        onRecord(joinParts(data, parts), openStart);
        records++;
        endOffset = next;
        openStart = -1;
      }
    } else if ((type & SKIPPABLE_TYPE_BIT) === 0) {
      damageKind = 'bad';
      damageReason = `unknown fragment type ${type}`;
      break;
    } else if (openStart < 0) {
      onSkippable?.(type, data.subarray(payloadStart, next), pos);
      endOffset = next;
    }
    pos = next;
  }

  const follows = validFragmentAfter(data, pos, damageNext, codec);
  if (follows >= 0) {
    throw corruption('log', `${damageReason}, and a valid fragment follows at offset ${follows}`, fileName, pos);
  }
  if (mode === 'strict' && damageKind === 'bad') {
    throw corruption('log', `${damageReason} (strict log: only a cut or zero-filled tail may end it)`, fileName, pos);
  }
  return { records, endOffset, tornTailOffset: openStart >= 0 ? openStart : pos, tornReason: damageReason };
}

function isZero(data: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (data[i] !== 0) return false;
  return true;
}

function joinParts(data: Buffer, parts: readonly number[]): Buffer {
  let total = 0;
  for (let i = 0; i < parts.length; i += 2) total += parts[i + 1]! - parts[i]!;
  const out = Buffer.allocUnsafe(total);
  let o = 0;
  for (let i = 0; i < parts.length; i += 2) {
    o += data.copy(out, o, parts[i]!, parts[i + 1]!);
  }
  return out;
}

/**
 * The offset of a valid fragment after the damage at `damaged`: the fragment at `next` (when >= 0 and a header
 * fits there in its block), else one at any later offset of the same block, else the first fragment of any later
 * block. -1 when there is none.
 */
function validFragmentAfter(data: Buffer, damaged: number, next: number, codec: Codec): number {
  if (next >= 0 && BLOCK_SIZE - (next % BLOCK_SIZE) >= HEADER_SIZE && fragmentValidates(data, next, codec)) {
    return next;
  }
  // Inside a block only the first fragment can be a MIDDLE or LAST: any later one starts a record (FULL, FIRST)
  // or is skippable, which filters most candidate offsets before any checksum is computed.
  const blockEnd = Math.min(data.length, (Math.floor(damaged / BLOCK_SIZE) + 1) * BLOCK_SIZE);
  for (let p = damaged + 1; p + HEADER_SIZE <= blockEnd; p++) {
    const type = data[p + TYPE_OFFSET]!;
    if (type !== RecordType.FULL && type !== RecordType.FIRST && (type & SKIPPABLE_TYPE_BIT) === 0) continue;
    if (fragmentValidates(data, p, codec)) return p;
  }
  for (let b = (Math.floor(damaged / BLOCK_SIZE) + 1) * BLOCK_SIZE; b < data.length; b += BLOCK_SIZE) {
    if (fragmentValidates(data, b, codec)) return b;
  }
  return -1;
}

/** True if a whole fragment with a known or skippable type and a matching checksum starts at pos. */
function fragmentValidates(data: Buffer, pos: number, codec: Codec): boolean {
  if (pos + HEADER_SIZE > data.length) return false;
  const type = data[pos + TYPE_OFFSET]!;
  if ((type < RecordType.FULL || type > RecordType.LAST) && (type & SKIPPABLE_TYPE_BIT) === 0) return false;
  const n = data[pos + LENGTH_OFFSET]! | (data[pos + LENGTH_OFFSET + 1]! << 8);
  const end = pos + HEADER_SIZE + n;
  if ((pos % BLOCK_SIZE) + HEADER_SIZE + n > BLOCK_SIZE || end > data.length) return false;
  return codec.xxh32(data.subarray(pos + TYPE_OFFSET, end), CHECKSUM_SEED) === getFixed32(data, pos);
}
