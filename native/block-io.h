// block-io — the fused per-block calls of the table read and write paths, the native twins of writeBlock /
// readBlock in src/codec/ts-codec.ts (byte-identical output, the same CodecStatus for the same damaged input):
//
//   writeBlock: entries → encoded block → snappy (kept only if it saves >= 1/8: 8 × compressed <= 7 × raw)
//               → stored block ‖ compression byte ‖ fixed32 XXH32(stored ‖ compression byte, seed 0)
//   readBlock:  stored block ‖ trailer → verify the checksum → decompress if the type is 1 → validate → decode
//
// (docs/FORMAT.md "Block", "Block trailer".) One call per block; both write into a caller-supplied buffer and
// allocate nothing (the snappy hash table lives on the stack, 32 KiB). readBlock's check order:
//   1. input shorter than the 5-byte trailer, or XXH32 mismatch       → kBadChecksum
//   2. compression byte not 0 or 1, or damaged snappy data            → kBadCompressedBlock
//   3. the (decompressed) block does not decode                       → the statuses of block-decode.h
// No state; safe from any thread.

#ifndef LSMKV_NATIVE_BLOCK_IO_H_
#define LSMKV_NATIVE_BLOCK_IO_H_

#include <napi.h>

namespace lsmkv {

// JS: writeBlock(keys, keyOffsets, values, valueOffsets, count, restartInterval, compress: 0 | 1, out: Uint8Array)
//       -> number: the size of stored block + trailer, written to out[0, size); or, when out is too short for the
//          work area (compress: SnappyMaxCompressedLength(raw) + 5 + raw; else raw + 5), that length (> out.length)
//          and nothing written; or ArgStatus (< 0). Arguments 0..5 as for encodeBlock.
Napi::Value WriteBlock(const Napi::CallbackInfo& info);

// JS: readBlock(stored: Uint8Array /* stored block ‖ 5-byte trailer */, out: Uint8Array) -> number:
//   1..7   CodecStatus (damaged input)
//   < 0    ArgStatus
//   >= 24  the output size; if it is <= out.length, out[0, size) holds
//            [contentsLength u32][contents, padded to a multiple of 4][decoded block as in block-decode.h]
//          where contentsLength is 0 for an uncompressed block (its contents are stored[0, length - 5)) and the
//          decompressed length otherwise; else nothing useful was written and the caller retries with at least
//          that many bytes (more than one retry is possible: the decoded size is known only after decompressing).
// u32 in the machine's byte order; out must not overlap stored.
Napi::Value ReadBlock(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_BLOCK_IO_H_
