// memtable-filter — sets a key's bits in a memtable's whole-key filter: the native twin of MemTableFilter.add in
// src/memtable/memtable-filter.ts (read its header for the layout). The native batch stager (skiplist-stage.cc)
// calls it for every op it stages, in the same call, so a batch still crosses once; probing stays in TypeScript
// (one key per get). test/memtable/memtable-filter.test.ts holds both sides to the same bits.
//
//   block = floor(h × blocks / 2^32), 16 uint32 words (64 bytes) each; FILTER_PROBES times: x = x × 0x9e3779b9
//   (mod 2^32, x starts at h), set bit x >> 23 (0..511) of the block.
//
// The constants must match memtable-filter.ts. Pure function over caller memory; no state; any thread.

#ifndef LSMKV_NATIVE_MEMTABLE_FILTER_H_
#define LSMKV_NATIVE_MEMTABLE_FILTER_H_

#include <cstddef>
#include <cstdint>

namespace lsmkv {

constexpr int kFilterProbes = 6;        // FILTER_PROBES
constexpr size_t kFilterBlockInts = 16;  // FILTER_BLOCK_INTS

// The block of hash h in words[0, ints). REQUIRES: ints is a positive multiple of kFilterBlockInts.
inline uint32_t* MemTableFilterBlock(uint32_t* words, size_t ints, uint32_t h) {
  const uint64_t blocks = ints / kFilterBlockInts;
  return words + ((static_cast<uint64_t>(h) * blocks) >> 32) * kFilterBlockInts;
}

// Sets the bits of hash h in its block (from MemTableFilterBlock).
inline void MemTableFilterSet(uint32_t* block, uint32_t h) {
  uint32_t x = h;
  for (int i = 0; i < kFilterProbes; i++) {
    x *= 0x9e3779b9u;
    const uint32_t bit = x >> 23;
    block[bit >> 5] |= uint32_t{1} << (bit & 31);
  }
}

}  // namespace lsmkv

#endif  // LSMKV_NATIVE_MEMTABLE_FILTER_H_
