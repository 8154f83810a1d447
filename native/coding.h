// coding — fixed32 and unsigned LEB128 varints as in docs/FORMAT.md (7 bits per byte, low group first, at most
// 8 bytes), the native twin of src/base/coding.ts. DO NOT CHANGE: embedded in on-disk data.
// Pure inline functions; safe from any thread.

#ifndef LSMKV_NATIVE_CODING_H_
#define LSMKV_NATIVE_CODING_H_

#include <cstddef>
#include <cstdint>

namespace lsmkv {

constexpr int kMaxVarintBytes = 8;

inline size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

// REQUIRES: dst has room for VarintLength(v) bytes. Returns the position after the varint.
inline uint8_t* PutVarint(uint8_t* dst, uint64_t v) {
  while (v >= 0x80) {
    *dst++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *dst++ = static_cast<uint8_t>(v);
  return dst;
}

// Reads a varint from [p, limit). Returns the position after it and sets *v, or nullptr when the input ends
// first or the varint is longer than kMaxVarintBytes (the same rule as getVarint in coding.ts).
inline const uint8_t* GetVarint(const uint8_t* p, const uint8_t* limit, uint64_t* v) {
  uint64_t result = 0;
  for (int i = 0; i < kMaxVarintBytes; i++) {
    if (p >= limit) return nullptr;
    uint64_t byte = *p++;
    result |= (byte & 0x7f) << (7 * i);
    if (byte < 0x80) {
      *v = result;
      return p;
    }
  }
  return nullptr;
}

inline void PutFixed32(uint8_t* dst, uint32_t v) {
  dst[0] = static_cast<uint8_t>(v);
  dst[1] = static_cast<uint8_t>(v >> 8);
  dst[2] = static_cast<uint8_t>(v >> 16);
  dst[3] = static_cast<uint8_t>(v >> 24);
}

inline uint32_t GetFixed32(const uint8_t* src) {
  return static_cast<uint32_t>(src[0]) | (static_cast<uint32_t>(src[1]) << 8) |
         (static_cast<uint32_t>(src[2]) << 16) | (static_cast<uint32_t>(src[3]) << 24);
}

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_CODING_H_
