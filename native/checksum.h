// checksum — XXH32, the checksum of every block, fragment and footer (docs/FORMAT.md "Checksum"), and the bloom
// filter key hash.
//
// Compiled from the xxHash header shipped in node_modules/xxhash-addon/xxHash (binding.gyp adds the include
// path); XXH_INLINE_ALL makes every call site inline, so there is no copied hashing code in this repository.
// DO NOT CHANGE the algorithm or the seeds used by callers: checksums are embedded in on-disk data.
// Pure functions; safe from any thread.

#ifndef LSMKV_NATIVE_CHECKSUM_H_
#define LSMKV_NATIVE_CHECKSUM_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>

#define XXH_INLINE_ALL
#include "xxhash.h"

namespace lsmkv {

inline uint32_t Checksum32(const uint8_t* data, size_t size, uint32_t seed) {
  return XXH32(data, size, seed);
}

// JS: xxh32(data: Uint8Array, seed: number) -> number (the checksum, >= 0) | ArgStatus (< 0).
Napi::Value Xxh32(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_CHECKSUM_H_
