// block-encode — builds a block (docs/FORMAT.md "Block") from flat entries, the native twin of encodeBlock in
// src/codec/ts-codec.ts; the output is byte-identical (test/codec/parity.test.ts).
//
// Entry i is a restart point iff i % restartInterval == 0; elsewhere `shared` is the longest common prefix with
// the previous key. One call per block: the keys, values and both offset arrays cross the boundary once.
// No state; safe from any thread.

#ifndef LSMKV_NATIVE_BLOCK_ENCODE_H_
#define LSMKV_NATIVE_BLOCK_ENCODE_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "args.h"

namespace lsmkv {

// A block's entries as they cross the boundary (borrowed from JS typed arrays: valid during the call only).
struct BlockEntries {
  ByteSpan keys;
  OffsetSpan key_offsets;
  ByteSpan values;
  OffsetSpan value_offsets;
  uint32_t count;
  uint32_t restart_interval;
};

// Reads and checks info[first .. first + 5] = keys, keyOffsets, values, valueOffsets, count (>= 1),
// restartInterval (>= 1): offsets non-decreasing and inside their arrays.
ArgStatus ParseBlockEntries(const Napi::CallbackInfo& info, size_t first, BlockEntries* e);

// Exact size of the encoded block (entries, restart array, restart count).
uint64_t EncodedBlockSize(const BlockEntries& e);

// Writes the block. REQUIRES: out has `size` = EncodedBlockSize(e) bytes, size < 2^32.
void EncodeBlockInto(const BlockEntries& e, uint8_t* out, uint64_t size);

// JS: encodeBlock(keys: Uint8Array, keyOffsets: Uint32Array, values: Uint8Array, valueOffsets: Uint32Array,
//                 count: number, restartInterval: number) -> Buffer | ArgStatus (< 0).
// REQUIRES: count >= 1, restartInterval >= 1 (checked: ArgStatus otherwise). Keys sorted (not checked).
Napi::Value EncodeBlock(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_BLOCK_ENCODE_H_
