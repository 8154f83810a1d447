// block-io — see block-io.h.

#include "block-io.h"

#include <cstring>

#include "args.h"
#include "block-decode.h"
#include "block-encode.h"
#include "checksum.h"
#include "coding.h"
#include "snappy.h"

namespace lsmkv {

namespace {

constexpr uint32_t kTrailerSize = 5;
constexpr uint32_t kChecksumSeed = 0;
constexpr uint8_t kNoCompression = 0;
constexpr uint8_t kSnappyCompression = 1;
// The smallest successful readBlock result (4-byte header + an empty decoding's 20): above every CodecStatus.
constexpr uint64_t kMinReadSize = 24;

inline uint64_t Align4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

// Appends the trailer after stored[0, size).
inline uint64_t PutTrailer(uint8_t* stored, uint64_t size, uint8_t type) {
  stored[size] = type;
  PutFixed32(stored + size + 1, Checksum32(stored, static_cast<size_t>(size) + 1, kChecksumSeed));
  return size + kTrailerSize;
}

}  // namespace

Napi::Value WriteBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 8) return StatusValue(env, ArgStatus::kWrongArgumentCount);
  BlockEntries e;
  ArgStatus s = ParseBlockEntries(info, 0, &e);
  uint32_t compress = 0;
  if (s == ArgStatus::kOk) s = GetInteger(info[6], 0, 1, ArgStatus::kNotInteger, &compress);
  ByteSpan out;
  if (s == ArgStatus::kOk) s = GetBytes(info[7], &out);
  if (s != ArgStatus::kOk) return StatusValue(env, s);

  uint64_t raw_size = EncodedBlockSize(e);
  if (raw_size > 0xffffffffu - 64) return StatusValue(env, ArgStatus::kBlockTooLarge);
  uint8_t* base = const_cast<uint8_t*>(out.data);
  if (!compress) {
    if (raw_size + kTrailerSize > out.size) return Napi::Number::New(env, static_cast<double>(raw_size + kTrailerSize));
    EncodeBlockInto(e, base, raw_size);
    return Napi::Number::New(env, static_cast<double>(PutTrailer(base, raw_size, kNoCompression)));
  }
  // Work area: [compressed block + trailer: bound + 5][raw block]; the raw block moves to the front if
  // compression does not pay.
  uint64_t raw_at = SnappyMaxCompressedLength(raw_size) + kTrailerSize;
  uint64_t need = raw_at + raw_size;
  if (need > out.size) return Napi::Number::New(env, static_cast<double>(need));
  uint8_t* raw = base + raw_at;
  EncodeBlockInto(e, raw, raw_size);
  uint16_t table[kSnappyTableEntries];
  uint64_t packed = SnappyCompress(raw, static_cast<size_t>(raw_size), base, table);
  if (8 * packed <= 7 * raw_size) {
    return Napi::Number::New(env, static_cast<double>(PutTrailer(base, packed, kSnappyCompression)));
  }
  std::memcpy(base, raw, static_cast<size_t>(raw_size));
  return Napi::Number::New(env, static_cast<double>(PutTrailer(base, raw_size, kNoCompression)));
}

Napi::Value ReadBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteSpan stored;
  ByteSpan out;
  ArgStatus arg = GetInputAndOutput(info, &stored, &out);
  if (arg != ArgStatus::kOk) return StatusValue(env, arg);
  if (Overlaps(stored, out)) return StatusValue(env, ArgStatus::kOverlappingOutput);

  if (stored.size < kTrailerSize) return StatusValue(env, CodecStatus::kBadChecksum);
  size_t size = stored.size - kTrailerSize;
  uint8_t type = stored.data[size];
  if (Checksum32(stored.data, size + 1, kChecksumSeed) != GetFixed32(stored.data + size + 1)) {
    return StatusValue(env, CodecStatus::kBadChecksum);
  }
  uint8_t* base = const_cast<uint8_t*>(out.data);
  const uint8_t* contents = stored.data;
  uint64_t contents_size = size;
  uint64_t decoded_at = 4;
  uint32_t copied = 0;
  if (type == kSnappyCompression) {
    uint32_t length;
    size_t start;
    if (!SnappyReadHeader(stored.data, size, &length, &start)) {
      return StatusValue(env, CodecStatus::kBadCompressedBlock);
    }
    decoded_at = 4 + Align4(length);
    if (decoded_at + 20 > out.size) {
      uint64_t need = decoded_at + 20;
      return Napi::Number::New(env, static_cast<double>(need < kMinReadSize ? kMinReadSize : need));
    }
    if (!SnappyUncompress(stored.data, start, size, base + 4, length)) {
      return StatusValue(env, CodecStatus::kBadCompressedBlock);
    }
    contents = base + 4;
    contents_size = length;
    copied = length;
  } else if (type != kNoCompression) {
    return StatusValue(env, CodecStatus::kBadCompressedBlock);
  }

  BlockLayout layout;
  CodecStatus status = ValidateBlock(contents, static_cast<size_t>(contents_size), &layout);
  if (status != CodecStatus::kOk) return StatusValue(env, status);
  uint64_t total = decoded_at + DecodedBlockSize(layout);
  if (total > out.size) return Napi::Number::New(env, static_cast<double>(total));
  std::memcpy(base, &copied, sizeof copied);
  FillDecodedBlock(layout, base + decoded_at);
  return Napi::Number::New(env, static_cast<double>(total));
}

}  // namespace lsmkv
