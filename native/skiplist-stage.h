// skiplist-stage — stages the ops of an encoded write batch into a memtable in one call: the native twin of
// MemTable.stage() called for each op that forEachBatchOp (src/batch/write-batch.ts) walks. It copies each entry
// (user key ‖ trailer ‖ value) into the arena's current chunk and writes its node (heights from the memtable's
// xorshift, so they match the TypeScript ones) without linking it; linkStaged (skiplist-link.h) links them.
//
// The JavaScript keeps every allocation: it grows the link and staged arrays beforehand, and when an entry does
// not fit the current chunk this call stops and returns, the JavaScript stages that op itself (Arena.allocate
// adds the chunk) and calls again. So the memtable's bytes come out as op-by-op staging writes them
// (test/codec/skiplist-parity.test.ts). Called once per batch (plus once per new chunk), never per key.
// The whole payload is validated on the first call (the forEachBatchOp rules) before anything is written.
// No static state; safe in any thread that owns the memtable (only the db thread writes one).

#ifndef LSMKV_NATIVE_SKIPLIST_STAGE_H_
#define LSMKV_NATIVE_SKIPLIST_STAGE_H_

#include <napi.h>

#include <cstdint>

namespace lsmkv {

// Slots of the state Int32Array shared with MemTable.stageBatch. DO NOT CHANGE without STAGE_* there.
enum StageSlot : int32_t {
  kStagePos = 0,          // payload offset of the next op (12 on the first call)
  kStageOp = 1,           // index of the next op
  kStageRng = 2,          // the memtable's xorshift32 state
  kStageLinksUsed = 3,    // ints of the link array in use
  kStageCount = 4,        // staged nodes (staged[0, count))
  kStageChunk = 5,        // index of the arena's current chunk
  kStageOffset = 6,       // bytes used in that chunk
  kStageSlots = 7,
};

// JS: stageBatch(payload: Uint8Array, state: Int32Array, links: Int32Array, staged: Int32Array,
//                chunk: Uint8Array[, filter: Int32Array]) -> 1 all ops staged | 0 stopped at the op at state[kStagePos] (it does not
//                fit the chunk, or the arrays are full) | SkipListStatus (< 0; kBadBatch: the payload is
//                malformed, nothing was staged).
// filter (optional): a memtable whole-key filter's words (a positive multiple of 16 ints); each staged op sets
// the bits of XXH32(user key, kBloomSeed) there (memtable-filter.h), so no key enters unfiltered.
Napi::Value StageBatchJs(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_SKIPLIST_STAGE_H_
