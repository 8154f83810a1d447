// scan-merge — one merge step of a database scan (DbIterator.nextv), either direction, over every merged source at
// once: the native twin of DbIterator.packForward / packReverse plus the merging iterator's heap
// (src/db/native-scan.ts drives it and documents the control array; test/db/native-scan.test.ts holds it to the
// TypeScript path entry by entry).
//
// Sources are either a decoded table block (keys, keyOffsets, data, valueOffsets, current index, count) or a
// memtable (link array, arena chunks, current node; layout in skiplist-node.h). The step merges them by internal
// key (forward: smallest first; reverse: largest first), hides versions newer than the snapshot and deletions,
// forward hides older versions of the last key seen (the skip key), reverse keeps the newest visible version of
// the key being read as a candidate (copied into caller-owned arrays, so it survives the step) and emits it when a
// smaller key or the end shows up; it stops at the bound in its direction and copies each visible (user key,
// value) into the caller's staging area. It stops when a table source's block is exhausted (JavaScript loads the
// neighbouring block), the batch is full, a bound is hit, every source is exhausted, or the staging area / skip
// or candidate buffer is too small; it never stops per entry.
// Writes only into the control array, the skip and candidate buffers, the staging area and the ends array;
// allocates no JS memory. Every offset read from the arrays is checked; damaged input returns a status, never a crash.
// The optional cache object (one per scan) keeps each memtable source's resolved arena-chunk pointers across steps,
// as native memory wrapped in that object (napi_wrap, type-tagged, freed with it) holding a reference to every
// chunk it points into; resolving ~8 chunks per step cost ~100 ns each. No static state; main thread of the db
// that owns the sources.

#ifndef LSMKV_NATIVE_SCAN_MERGE_H_
#define LSMKV_NATIVE_SCAN_MERGE_H_

#include <napi.h>

#include <cstdint>

namespace lsmkv {

// Why the step stopped (>= 0), or what was wrong (< 0). DO NOT CHANGE without ScanStop in src/db/native-scan.ts.
enum class ScanStop : int32_t {
  kBlockEnd = 0,     // ctl[kStopSource]'s block is exhausted
  kBatchFull = 1,    // ctl[kCount] reached ctl[kMax]
  kBound = 2,        // the next visible entry is past the bound (not consumed)
  kEnd = 3,          // every source is exhausted
  kStageFull = 4,    // the next entry does not fit the staging area or the ends array (not consumed)
  kSkipFull = 5,     // the next user key (value) does not fit the skip (candidate) buffer (not consumed)
  kBadArguments = -201,
  kBadBlock = -202,  // a block's offsets point outside its arrays
  kBadNode = -203,   // a memtable node or its entry is out of range
};

// JS: scanMerge(srcs: unknown[], ctl: Int32Array, sequence: number, skip: Uint8Array, lower: Uint8Array,
//               upper: Uint8Array, stage: Uint8Array, ends: Int32Array, candKey: Uint8Array,
//               candValue: Uint8Array, cache?: object) -> ScanStop.
Napi::Value ScanMergeJs(const Napi::CallbackInfo& info);

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_SCAN_MERGE_H_
