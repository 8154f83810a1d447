// snappy-binding — see snappy-binding.h.

#include "snappy-binding.h"

#include "args.h"
#include "snappy.h"

namespace lsmkv {

Napi::Value SnappyCompressJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteSpan data;
  ByteSpan out;
  ArgStatus arg = GetInputAndOutput(info, &data, &out);
  if (arg != ArgStatus::kOk) return StatusValue(env, arg);
  if (data.size > 0xffffffffu) return StatusValue(env, ArgStatus::kBlockTooLarge);
  uint64_t bound = SnappyMaxCompressedLength(data.size);
  if (bound > out.size) return Napi::Number::New(env, static_cast<double>(bound));
  if (Overlaps(data, out)) return StatusValue(env, ArgStatus::kOverlappingOutput);
  uint16_t table[kSnappyTableEntries];
  size_t n = SnappyCompress(data.data, data.size, const_cast<uint8_t*>(out.data), table);
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value SnappyUncompressJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteSpan data;
  ByteSpan out;
  ArgStatus arg = GetInputAndOutput(info, &data, &out);
  if (arg != ArgStatus::kOk) return StatusValue(env, arg);
  if (Overlaps(data, out)) return StatusValue(env, ArgStatus::kOverlappingOutput);
  uint32_t length;
  size_t start;
  if (!SnappyReadHeader(data.data, data.size, &length, &start) || length != out.size ||
      !SnappyUncompress(data.data, start, data.size, const_cast<uint8_t*>(out.data), length)) {
    return StatusValue(env, CodecStatus::kBadCompressedBlock);
  }
  return Napi::Number::New(env, 0);
}

}  // namespace lsmkv
