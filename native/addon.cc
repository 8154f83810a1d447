// addon — module init only: registers the native codec functions and the status numbers.
//
// Context-aware (NODE_API_MODULE; no static mutable state anywhere in native/), so it loads in worker threads.
// Loaded only by src/codec/loader.ts; used only through src/codec/native-codec.ts.

#include <napi.h>

#include "block-decode.h"
#include "block-encode.h"
#include "block-io.h"
#include "bloom.h"
#include "checksum.h"
#include "scan-merge.h"
#include "skiplist-link.h"
#include "skiplist-stage.h"
#include "snappy-binding.h"
#include "status.h"

namespace lsmkv {

namespace {

void SetNumber(Napi::Env env, Napi::Object target, const char* name, int32_t value) {
  target.Set(name, Napi::Number::New(env, value));
}

Napi::Object CodecStatusObject(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  SetNumber(env, o, "OK", static_cast<int32_t>(CodecStatus::kOk));
  SetNumber(env, o, "BAD_RESTART_ARRAY", static_cast<int32_t>(CodecStatus::kBadRestartArray));
  SetNumber(env, o, "BAD_ENTRY_HEADER", static_cast<int32_t>(CodecStatus::kBadEntryHeader));
  SetNumber(env, o, "BAD_SHARED_PREFIX", static_cast<int32_t>(CodecStatus::kBadSharedPrefix));
  SetNumber(env, o, "BAD_ENTRY_BOUNDS", static_cast<int32_t>(CodecStatus::kBadEntryBounds));
  SetNumber(env, o, "BAD_RESTART_POINT", static_cast<int32_t>(CodecStatus::kBadRestartPoint));
  SetNumber(env, o, "BAD_COMPRESSED_BLOCK", static_cast<int32_t>(CodecStatus::kBadCompressedBlock));
  SetNumber(env, o, "BAD_CHECKSUM", static_cast<int32_t>(CodecStatus::kBadChecksum));
  return o;
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("xxh32", Napi::Function::New(env, Xxh32, "xxh32"));
  exports.Set("encodeBlock", Napi::Function::New(env, EncodeBlock, "encodeBlock"));
  exports.Set("decodeBlock", Napi::Function::New(env, DecodeBlock, "decodeBlock"));
  exports.Set("bloomBuild", Napi::Function::New(env, BloomBuild, "bloomBuild"));
  exports.Set("snappyCompress", Napi::Function::New(env, SnappyCompressJs, "snappyCompress"));
  exports.Set("snappyUncompress", Napi::Function::New(env, SnappyUncompressJs, "snappyUncompress"));
  exports.Set("writeBlock", Napi::Function::New(env, WriteBlock, "writeBlock"));
  exports.Set("readBlock", Napi::Function::New(env, ReadBlock, "readBlock"));
  exports.Set("linkStaged", Napi::Function::New(env, LinkStagedJs, "linkStaged"));
  exports.Set("stageBatch", Napi::Function::New(env, StageBatchJs, "stageBatch"));
  // stageBatch takes the memtable filter (6th argument): src/codec/native-codec.ts uses no older stager.
  exports.Set("stageBatchFilters", Napi::Boolean::New(env, true));
  exports.Set("scanMerge", Napi::Function::New(env, ScanMergeJs, "scanMerge"));
  exports.Set("codecStatus", CodecStatusObject(env));
  return exports;
}

}  // namespace lsmkv

// The macro pastes its second argument into an identifier, so it needs an unqualified name.
static Napi::Object InitLsmkv(Napi::Env env, Napi::Object exports) { return lsmkv::Init(env, exports); }

NODE_API_MODULE(lsmkv, InitLsmkv)
