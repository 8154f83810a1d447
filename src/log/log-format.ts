/**
 * log-format — constants of the record framing shared by the WAL and the MANIFEST (docs/FORMAT.md "Log files").
 *
 * A log file is a sequence of BLOCK_SIZE blocks; a block holds fragments, each a HEADER_SIZE header
 *   fixed32 checksum (XXH32, seed CHECKSUM_SEED, over the type byte and the payload) ‖ u16 length ‖ u8 type
 * followed by `length` payload bytes. A record is one FULL fragment or FIRST, MIDDLE*, LAST. A fragment never
 * starts in the last HEADER_SIZE - 1 bytes of a block: those are zero padding.
 *
 * DO NOT CHANGE any constant here: embedded in on-disk data.
 */

export const BLOCK_SIZE = 32768;
export const HEADER_SIZE = 7;

/** Fragment types. Type 0 is never written (a zero header is an unwritten region). */
export const RecordType = {
  FULL: 1,
  FIRST: 2,
  MIDDLE: 3,
  LAST: 4,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Types with this bit set are reserved for future record kinds; a reader skips them. */
export const SKIPPABLE_TYPE_BIT = 0x80;

/** Offset of the type byte within a fragment header; the checksum covers from here to the payload's end. */
export const TYPE_OFFSET = 6;
/** Offset of the u16 payload length within a fragment header. */
export const LENGTH_OFFSET = 4;

/**
 * Skippable record types (bit 7 set) this version writes. DO NOT CHANGE: embedded in WAL files.
 * WAL_PREDECESSOR: the first record of every WAL started by a rotation: varint number of the WAL before it,
 * varint last sequence written to that WAL. Lets recovery name a lost WAL exactly.
 */
export const SkippableType = {
  WAL_PREDECESSOR: 130,
} as const;
