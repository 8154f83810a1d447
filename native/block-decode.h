// block-decode — validates and fully decodes a block (docs/FORMAT.md "Block"), the native twin of decodeBlock in
// src/codec/ts-codec.ts: same output, and the same CodecStatus for the same damaged input (the check order is
// part of the contract and is documented in ts-codec.ts).
//
// Every read is bounds-checked against the input: damaged or hostile input yields a CodecStatus, never a crash
// (fuzzed by fuzz/native-decoder.fuzz.ts). The decoded block is written into a caller-supplied scratch buffer
// (so the call allocates nothing; the caller copies the used prefix into a pooled Buffer):
//
//   [count u32][keyOffsets u32 × (count + 1)][valueOffsets u32 × 2·count][key bytes]
//
// All u32 in the machine's byte order (they are read through Uint32Arrays; this is memory, not a file format).
// keyOffsets index the key bytes; valueOffsets index the input block. No state; safe from any thread.

#ifndef LSMKV_NATIVE_BLOCK_DECODE_H_
#define LSMKV_NATIVE_BLOCK_DECODE_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "status.h"

namespace lsmkv {

// A block that passed ValidateBlock: where its parts are and how large its decoding is.
struct BlockLayout {
  const uint8_t* data;
  uint32_t entries_end;   // == restarts start: entries occupy [0, entries_end)
  uint32_t num_restarts;
  uint32_t count;         // entries
  uint64_t key_bytes;     // total length of the full keys
};

// Validates the block data[0, size) (the check order of ts-codec.ts decodeBlock); fills *layout on kOk.
CodecStatus ValidateBlock(const uint8_t* data, size_t size, BlockLayout* layout);

// Bytes FillDecodedBlock writes for a validated block.
uint64_t DecodedBlockSize(const BlockLayout& layout);

// Writes the decoded layout (above) of a validated block to out. REQUIRES: out has DecodedBlockSize bytes and
// does not overlap the block; the block is unchanged since ValidateBlock.
void FillDecodedBlock(const BlockLayout& layout, uint8_t* out);

// JS: decodeBlock(block: Uint8Array, out: Uint8Array) -> number:
//   1..5        CodecStatus: the block is damaged; `out` is untouched
//   < 0         ArgStatus
//   >= 20       the size of the decoded block; if it is <= out.length it was written to out[0, size), otherwise
//               nothing was written and the caller must retry with at least that many bytes.
// REQUIRES: out is 4-byte aligned if the caller wants to view it as Uint32Arrays (not checked: any alignment is
// safe for this function).
Napi::Value DecodeBlock(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_BLOCK_DECODE_H_
