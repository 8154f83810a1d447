// bloom — builds the table's bloom filter (docs/FORMAT.md "Filter block"), the native twin of bloomBuild in
// src/codec/ts-codec.ts; byte-identical output.
//
//   m = max(64, count × bitsPerKey) rounded up to a multiple of 8; k = clamp(round(bitsPerKey × 0.69), 1, 30)
//   (IEEE double arithmetic and round-half-up, exactly as JavaScript computes them); probe i sets bit h mod m,
//   h = XXH32(key, BLOOM_SEED) advanced by rotr32(h, 17) after each probe.
//
// Probing (bloomMayContain) stays in TypeScript: it is one key per call. No state; safe from any thread.

#ifndef LSMKV_NATIVE_BLOOM_H_
#define LSMKV_NATIVE_BLOOM_H_

#include <napi.h>

#include <cstdint>

namespace lsmkv {

// Seed of the bloom key hash. DO NOT CHANGE: embedded in on-disk data (BLOOM_SEED in src/codec/codec.ts).
constexpr uint32_t kBloomSeed = 0xbc9f1d34u;

// JS: bloomBuild(keys: Uint8Array, keyOffsets: Uint32Array, count: number, bitsPerKey: number)
//       -> Buffer (bits ‖ k) | ArgStatus (< 0).
Napi::Value BloomBuild(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_BLOOM_H_
