// status — the numbers the native codec returns instead of throwing.
//
// CodecStatus mirrors CodecStatus in src/codec/codec.ts exactly (test/codec/native-status.test.ts parses this file
// and compares). DO NOT CHANGE the values: TypeScript turns them into CORRUPTION errors by number.
// ArgStatus values are negative so that they never collide with a checksum (>= 0) or a CodecStatus (> 0); they
// mirror NativeArgStatus in src/codec/native-codec.ts, which turns them into TypeError/RangeError.
// Header only, no state; safe from any thread.

#ifndef LSMKV_NATIVE_STATUS_H_
#define LSMKV_NATIVE_STATUS_H_

#include <cstdint>

namespace lsmkv {

enum class CodecStatus : int32_t {
  kOk = 0,
  kBadRestartArray = 1,
  kBadEntryHeader = 2,
  kBadSharedPrefix = 3,
  kBadEntryBounds = 4,
  kBadRestartPoint = 5,
  kBadCompressedBlock = 6,
  kBadChecksum = 7,
};

enum class ArgStatus : int32_t {
  kOk = 0,
  kWrongArgumentCount = -1,
  kNotUint8Array = -2,
  kNotUint32Array = -3,
  kNotInteger = -4,
  kBadCount = -5,
  kOffsetsTooShort = -6,
  kBadOffsets = -7,
  kBadRestartInterval = -8,
  kBadBitsPerKey = -9,
  kBlockTooLarge = -10,
  kNotNumber = -11,
  kOverlappingOutput = -12,
};

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_STATUS_H_
