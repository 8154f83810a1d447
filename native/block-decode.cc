// block-decode — see block-decode.h.

#include "block-decode.h"

#include <cstring>

#include "args.h"
#include "coding.h"

namespace lsmkv {

namespace {

constexpr uint64_t kMaxKeyBytes = 0xffffffffu;

// The output arrays are read through JS Uint32Arrays, so they are written in the machine's byte order.
inline void PutNative32(uint8_t* dst, uint32_t v) { std::memcpy(dst, &v, sizeof v); }

struct EntryHeader {
  uint64_t shared;
  uint64_t unshared;
  uint64_t value_len;
};

// Reads the three varints of the entry at p; returns the offset after them, or nullptr past entries_end.
inline const uint8_t* ReadHeader(const uint8_t* p, const uint8_t* limit, EntryHeader* h) {
  p = GetVarint(p, limit, &h->shared);
  if (p == nullptr) return nullptr;
  p = GetVarint(p, limit, &h->unshared);
  if (p == nullptr) return nullptr;
  return GetVarint(p, limit, &h->value_len);
}

CodecStatus CheckRestartArray(const ByteSpan& block, BlockLayout* l) {
  if (block.size < 4) return CodecStatus::kBadRestartArray;
  if (block.size > 0xffffffffu) return CodecStatus::kBadRestartArray;
  uint32_t len = static_cast<uint32_t>(block.size);
  uint32_t r = GetFixed32(block.data + len - 4);
  if (r == 0 || r > (len - 4) / 4) return CodecStatus::kBadRestartArray;
  uint32_t restarts_start = len - 4 - 4 * r;
  if (restarts_start == 0) return CodecStatus::kBadRestartArray;
  l->data = block.data;
  l->entries_end = restarts_start;
  l->num_restarts = r;
  return CodecStatus::kOk;
}

// Pass 1: validates every entry and restart point in the order documented in ts-codec.ts.
CodecStatus Validate(BlockLayout* l) {
  const uint8_t* data = l->data;
  const uint8_t* limit = data + l->entries_end;
  const uint8_t* restarts = limit;
  uint32_t ri = 0;
  uint32_t next_restart = GetFixed32(restarts);
  uint64_t prev_key_len = 0;
  uint64_t key_bytes = 0;
  uint32_t count = 0;
  uint64_t p = 0;
  while (p < l->entries_end) {
    EntryHeader h = {0, 0, 0};
    const uint8_t* q = ReadHeader(data + p, limit, &h);
    if (q == nullptr) return CodecStatus::kBadEntryHeader;
    if (ri < l->num_restarts && next_restart < p) return CodecStatus::kBadRestartPoint;
    if (ri < l->num_restarts && next_restart == p) {
      if (h.shared != 0) return CodecStatus::kBadRestartPoint;
      ri++;
      if (ri < l->num_restarts) next_restart = GetFixed32(restarts + 4 * static_cast<uint64_t>(ri));
    } else if (p == 0) {
      return CodecStatus::kBadRestartPoint;
    }
    if (h.shared > prev_key_len) return CodecStatus::kBadSharedPrefix;
    // Varints are at most 8 bytes (< 2^56), so these sums cannot overflow 64 bits.
    uint64_t next = static_cast<uint64_t>(q - data) + h.unshared + h.value_len;
    uint64_t key_len = h.shared + h.unshared;
    if (next > l->entries_end || key_bytes + key_len > kMaxKeyBytes) return CodecStatus::kBadEntryBounds;
    key_bytes += key_len;
    prev_key_len = key_len;
    count++;
    p = next;
  }
  if (ri < l->num_restarts) return CodecStatus::kBadRestartPoint;
  l->count = count;
  l->key_bytes = key_bytes;
  return CodecStatus::kOk;
}

}  // namespace

CodecStatus ValidateBlock(const uint8_t* data, size_t size, BlockLayout* l) {
  CodecStatus status = CheckRestartArray(ByteSpan{data, size}, l);
  return status == CodecStatus::kOk ? Validate(l) : status;
}

uint64_t DecodedBlockSize(const BlockLayout& l) {
  return 4 + 4 * (static_cast<uint64_t>(l.count) + 1) + 8 * static_cast<uint64_t>(l.count) + l.key_bytes;
}

// Pass 2: the block is known to be well formed; fills the output without checks.
void FillDecodedBlock(const BlockLayout& l, uint8_t* out) {
  uint32_t count = l.count;
  uint8_t* key_offsets = out + 4;
  uint8_t* value_offsets = key_offsets + 4 * (static_cast<uint64_t>(count) + 1);
  uint8_t* keys = value_offsets + 8 * static_cast<uint64_t>(count);
  PutNative32(out, count);
  PutNative32(key_offsets, 0);
  const uint8_t* data = l.data;
  const uint8_t* limit = data + l.entries_end;
  const uint8_t* p = data;
  uint32_t k = 0;
  uint32_t prev_start = 0;
  for (uint32_t i = 0; i < count; i++) {
    EntryHeader h = {0, 0, 0};
    p = ReadHeader(p, limit, &h);
    uint32_t shared = static_cast<uint32_t>(h.shared);
    uint32_t unshared = static_cast<uint32_t>(h.unshared);
    uint32_t value_len = static_cast<uint32_t>(h.value_len);
    // The previous key ends where this one starts, so the prefix copy never overlaps.
    if (shared > 0) std::memcpy(keys + k, keys + prev_start, shared);
    if (unshared > 0) std::memcpy(keys + k + shared, p, unshared);
    prev_start = k;
    k += shared + unshared;
    PutNative32(key_offsets + 4 * (static_cast<uint64_t>(i) + 1), k);
    p += unshared;
    uint32_t value_start = static_cast<uint32_t>(p - data);
    PutNative32(value_offsets + 8 * static_cast<uint64_t>(i), value_start);
    PutNative32(value_offsets + 8 * static_cast<uint64_t>(i) + 4, value_start + value_len);
    p += value_len;
  }
}

Napi::Value DecodeBlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ByteSpan block;
  ByteSpan out;
  ArgStatus arg = GetInputAndOutput(info, &block, &out);
  if (arg != ArgStatus::kOk) return StatusValue(env, arg);

  BlockLayout layout;
  CodecStatus status = ValidateBlock(block.data, block.size, &layout);
  if (status != CodecStatus::kOk) return StatusValue(env, status);

  uint64_t size = DecodedBlockSize(layout);
  // Too small: report the size needed (> out.size) and write nothing; the caller retries with a larger buffer.
  if (size > out.size) return Napi::Number::New(env, static_cast<double>(size));
  // The output must not overlap the input: pass 2 reads the block while writing.
  if (out.data < block.data + block.size && block.data < out.data + size) {
    return StatusValue(env, ArgStatus::kOverlappingOutput);
  }
  FillDecodedBlock(layout, const_cast<uint8_t*>(out.data));
  return Napi::Number::New(env, static_cast<double>(size));
}

}  // namespace lsmkv
