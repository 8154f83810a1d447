// skiplist-stage — see skiplist-stage.h. The per-op body mirrors MemTable.stage/randomHeight/newNode.

#include "skiplist-stage.h"

#include <cstring>

#include "bloom.h"
#include "checksum.h"
#include "coding.h"
#include "memtable-filter.h"
#include "skiplist-link.h"
#include "skiplist-node.h"

namespace lsmkv {

namespace {

using skiplist::kChunk;
using skiplist::kKeyLen;
using skiplist::kMaxHeight;
using skiplist::kNext;
using skiplist::kOffset;
using skiplist::kPrev;
using skiplist::kTrailerSize;
using skiplist::kValLen;
using skiplist::kW0;

constexpr size_t kHeaderSize = 12;
// Filter bits trail the staging by this many ops: an op's filter block is prefetched when it is staged and written
// kFilterLag ops later, so the blocks' cache misses overlap (the filter, 2% of the write buffer, outgrows L2).
constexpr uint32_t kFilterLag = 16;
constexpr uint64_t kMaxSequence = (uint64_t{1} << 53) - 1;

Napi::Value Status(Napi::Env env, SkipListStatus s) { return SkipListStatusValue(env, s); }

uint64_t Fixed64(const uint8_t* p) { return GetFixed32(p) | (static_cast<uint64_t>(GetFixed32(p + 4)) << 32); }

// One op of a batch: its key and value inside the payload.
struct Op {
  uint8_t kind;
  const uint8_t* key;
  uint64_t key_len;
  const uint8_t* value;
  uint64_t value_len;
};

// Parses the op at p (the forEachBatchOp rules); the position after it, or nullptr if it is malformed.
const uint8_t* ParseOp(const uint8_t* p, const uint8_t* end, Op* op) {
  if (p >= end) return nullptr;
  op->kind = *p++;
  if (op->kind > 1) return nullptr;
  p = GetVarint(p, end, &op->key_len);
  if (p == nullptr || op->key_len > static_cast<uint64_t>(end - p)) return nullptr;
  op->key = p;
  p += op->key_len;
  op->value = p;
  op->value_len = 0;
  if (op->kind == 1) {
    p = GetVarint(p, end, &op->value_len);
    if (p == nullptr || op->value_len > static_cast<uint64_t>(end - p)) return nullptr;
    op->value = p;
    p += op->value_len;
  }
  return p;
}

// True if the payload is a well-formed batch: header, count ops, nothing after them, sequences below 2^53.
bool ValidBatch(const uint8_t* data, size_t size) {
  if (size < kHeaderSize) return false;
  const uint64_t first = Fixed64(data);
  const uint32_t count = GetFixed32(data + 8);
  if (first > kMaxSequence || (count > 0 && first > kMaxSequence - (count - 1))) return false;
  const uint8_t* p = data + kHeaderSize;
  const uint8_t* end = data + size;
  Op op;
  for (uint32_t i = 0; i < count; i++) {
    p = ParseOp(p, end, &op);
    if (p == nullptr) return false;
  }
  return p == end;
}

// Key word i of key[0, len): bytes [4i, 4i + 4) zero-padded, big-endian, top bit flipped (memtable.ts keyWord).
int32_t KeyWord(const uint8_t* key, uint64_t len, uint64_t at) {
  uint32_t w = 0;
  for (uint64_t j = at; j < at + 4; j++) w = (w << 8) | (j < len ? key[j] : 0);
  return static_cast<int32_t>(w ^ 0x80000000u);
}

}  // namespace

Napi::Value StageBatchJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5 && info.Length() != 6) return Status(env, SkipListStatus::kBadArguments);
  uint8_t* payload;
  size_t payload_size;
  int32_t* state;
  size_t state_size;
  int32_t* links;
  size_t links_size;
  int32_t* staged;
  size_t staged_size;
  uint8_t* chunk;
  size_t chunk_size;
  if (!GetSkipListArray(env, info[0], napi_uint8_array, &payload, &payload_size) ||
      !GetSkipListArray(env, info[1], napi_int32_array, &state, &state_size) || state_size < kStageSlots ||
      !GetSkipListArray(env, info[2], napi_int32_array, &links, &links_size) ||
      !GetSkipListArray(env, info[3], napi_int32_array, &staged, &staged_size) ||
      !GetSkipListArray(env, info[4], napi_uint8_array, &chunk, &chunk_size) || payload_size > 0x7fffffff ||
      chunk_size > 0x7fffffff) {
    return Status(env, SkipListStatus::kBadArguments);
  }
  // The memtable's whole-key filter (optional): every staged key sets its bits, as MemTable.newNode does.
  uint32_t* filter = nullptr;
  size_t filter_ints = 0;
  if (info.Length() == 6) {
    int32_t* words;
    if (!GetSkipListArray(env, info[5], napi_int32_array, &words, &filter_ints) || filter_ints == 0 ||
        filter_ints % kFilterBlockInts != 0) {
      return Status(env, SkipListStatus::kBadArguments);
    }
    filter = reinterpret_cast<uint32_t*>(words);
  }
  int64_t pos = state[kStagePos];
  const int32_t first_op = state[kStageOp];
  int64_t used = state[kStageLinksUsed];
  int32_t count = state[kStageCount];
  const int32_t chunk_index = state[kStageChunk];
  int64_t offset = state[kStageOffset];
  if (pos < static_cast<int64_t>(kHeaderSize) || static_cast<size_t>(pos) > payload_size || first_op < 0 ||
      used < kNext + kMaxHeight || static_cast<size_t>(used) > links_size || count < 0 ||
      static_cast<size_t>(count) > staged_size || offset < 0 || static_cast<size_t>(offset) > chunk_size) {
    return Status(env, SkipListStatus::kBadArguments);
  }
  if (first_op == 0 && !ValidBatch(payload, payload_size)) return Status(env, SkipListStatus::kBadBatch);
  if (payload_size < kHeaderSize) return Status(env, SkipListStatus::kBadBatch);
  const uint64_t first_seq = Fixed64(payload);
  const uint32_t ops = GetFixed32(payload + 8);
  uint32_t rng = static_cast<uint32_t>(state[kStageRng]);
  const uint8_t* end = payload + payload_size;
  int32_t result = 1;
  // Hashes of the staged ops whose filter bits are not set yet: ring[k % kFilterLag] for k in [set, staged_ops).
  uint32_t ring[kFilterLag];
  uint32_t set = 0;
  uint32_t staged_ops = 0;
  // Every return below sets the pending bits first: no key leaves this call staged but not in the filter.
  auto flush = [&]() {
    for (; set < staged_ops; set++) {
      const uint32_t h = ring[set % kFilterLag];
      MemTableFilterSet(MemTableFilterBlock(filter, filter_ints, h), h);
    }
  };
  uint32_t i = static_cast<uint32_t>(first_op);
  for (; i < ops; i++) {
    Op op;
    const uint8_t* next = ParseOp(payload + pos, end, &op);
    if (next == nullptr) {
      flush();
      return Status(env, SkipListStatus::kBadBatch);
    }
    const uint64_t size = op.key_len + kTrailerSize + op.value_len;
    // MemTable.randomHeight: xorshift32, one more level with probability 1/4.
    uint32_t s = rng;
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    int32_t h = 1;
    for (uint32_t t = s; h < kMaxHeight && (t & 3) == 0; t >>= 2) h++;
    if (size > chunk_size - static_cast<uint64_t>(offset) || static_cast<size_t>(count) >= staged_size ||
        static_cast<size_t>(used) + kNext + h > links_size || op.key_len > 0x7fffffff - kTrailerSize ||
        op.value_len > 0x7fffffff) {
      result = 0;  // the JavaScript stages this op (new chunk, or bigger arrays) and calls again
      break;
    }
    rng = s;
    uint8_t* dst = chunk + offset;
    std::memcpy(dst, op.key, op.key_len);
    const uint64_t trailer = ((first_seq + i) << 8) | op.kind;
    for (int b = 0; b < 8; b++) dst[op.key_len + b] = static_cast<uint8_t>(trailer >> (8 * b));
    if (op.value_len != 0) std::memcpy(dst + op.key_len + kTrailerSize, op.value, op.value_len);
    const int32_t p = static_cast<int32_t>(used);
    links[p + kChunk] = chunk_index;
    links[p + kOffset] = static_cast<int32_t>(offset);
    links[p + kKeyLen] = static_cast<int32_t>(op.key_len + kTrailerSize);
    links[p + kValLen] = static_cast<int32_t>(op.value_len);
    links[p + kPrev] = h;  // until linked, a staged node's prev slot holds its height
    for (int w = 0; w < 4; w++) links[p + kW0 + w] = KeyWord(op.key, op.key_len, 4 * w);
    if (filter != nullptr) {
      const uint32_t h = Checksum32(op.key, op.key_len, kBloomSeed);
      // Written inline: GCC may delete a call to a void helper that only prefetches (treated as pure).
      __builtin_prefetch(MemTableFilterBlock(filter, filter_ints, h), 1, 3);
      if (staged_ops - set == kFilterLag) {
        const uint32_t old = ring[set % kFilterLag];
        MemTableFilterSet(MemTableFilterBlock(filter, filter_ints, old), old);
        set++;
      }
      ring[staged_ops % kFilterLag] = h;
      staged_ops++;
    }
    staged[count++] = p;
    used += kNext + h;
    offset += static_cast<int64_t>(size);
    pos = next - payload;
  }
  flush();
  state[kStagePos] = static_cast<int32_t>(pos);
  state[kStageOp] = static_cast<int32_t>(i);
  state[kStageRng] = static_cast<int32_t>(rng);
  state[kStageLinksUsed] = static_cast<int32_t>(used);
  state[kStageCount] = count;
  state[kStageOffset] = static_cast<int32_t>(offset);
  return Napi::Number::New(env, result);
}

}  // namespace lsmkv
