// scan-merge — see scan-merge.h. The loop mirrors DbIterator.packForward/classify and packReverse/visitBack in
// src/db/db-iterator.ts.

#include "scan-merge.h"

#include <cstring>
#include <vector>

#include "skiplist-link.h"
#include "skiplist-node.h"

namespace lsmkv {

namespace {

using skiplist::kChunk;
using skiplist::kKeyLen;
using skiplist::kOffset;
using skiplist::kNext;
using skiplist::kValLen;
using skiplist::kTrailerSize;

// Control array slots. DO NOT CHANGE without Ctl in src/db/native-scan.ts.
constexpr size_t kSources = 0;
constexpr size_t kFlags = 1;
constexpr size_t kSkipLen = 2;
constexpr size_t kUsed = 3;
constexpr size_t kCount = 4;
constexpr size_t kMax = 5;
constexpr size_t kStopSource = 6;
constexpr size_t kCandKeyLen = 7;
constexpr size_t kCandValueLen = 8;
constexpr size_t kCandKind = 9;
constexpr size_t kHeader = 12;
constexpr size_t kPerSource = 4;  // type, position (index or node), block count, unused
constexpr int32_t kMaxSources = 64;

constexpr int32_t kFlagHasSkip = 1;
constexpr int32_t kFlagKeys = 2;
constexpr int32_t kFlagValues = 4;
constexpr int32_t kFlagLowerInclusive = 8;
constexpr int32_t kFlagUpperInclusive = 16;
constexpr int32_t kFlagHasLower = 32;
constexpr int32_t kFlagHasUpper = 64;
constexpr int32_t kFlagReverse = 128;
constexpr int32_t kFlagHasCand = 256;

constexpr int32_t kTable = 0;
constexpr int32_t kMemTable = 1;
constexpr int32_t kExhausted = 2;

constexpr uint8_t kDeletion = 0;

Napi::Value Stop(Napi::Env env, ScanStop s) { return Napi::Number::New(env, static_cast<int32_t>(s)); }

int CompareBytes(const uint8_t* a, size_t an, const uint8_t* b, size_t bn) {
  const size_t n = an < bn ? an : bn;
  const int c = n == 0 ? 0 : std::memcmp(a, b, n);
  if (c != 0) return c;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

class MemTableView;

// One merged source and its current entry. Trivial on purpose: a step value-initializes (zeroes) only the sources
// it has (default member initializers made it zero all 64 slots, ~7.7 KB, on every call).
struct Source {
  int32_t type;
  // Table block.
  const uint8_t* keys;
  size_t keys_size;
  const uint32_t* key_offsets;
  size_t key_offsets_size;
  const uint8_t* data;
  size_t data_size;
  const uint32_t* value_offsets;
  size_t value_offsets_size;
  int64_t index;
  int64_t count;
  // Memtable.
  MemTableView* mem;
  int32_t node;
  // Current entry: user key, trailer, value.
  const uint8_t* key;
  size_t key_len;
  uint64_t trailer;
  const uint8_t* value;
  size_t value_len;
};

// Loads the table source's entry at `index`; false if its offsets are out of range.
bool LoadTableEntry(Source* s) {
  const size_t i = static_cast<size_t>(s->index);
  if (i + 1 >= s->key_offsets_size || 2 * i + 1 >= s->value_offsets_size) return false;
  const uint32_t ks = s->key_offsets[i];
  const uint32_t ke = s->key_offsets[i + 1];
  const uint32_t vs = s->value_offsets[2 * i];
  const uint32_t ve = s->value_offsets[2 * i + 1];
  if (ks > ke || ke > s->keys_size || ke - ks < static_cast<uint32_t>(kTrailerSize) || vs > ve || ve > s->data_size) {
    return false;
  }
  s->key = s->keys + ks;
  s->key_len = ke - ks - kTrailerSize;
  s->trailer = skiplist::ReadTrailer(s->key + s->key_len);
  s->value = s->data + vs;
  s->value_len = ve - vs;
  return true;
}

// Pointers to a memtable's arena chunks, each resolved on first use (a step touches few). Kept for one call, or
// across calls in a ScanCache: then it remembers the chunks array it came from (a step with another array starts
// over) and holds a reference to every chunk it resolved, so a cached pointer stays valid whatever JavaScript does
// with the array (an arena only appends chunks; SharedArrayBuffers never shrink or detach).
struct ChunkTable {
  napi_ref array = nullptr;          // cached: the chunks array
  std::vector<const uint8_t*> ptr;
  std::vector<size_t> len;
  std::vector<napi_ref> refs;        // cached: one per resolved chunk

  void Release(napi_env env) {
    for (napi_ref r : refs) {
      if (r != nullptr) napi_delete_reference(env, r);
    }
    if (array != nullptr) napi_delete_reference(env, array);
    array = nullptr;
    ptr.clear();
    len.clear();
    refs.clear();
  }
};

// What a scan keeps across its steps: each memtable source's resolved chunks (by source index). Wrapped in the
// JavaScript object the caller passes (the 11th argument; one per iterator), freed with it.
// Resolving the ~8 chunks a step touches cost ~100 ns each per call (napi_get_element + typed-array info).
struct ScanCache {
  ChunkTable tables[kMaxSources];
};

// Tags the objects this file wraps, so an object wrapped by anything else is refused (napi_wrap's slot is shared).
constexpr napi_type_tag kScanCacheTag = {0x6c736d6b76736361ULL, 0x6e63616368653031ULL};

void FinalizeScanCache(napi_env env, void* data, void* /*hint*/) {
  ScanCache* cache = static_cast<ScanCache*>(data);
  for (ChunkTable& t : cache->tables) t.Release(env);
  delete cache;
}

// The ScanCache wrapped in `obj`, wrapping a new one on first use; nullptr if obj is not an object of ours.
ScanCache* GetScanCache(napi_env env, napi_value obj) {
  napi_valuetype type;
  if (napi_typeof(env, obj, &type) != napi_ok || type != napi_object) return nullptr;
  bool tagged = false;
  if (napi_check_object_type_tag(env, obj, &kScanCacheTag, &tagged) != napi_ok) return nullptr;
  if (tagged) {
    void* data = nullptr;
    if (napi_unwrap(env, obj, &data) != napi_ok) return nullptr;
    return static_cast<ScanCache*>(data);
  }
  ScanCache* cache = new ScanCache();
  if (napi_wrap(env, obj, cache, FinalizeScanCache, nullptr, nullptr) != napi_ok) {
    delete cache;
    return nullptr;
  }
  if (napi_type_tag_object(env, obj, &kScanCacheTag) != napi_ok) return nullptr;  // freed with obj
  return cache;
}

// Points `table` at memtable chunks array `chunks` (chunk_count long) for this call; false if napi fails.
bool PrepareChunkTable(napi_env env, napi_value chunks, uint32_t chunk_count, bool cached, ChunkTable* table) {
  if (!cached) {
    table->ptr.assign(chunk_count, nullptr);
    table->len.assign(chunk_count, 0);
    return true;
  }
  bool same = false;
  if (table->array != nullptr) {
    napi_value old = nullptr;
    if (napi_get_reference_value(env, table->array, &old) != napi_ok) return false;
    if (old != nullptr && napi_strict_equals(env, old, chunks, &same) != napi_ok) return false;
  }
  if (!same || chunk_count < table->ptr.size()) {
    table->Release(env);
    if (napi_create_reference(env, chunks, 1, &table->array) != napi_ok) return false;
  }
  table->ptr.resize(chunk_count, nullptr);
  table->len.resize(chunk_count, 0);
  table->refs.resize(chunk_count, nullptr);
  return true;
}

// A memtable's link array and arena chunks (through a ChunkTable).
class MemTableView {
 public:
  MemTableView(napi_env env, const int32_t* links, size_t length, napi_value chunks, ChunkTable* table, bool cached,
               bool reverse)
      : env_(env),
        links_(links),
        length_(length),
        chunks_(chunks),
        table_(table),
        cached_(cached),
        step_(reverse ? skiplist::kPrev : kNext) {}

  const int32_t* links() const { return links_; }

  // Resolves node p's entry into s; false if the node, its chunk or its bytes are out of range.
  bool Load(int32_t p, Source* s);

 private:
  // True if chunk ci exists; resolves its pointer on first use (for a prefetch or a load).
  bool Chunk(int32_t ci);

  // True if node q's fixed fields lie inside the link array.
  bool InRange(int32_t q) const { return q > 0 && static_cast<size_t>(q) + kNext < length_; }

  napi_env env_;
  const int32_t* links_;
  size_t length_;
  napi_value chunks_;
  ChunkTable* table_;
  bool cached_;
  int32_t step_;  // kNext forward, kPrev in reverse
  bool first_ = true;  // no Load yet in this call
};

bool MemTableView::Chunk(int32_t ci) {
  std::vector<const uint8_t*>& ptr = table_->ptr;
  if (ci < 0 || static_cast<size_t>(ci) >= ptr.size()) return false;
  if (ptr[ci] != nullptr) return true;
  napi_value v;
  napi_typedarray_type type;
  size_t len = 0;
  void* data = nullptr;
  if (napi_get_element(env_, chunks_, static_cast<uint32_t>(ci), &v) != napi_ok ||
      napi_get_typedarray_info(env_, v, &type, &len, &data, nullptr, nullptr) != napi_ok ||
      type != napi_uint8_array || data == nullptr) {
    return false;
  }
  if (cached_ && napi_create_reference(env_, v, 1, &table_->refs[ci]) != napi_ok) return false;
  ptr[ci] = static_cast<const uint8_t*>(data);
  table_->len[ci] = len;
  return true;
}

bool MemTableView::Load(int32_t p, Source* s) {
  if (!InRange(p)) return false;
  // A memtable's nodes sit in insertion order, so the scan's next node, and its entry in the arena, are cache
  // misses at random addresses. Overlap them with the work between steps: at node p, ask for the node line of
  // n3, three steps ahead, and for the arena bytes (first and last line) of n2, two steps ahead, whose node line
  // the step before asked for; the first load of a call also asks for n1's bytes (nobody did). The node chain
  // itself stays one step ahead (each next link is read from the line asked for one step before).
  // Written inline on purpose: GCC treats a void function that only reads and prefetches as pure and deletes
  // the call (a helper here compiled to nothing; check with objdump -d for prefetcht0 after changing this).
  const int32_t n1 = links_[p + step_];
  if (InRange(n1)) {
    if (first_) {
      first_ = false;
      const int32_t ci = links_[n1 + kChunk];
      const int32_t off = links_[n1 + kOffset];
      if (Chunk(ci) && off >= 0 && static_cast<size_t>(off) < table_->len[ci]) __builtin_prefetch(table_->ptr[ci] + off);
    }
    const int32_t n2 = links_[n1 + step_];
    if (InRange(n2)) {
      const int32_t n3 = links_[n2 + step_];
      if (InRange(n3)) {
        __builtin_prefetch(links_ + n3);
        __builtin_prefetch(links_ + n3 + step_);
      }
      const int32_t ci = links_[n2 + kChunk];
      const int32_t off = links_[n2 + kOffset];
      const int64_t len = static_cast<int64_t>(links_[n2 + kKeyLen]) + links_[n2 + kValLen];
      if (Chunk(ci) && off >= 0 && len > 0 && static_cast<size_t>(off) + static_cast<size_t>(len) <= table_->len[ci]) {
        __builtin_prefetch(table_->ptr[ci] + off);
        __builtin_prefetch(table_->ptr[ci] + off + len - 1);
      }
    }
  }
  const int32_t ci = links_[p + kChunk];
  const int32_t off = links_[p + kOffset];
  const int32_t klen = links_[p + kKeyLen];
  const int32_t vlen = links_[p + kValLen];
  if (off < 0 || klen < kTrailerSize || vlen < 0 || !Chunk(ci)) return false;
  if (static_cast<size_t>(off) + static_cast<size_t>(klen) + static_cast<size_t>(vlen) > table_->len[ci]) return false;
  s->key = table_->ptr[ci] + off;
  s->key_len = static_cast<size_t>(klen - kTrailerSize);
  s->trailer = skiplist::ReadTrailer(s->key + s->key_len);
  s->value = s->key + klen;
  s->value_len = static_cast<size_t>(vlen);
  return true;
}

// Loads the memtable source's entry at `node` (0: exhausted); false if the node or its entry is out of range.
bool LoadNodeEntry(Source* s) {
  if (s->node == 0) {
    s->type = kExhausted;
    return true;
  }
  return s->mem->Load(s->node, s);
}

// Sign of a's internal key minus b's: user key ascending, then trailer descending.
inline int CompareInternal(const Source& a, const Source& b) {
  int c = CompareBytes(a.key, a.key_len, b.key, b.key_len);
  if (c != 0) return c;
  return a.trailer > b.trailer ? -1 : a.trailer < b.trailer ? 1 : 0;
}

bool GetU8(napi_env env, napi_value v, const uint8_t** data, size_t* size) {
  uint8_t* d = nullptr;
  if (!GetSkipListArray(env, v, napi_uint8_array, &d, size)) return false;
  *data = d;
  return true;
}

bool GetU32(napi_env env, napi_value v, const uint32_t** data, size_t* size) {
  uint32_t* d = nullptr;
  if (!GetSkipListArray(env, v, napi_uint32_array, &d, size)) return false;
  *data = d;
  return true;
}

}  // namespace

Napi::Value ScanMergeJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  napi_env e = env;
  if ((info.Length() != 10 && info.Length() != 11) || !info[0].IsArray()) return Stop(env, ScanStop::kBadArguments);
  ScanCache* cache = nullptr;
  if (info.Length() == 11 && !info[10].IsUndefined()) {
    cache = GetScanCache(e, info[10]);
    if (cache == nullptr) return Stop(env, ScanStop::kBadArguments);
  }
  int32_t* ctl;
  size_t ctl_size;
  uint8_t* skip;
  size_t skip_size;
  const uint8_t* lower;
  size_t lower_size;
  const uint8_t* upper;
  size_t upper_size;
  uint8_t* stage;
  size_t stage_size;
  int32_t* ends;
  size_t ends_size;
  uint8_t* cand_key;
  size_t cand_key_size;
  uint8_t* cand_value;
  size_t cand_value_size;
  double seq_d;
  if (!GetSkipListArray(e, info[1], napi_int32_array, &ctl, &ctl_size) || ctl_size < kHeader ||
      napi_get_value_double(e, info[2], &seq_d) != napi_ok || !(seq_d >= 0 && seq_d <= 9007199254740991.0) ||
      !GetSkipListArray(e, info[3], napi_uint8_array, &skip, &skip_size) || !GetU8(e, info[4], &lower, &lower_size) ||
      !GetU8(e, info[5], &upper, &upper_size) || !GetSkipListArray(e, info[6], napi_uint8_array, &stage, &stage_size) ||
      !GetSkipListArray(e, info[7], napi_int32_array, &ends, &ends_size) || stage_size > 0x7fffffff ||
      !GetSkipListArray(e, info[8], napi_uint8_array, &cand_key, &cand_key_size) ||
      !GetSkipListArray(e, info[9], napi_uint8_array, &cand_value, &cand_value_size)) {
    return Stop(env, ScanStop::kBadArguments);
  }
  const int32_t n = ctl[kSources];
  const int32_t flags = ctl[kFlags];
  int64_t skip_len = ctl[kSkipLen];
  int64_t used = ctl[kUsed];
  int64_t count = ctl[kCount];
  const int64_t max = ctl[kMax];
  int64_t cand_key_len = ctl[kCandKeyLen];
  int64_t cand_value_len = ctl[kCandValueLen];
  int32_t cand_kind = ctl[kCandKind];
  if (cand_key_len < 0 || static_cast<size_t>(cand_key_len) > cand_key_size || cand_value_len < 0 ||
      static_cast<size_t>(cand_value_len) > cand_value_size) {
    return Stop(env, ScanStop::kBadArguments);
  }
  if (n < 0 || n > kMaxSources || ctl_size < kHeader + kPerSource * static_cast<size_t>(n) || skip_len < 0 ||
      static_cast<size_t>(skip_len) > skip_size || used < 0 || static_cast<size_t>(used) > stage_size || count < 0 ||
      max < count || static_cast<size_t>(2 * max) > ends_size) {
    return Stop(env, ScanStop::kBadArguments);
  }
  const uint64_t seq = static_cast<uint64_t>(seq_d);
  bool has_skip = (flags & kFlagHasSkip) != 0;
  const bool want_keys = (flags & kFlagKeys) != 0;
  const bool want_values = (flags & kFlagValues) != 0;
  const bool has_lower = (flags & kFlagHasLower) != 0;
  const bool has_upper = (flags & kFlagHasUpper) != 0;
  const bool lower_inclusive = (flags & kFlagLowerInclusive) != 0;
  const bool upper_inclusive = (flags & kFlagUpperInclusive) != 0;
  const bool reverse = (flags & kFlagReverse) != 0;
  bool has_cand = (flags & kFlagHasCand) != 0;

  napi_value srcs = info[0];
  uint32_t srcs_len = 0;
  if (napi_get_array_length(e, srcs, &srcs_len) != napi_ok || srcs_len < kPerSource * static_cast<uint32_t>(n)) {
    return Stop(env, ScanStop::kBadArguments);
  }
  Source sources[kMaxSources];
  std::vector<MemTableView> memtables;
  memtables.reserve(static_cast<size_t>(n));
  std::vector<ChunkTable> call_tables;  // without a cache: this call's chunk tables
  if (cache == nullptr) call_tables.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; i++) {
    Source& s = sources[i];
    s = Source{};
    int32_t* slot = ctl + kHeader + kPerSource * static_cast<size_t>(i);
    s.type = slot[0];
    napi_value v[4];
    if (s.type == kExhausted) continue;
    for (uint32_t j = 0; j < 2; j++) {
      if (napi_get_element(e, srcs, kPerSource * static_cast<uint32_t>(i) + j, &v[j]) != napi_ok) {
        return Stop(env, ScanStop::kBadArguments);
      }
    }
    if (s.type == kTable) {
      for (uint32_t j = 2; j < 4; j++) {
        if (napi_get_element(e, srcs, kPerSource * static_cast<uint32_t>(i) + j, &v[j]) != napi_ok) {
          return Stop(env, ScanStop::kBadArguments);
        }
      }
      if (!GetU8(e, v[0], &s.keys, &s.keys_size) || !GetU32(e, v[1], &s.key_offsets, &s.key_offsets_size) ||
          !GetU8(e, v[2], &s.data, &s.data_size) || !GetU32(e, v[3], &s.value_offsets, &s.value_offsets_size)) {
        return Stop(env, ScanStop::kBadArguments);
      }
      s.index = slot[1];
      s.count = slot[2];
      if (s.count < 0 || s.index < 0 || s.index >= s.count || static_cast<size_t>(s.count) >= s.key_offsets_size ||
          static_cast<size_t>(2 * s.count) > s.value_offsets_size) {
        return Stop(env, ScanStop::kBadArguments);
      }
      if (!LoadTableEntry(&s)) return Stop(env, ScanStop::kBadBlock);
    } else if (s.type == kMemTable) {
      int32_t* links;
      size_t links_size;
      uint32_t chunk_count = 0;
      bool is_array = false;
      if (!GetSkipListArray(e, v[0], napi_int32_array, &links, &links_size) ||
          napi_is_array(e, v[1], &is_array) != napi_ok || !is_array ||
          napi_get_array_length(e, v[1], &chunk_count) != napi_ok) {
        return Stop(env, ScanStop::kBadArguments);
      }
      ChunkTable* table = cache != nullptr ? &cache->tables[i] : &call_tables.emplace_back();
      if (!PrepareChunkTable(e, v[1], chunk_count, cache != nullptr, table)) return Stop(env, ScanStop::kBadArguments);
      memtables.emplace_back(e, links, links_size, v[1], table, cache != nullptr, reverse);
      s.mem = &memtables.back();
      s.node = slot[1];
      if (!LoadNodeEntry(&s)) return Stop(env, ScanStop::kBadNode);
    } else {
      return Stop(env, ScanStop::kBadArguments);
    }
  }

  ScanStop stop = ScanStop::kEnd;
  int32_t stop_source = -1;
  // Appends (key, value) to the batch; false (nothing written) if it does not fit the staging area.
  auto emit = [&](const uint8_t* key, size_t key_len, const uint8_t* value, size_t value_len) {
    const size_t kl = want_keys ? key_len : 0;
    const size_t vl = want_values ? value_len : 0;
    if (static_cast<size_t>(used) + kl + vl > stage_size) return false;
    if (kl != 0) std::memcpy(stage + used, key, kl);
    used += static_cast<int64_t>(kl);
    ends[2 * count] = static_cast<int32_t>(used);
    if (vl != 0) std::memcpy(stage + used, value, vl);
    used += static_cast<int64_t>(vl);
    ends[2 * count + 1] = static_cast<int32_t>(used);
    count++;
    return true;
  };
  auto below_lower = [&](const Source& x) {
    if (!has_lower) return false;
    const int c = CompareBytes(x.key, x.key_len, lower, lower_size);
    return lower_inclusive ? c < 0 : c <= 0;
  };
  auto above_upper = [&](const Source& x) {
    if (!has_upper) return false;
    const int c = CompareBytes(x.key, x.key_len, upper, upper_size);
    return upper_inclusive ? c > 0 : c >= 0;
  };
  for (;;) {
    if (count >= max) {
      stop = ScanStop::kBatchFull;
      break;
    }
    int32_t m = -1;
    if (!reverse) {
      for (int32_t i = 0; i < n; i++) {
        if (sources[i].type == kExhausted) continue;
        if (m < 0 || CompareInternal(sources[i], sources[m]) < 0) m = i;
      }
    } else {
      for (int32_t i = 0; i < n; i++) {
        if (sources[i].type == kExhausted) continue;
        if (m < 0 || CompareInternal(sources[i], sources[m]) > 0) m = i;
      }
    }
    if (m < 0) {
      // The end: in reverse the candidate is the newest visible version of the smallest key.
      if (reverse && has_cand) {
        if (cand_kind != kDeletion && !emit(cand_key, static_cast<size_t>(cand_key_len), cand_value,
                                            static_cast<size_t>(cand_value_len))) {
          stop = ScanStop::kStageFull;
          break;
        }
        has_cand = false;
      }
      break;
    }
    Source& s = sources[m];
    const uint8_t kind = static_cast<uint8_t>(s.trailer & 0xff);
    if (!reverse) {
      if ((s.trailer >> 8) <= seq &&
          !(has_skip && CompareBytes(s.key, s.key_len, skip, static_cast<size_t>(skip_len)) == 0)) {
        if (s.key_len > skip_size) {
          stop = ScanStop::kSkipFull;
          break;
        }
        if (kind != kDeletion && !below_lower(s)) {
          if (above_upper(s)) {
            stop = ScanStop::kBound;
            break;
          }
          if (!emit(s.key, s.key_len, s.value, s.value_len)) {
            stop = ScanStop::kStageFull;
            break;
          }
        }
        if (s.key_len != 0) std::memcpy(skip, s.key, s.key_len);
        skip_len = static_cast<int64_t>(s.key_len);
        has_skip = true;
      }
    } else if ((s.trailer >> 8) <= seq && !above_upper(s)) {
      // Versions arrive oldest first: a new user key means the candidate was the newest visible version of its key.
      if (has_cand && CompareBytes(s.key, s.key_len, cand_key, static_cast<size_t>(cand_key_len)) != 0) {
        if (cand_kind != kDeletion && !emit(cand_key, static_cast<size_t>(cand_key_len), cand_value,
                                            static_cast<size_t>(cand_value_len))) {
          stop = ScanStop::kStageFull;
          break;
        }
        has_cand = false;
      }
      if (!has_cand && below_lower(s)) {
        stop = ScanStop::kBound;
        break;
      }
      const bool keep_value = kind != kDeletion && want_values;
      if (s.key_len > cand_key_size || (keep_value && s.value_len > cand_value_size)) {
        stop = ScanStop::kSkipFull;
        break;
      }
      if (s.key_len != 0) std::memcpy(cand_key, s.key, s.key_len);
      cand_key_len = static_cast<int64_t>(s.key_len);
      if (keep_value && s.value_len != 0) std::memcpy(cand_value, s.value, s.value_len);
      cand_value_len = keep_value ? static_cast<int64_t>(s.value_len) : 0;
      cand_kind = kind;
      has_cand = true;
    }
    // Consume the entry.
    if (s.type == kTable) {
      s.index += reverse ? -1 : 1;
      if (s.index < 0 || s.index >= s.count) {
        stop = ScanStop::kBlockEnd;
        stop_source = m;
        break;
      }
      if (!LoadTableEntry(&s)) {
        s.index -= reverse ? -1 : 1;
        stop = ScanStop::kBadBlock;
        break;
      }
    } else {
      const int32_t next = s.mem->links()[s.node + (reverse ? skiplist::kPrev : kNext)];
      const int32_t prev_node = s.node;
      s.node = next;
      if (!LoadNodeEntry(&s)) {
        s.node = prev_node;
        s.type = kMemTable;
        stop = ScanStop::kBadNode;
        break;
      }
    }
  }
  for (int32_t i = 0; i < n; i++) {
    int32_t* slot = ctl + kHeader + kPerSource * static_cast<size_t>(i);
    if (sources[i].type == kTable) slot[1] = static_cast<int32_t>(sources[i].index);
    else if (sources[i].mem != nullptr) slot[1] = sources[i].node;
  }
  int32_t out_flags = has_skip ? (flags | kFlagHasSkip) : (flags & ~kFlagHasSkip);
  ctl[kFlags] = has_cand ? (out_flags | kFlagHasCand) : (out_flags & ~kFlagHasCand);
  ctl[kCandKeyLen] = static_cast<int32_t>(cand_key_len);
  ctl[kCandValueLen] = static_cast<int32_t>(cand_value_len);
  ctl[kCandKind] = cand_kind;
  ctl[kSkipLen] = static_cast<int32_t>(skip_len);
  ctl[kUsed] = static_cast<int32_t>(used);
  ctl[kCount] = static_cast<int32_t>(count);
  ctl[kStopSource] = stop_source;
  return Stop(env, stop);
}

}  // namespace lsmkv
