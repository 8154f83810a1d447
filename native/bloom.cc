// bloom — see bloom.h.

#include "bloom.h"

#include <cmath>
#include <cstring>

#include "args.h"
#include "checksum.h"

namespace lsmkv {

namespace {

// The largest filter accepted, in bytes, so that m (in bits) fits 32 bits: 512 MiB, ~400M keys at 10 bits/key.
constexpr double kMaxFilterBytes = 536870911.0;

// Math.round for a finite non-negative double (round half up), computed exactly.
inline double RoundHalfUp(double x) {
  double r = std::floor(x);
  return x - r >= 0.5 ? r + 1 : r;
}

inline uint32_t Probes(double bits_per_key) {
  double k = RoundHalfUp(bits_per_key * 0.69);
  if (k < 1) return 1;
  if (k > 30) return 30;
  return static_cast<uint32_t>(k);
}

inline uint32_t Rotr32(uint32_t x, int r) { return (x >> r) | (x << (32 - r)); }

}  // namespace

Napi::Value BloomBuild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4) return StatusValue(env, ArgStatus::kWrongArgumentCount);
  ByteSpan keys;
  OffsetSpan offsets;
  uint32_t count;
  double bits_per_key;
  ArgStatus s;
  if ((s = GetBytes(info[0], &keys)) != ArgStatus::kOk) return StatusValue(env, s);
  if ((s = GetOffsets(info[1], &offsets)) != ArgStatus::kOk) return StatusValue(env, s);
  if ((s = GetInteger(info[2], 0, 4294967294.0, ArgStatus::kBadCount, &count)) != ArgStatus::kOk) {
    return StatusValue(env, s);
  }
  if ((s = GetNumber(info[3], 0, 1e6, ArgStatus::kBadBitsPerKey, &bits_per_key)) != ArgStatus::kOk) {
    return StatusValue(env, s);
  }
  if ((s = CheckOffsets(offsets, count, keys)) != ArgStatus::kOk) return StatusValue(env, s);

  double wanted = static_cast<double>(count) * bits_per_key;
  double filter_bytes = std::ceil((wanted > 64 ? wanted : 64) / 8);
  if (filter_bytes > kMaxFilterBytes) return StatusValue(env, ArgStatus::kBlockTooLarge);
  uint32_t bytes = static_cast<uint32_t>(filter_bytes);
  uint32_t bits = bytes * 8;
  uint32_t k = Probes(bits_per_key);

  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(bytes) + 1);
  if (env.IsExceptionPending()) return env.Undefined();
  uint8_t* filter = out.Data();
  std::memset(filter, 0, bytes);
  filter[bytes] = static_cast<uint8_t>(k);
  for (uint32_t i = 0; i < count; i++) {
    uint32_t h = Checksum32(keys.data + offsets.data[i], offsets.data[i + 1] - offsets.data[i], kBloomSeed);
    uint32_t delta = Rotr32(h, 17);
    for (uint32_t j = 0; j < k; j++) {
      uint32_t b = h % bits;
      filter[b >> 3] |= static_cast<uint8_t>(1u << (b & 7));
      h += delta;
    }
  }
  return out;
}

}  // namespace lsmkv
