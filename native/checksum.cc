// checksum — the JS entry point for XXH32; see checksum.h.

#include "checksum.h"

#include "args.h"

namespace lsmkv {

Napi::Value Xxh32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2) return StatusValue(env, ArgStatus::kWrongArgumentCount);
  ByteSpan data;
  ArgStatus status = GetBytes(info[0], &data);
  if (status != ArgStatus::kOk) return StatusValue(env, status);
  uint32_t seed;
  status = GetInteger(info[1], 0, 4294967295.0, ArgStatus::kNotInteger, &seed);
  if (status != ArgStatus::kOk) return StatusValue(env, status);
  return Napi::Number::New(env, static_cast<double>(Checksum32(data.data, data.size, seed)));
}

}  // namespace lsmkv
