// block-encode — builds a block (docs/FORMAT.md "Block") from flat entries, the native twin of encodeBlock in
// src/codec/ts-codec.ts; the output is byte-identical (test/codec/parity.test.ts).
//
// Entry i is a restart point iff i % restartInterval == 0; elsewhere `shared` is the longest common prefix with
// the previous key. One call per block: the keys, values and both offset arrays cross the boundary once.
// No state; safe from any thread.

#ifndef LSMKV_NATIVE_BLOCK_ENCODE_H_
#define LSMKV_NATIVE_BLOCK_ENCODE_H_

#include <napi.h>

namespace lsmkv {

// JS: encodeBlock(keys: Uint8Array, keyOffsets: Uint32Array, values: Uint8Array, valueOffsets: Uint32Array,
//                 count: number, restartInterval: number) -> Buffer | ArgStatus (< 0).
// REQUIRES: count >= 1, restartInterval >= 1 (checked: ArgStatus otherwise). Keys sorted (not checked).
Napi::Value EncodeBlock(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_BLOCK_ENCODE_H_
