// block-encode — see block-encode.h.

#include "block-encode.h"

#include <cstring>

#include "args.h"
#include "coding.h"

namespace lsmkv {

namespace {

// Length of the common prefix of a[0, a_len) and b[0, b_len).
inline uint32_t SharedPrefix(const uint8_t* a, uint32_t a_len, const uint8_t* b, uint32_t b_len) {
  uint32_t max = a_len < b_len ? a_len : b_len;
  uint32_t n = 0;
  while (n + 8 <= max) {
    uint64_t x, y;
    std::memcpy(&x, a + n, 8);
    std::memcpy(&y, b + n, 8);
    if (x != y) break;
    n += 8;
  }
  while (n < max && a[n] == b[n]) n++;
  return n;
}

// Shared prefix of entry i with entry i - 1, 0 at a restart point.
inline uint32_t SharedOf(const BlockEntries& e, uint32_t i) {
  if (i % e.restart_interval == 0) return 0;
  const uint32_t* ko = e.key_offsets.data;
  return SharedPrefix(e.keys.data + ko[i - 1], ko[i] - ko[i - 1], e.keys.data + ko[i], ko[i + 1] - ko[i]);
}

}  // namespace

ArgStatus ParseBlockEntries(const Napi::CallbackInfo& info, size_t first, BlockEntries* e) {
  ArgStatus s;
  if ((s = GetBytes(info[first], &e->keys)) != ArgStatus::kOk) return s;
  if ((s = GetOffsets(info[first + 1], &e->key_offsets)) != ArgStatus::kOk) return s;
  if ((s = GetBytes(info[first + 2], &e->values)) != ArgStatus::kOk) return s;
  if ((s = GetOffsets(info[first + 3], &e->value_offsets)) != ArgStatus::kOk) return s;
  if ((s = GetInteger(info[first + 4], 1, 4294967294.0, ArgStatus::kBadCount, &e->count)) != ArgStatus::kOk) return s;
  if ((s = GetInteger(info[first + 5], 1, 4294967295.0, ArgStatus::kBadRestartInterval, &e->restart_interval)) !=
      ArgStatus::kOk) {
    return s;
  }
  if ((s = CheckOffsets(e->key_offsets, e->count, e->keys)) != ArgStatus::kOk) return s;
  return CheckOffsets(e->value_offsets, e->count, e->values);
}

uint64_t EncodedBlockSize(const BlockEntries& e) {
  const uint32_t* ko = e.key_offsets.data;
  const uint32_t* vo = e.value_offsets.data;
  // Recomputing `shared` in the write pass is cheaper than keeping a per-call scratch array.
  uint64_t size = 0;
  uint64_t restarts = 0;
  for (uint32_t i = 0; i < e.count; i++) {
    uint32_t shared = SharedOf(e, i);
    if (i % e.restart_interval == 0) restarts++;
    uint32_t unshared = ko[i + 1] - ko[i] - shared;
    uint32_t value_len = vo[i + 1] - vo[i];
    size += VarintLength(shared) + VarintLength(unshared) + VarintLength(value_len) + unshared + value_len;
  }
  return size + 4 * restarts + 4;
}

void EncodeBlockInto(const BlockEntries& e, uint8_t* base, uint64_t size) {
  const uint32_t* ko = e.key_offsets.data;
  const uint32_t* vo = e.value_offsets.data;
  uint64_t restarts = (static_cast<uint64_t>(e.count) + e.restart_interval - 1) / e.restart_interval;
  uint8_t* p = base;
  uint8_t* restart = base + size - 4 - 4 * restarts;
  for (uint32_t i = 0; i < e.count; i++) {
    uint32_t shared = SharedOf(e, i);
    if (i % e.restart_interval == 0) {
      PutFixed32(restart, static_cast<uint32_t>(p - base));
      restart += 4;
    }
    uint32_t unshared = ko[i + 1] - ko[i] - shared;
    uint32_t value_len = vo[i + 1] - vo[i];
    p = PutVarint(p, shared);
    p = PutVarint(p, unshared);
    p = PutVarint(p, value_len);
    if (unshared > 0) std::memcpy(p, e.keys.data + ko[i] + shared, unshared);
    p += unshared;
    if (value_len > 0) std::memcpy(p, e.values.data + vo[i], value_len);
    p += value_len;
  }
  PutFixed32(restart, static_cast<uint32_t>(restarts));
}

Napi::Value EncodeBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 6) return StatusValue(env, ArgStatus::kWrongArgumentCount);
  BlockEntries e;
  ArgStatus status = ParseBlockEntries(info, 0, &e);
  if (status != ArgStatus::kOk) return StatusValue(env, status);
  uint64_t size = EncodedBlockSize(e);
  if (size > 0xffffffffu) return StatusValue(env, ArgStatus::kBlockTooLarge);
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(size));
  if (env.IsExceptionPending()) return env.Undefined();
  EncodeBlockInto(e, out.Data(), size);
  return out;
}

}  // namespace lsmkv
