// skiplist-link — links a memtable's staged nodes in one call: the native twin of MemTable.linkStaged in
// src/memtable/memtable.ts. The link array comes out byte-identical (test/codec/skiplist-parity.test.ts): a batch
// that arrives sorted takes the same finger search as the TypeScript; an unsorted one is sorted the same way and
// then searched 32 keys at a time with prefetches so that their cache misses overlap (Linker::LinkInterleaved;
// the skiplist a set of nodes and heights forms is unique, so the path does not change the links). 1 M random
// db_bench keys in batches of 1000: link CPU 1.9-3.1 us/key in TypeScript, 1.4 us finger search, 0.6-0.7 us
// interleaved (8 lanes 1.1, 16 0.8-0.9, 32 0.6-0.7, 64 0.6; bench/memtable.bench.ts, docs/decisions/native.md).
//
// Called once per committed write group, never per key. Writes only into the link array and the staged array
// (sorted in place) it is handed; allocates no JS memory. No static state; safe in any thread that owns the
// memtable (only the db thread writes one).

#ifndef LSMKV_NATIVE_SKIPLIST_LINK_H_
#define LSMKV_NATIVE_SKIPLIST_LINK_H_

#include <napi.h>

#include <cstdint>

namespace lsmkv {

// Results of the memtable calls below zero. DO NOT CHANGE without SkipListStatus in src/codec/native-codec.ts
// (test/codec/skiplist-parity.test.ts compares them). Far below ArgStatus so they never collide.
enum class SkipListStatus : int32_t {
  kOk = 0,
  kBadArguments = -101,
  kBadStagedNode = -102,
  kBadLinkedNode = -103,
  kBadBatch = -104,
};

// The status as a JS number (the error path of the memtable calls).
inline Napi::Value SkipListStatusValue(Napi::Env env, SkipListStatus s) {
  return Napi::Number::New(env, static_cast<int32_t>(s));
}

// A typed array of JS type `want` (a SharedArrayBuffer's included): its data and element count, or false.
template <typename T>
bool GetSkipListArray(napi_env env, napi_value v, napi_typedarray_type want, T** data, size_t* length) {
  napi_typedarray_type type;
  void* bytes = nullptr;
  if (napi_get_typedarray_info(env, v, &type, length, &bytes, nullptr, nullptr) != napi_ok || type != want) {
    return false;
  }
  *data = static_cast<T*>(bytes);
  return true;
}

// JS: linkStaged(links: Int32Array, staged: Int32Array, count: number, height: number, chunks: Uint8Array[])
//       -> the skiplist's new height (1..12) | SkipListStatus (< 0).
// staged[0, count) are node positions whose prev slot holds the node's height (MemTable.stage); on success
// they are linked, each prev slot holds its level-0 predecessor, and staged[0, count) is sorted.
Napi::Value LinkStagedJs(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_SKIPLIST_LINK_H_
