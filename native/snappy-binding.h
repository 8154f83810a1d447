// snappy-binding — the JS entry points of the raw snappy functions (snappy.h), for the Codec's snappyCompress /
// snappyUncompress (src/codec/native-codec.ts): for compressed bytes that are not a stored block with its trailer
// (tests, benchmarks, the table checker's raw block reads). The block read/write paths use block-io.h instead.
// Both write into a caller-supplied buffer, so the call allocates nothing. No state; safe from any thread.

#ifndef LSMKV_NATIVE_SNAPPY_BINDING_H_
#define LSMKV_NATIVE_SNAPPY_BINDING_H_

#include <napi.h>

namespace lsmkv {

// JS: snappyCompress(data: Uint8Array, out: Uint8Array) -> number: the compressed size written to out, or, when
// out is shorter than SnappyMaxCompressedLength(data.length), that length (> out.length) and nothing written;
// ArgStatus (< 0) for bad arguments (kBlockTooLarge for data of 2^32 bytes or more, kOverlappingOutput).
Napi::Value SnappyCompressJs(const Napi::CallbackInfo& info);

// JS: snappyUncompress(data: Uint8Array, out: Uint8Array) -> number: 0 when out (exactly the uncompressed
// length the stream header declares) was filled, CodecStatus kBadCompressedBlock for a damaged stream or an out
// of another length, ArgStatus (< 0) for bad arguments.
Napi::Value SnappyUncompressJs(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_SNAPPY_BINDING_H_
