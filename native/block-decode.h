// block-decode — validates and fully decodes a block (docs/FORMAT.md "Block"), the native twin of decodeBlock in
// src/codec/ts-codec.ts: same output, and the same CodecStatus for the same damaged input (the check order is
// part of the contract and is documented in ts-codec.ts).
//
// Every read is bounds-checked against the input: damaged or hostile input yields a CodecStatus, never a crash
// (fuzzed by fuzz/native-decoder.fuzz.ts). Output is one Buffer (a fresh ArrayBuffer of its own, byteOffset 0), so
// the decoded block costs one allocation:
//
//   [count u32][keyOffsets u32 × (count + 1)][valueOffsets u32 × 2·count][key bytes]
//
// All u32 in the machine's byte order (they are read through Uint32Arrays; this is memory, not a file format).
// keyOffsets index the key bytes; valueOffsets index the input block. src/codec/native-codec.ts wraps the parts
// in views without copying. No state; safe from any thread.

#ifndef LSMKV_NATIVE_BLOCK_DECODE_H_
#define LSMKV_NATIVE_BLOCK_DECODE_H_

#include <napi.h>

namespace lsmkv {

// JS: decodeBlock(block: Uint8Array) -> Buffer | CodecStatus (> 0) | ArgStatus (< 0).
Napi::Value DecodeBlock(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_BLOCK_DECODE_H_
