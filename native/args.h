// args — argument checking for every native entry point.
//
// The TypeScript facade (src/codec/native-codec.ts) passes well-typed arguments, but native code must never read
// out of bounds whatever it is handed, so every entry point checks its arguments here first and returns an
// ArgStatus (never throws; the facade turns the number into a TypeError/RangeError).
// The spans borrow the memory of a JS typed array: valid only during the call that produced them.
// No state; safe from any thread.

#ifndef LSMKV_NATIVE_ARGS_H_
#define LSMKV_NATIVE_ARGS_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "status.h"

namespace lsmkv {

struct ByteSpan {
  const uint8_t* data;
  size_t size;
};

struct OffsetSpan {
  const uint32_t* data;
  size_t size;
};

// A Uint8Array (Buffer included).
ArgStatus GetBytes(const Napi::Value& value, ByteSpan* out);

// A Uint32Array.
ArgStatus GetOffsets(const Napi::Value& value, OffsetSpan* out);

// A number that is an integer in [min, max].
ArgStatus GetInteger(const Napi::Value& value, double min, double max, ArgStatus out_of_range, uint32_t* out);

// A finite number in [min, max] (not necessarily an integer).
ArgStatus GetNumber(const Napi::Value& value, double min, double max, ArgStatus out_of_range, double* out);

// Offsets describing `count` items in `bytes`: offsets.size >= count + 1,
// non-decreasing, offsets[count] <= bytes.size.
ArgStatus CheckOffsets(const OffsetSpan& offsets, uint32_t count, const ByteSpan& bytes);

// The (input, output) byte-array pair of a call that takes exactly those two arguments.
ArgStatus GetInputAndOutput(const Napi::CallbackInfo& info, ByteSpan* in, ByteSpan* out);

// True if the two spans share a byte.
inline bool Overlaps(const ByteSpan& a, const ByteSpan& b) {
  return a.size > 0 && b.size > 0 && a.data < b.data + b.size && b.data < a.data + a.size;
}

// Returns status as a JS number (for the error path of an entry point).
inline Napi::Value StatusValue(Napi::Env env, ArgStatus status) {
  return Napi::Number::New(env, static_cast<int32_t>(status));
}

inline Napi::Value StatusValue(Napi::Env env, CodecStatus status) {
  return Napi::Number::New(env, static_cast<int32_t>(status));
}

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_ARGS_H_
