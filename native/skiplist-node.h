// skiplist-node — the memtable's node layout and internal-key order, as C++ reads them: the native twin of the
// node helpers in src/memtable/memtable.ts (read its header comment for the layout; the constants below must
// match it, and test/codec/skiplist-parity.test.ts fails if they drift).
//
// A node is a run of int32 at position p of the link array (an Int32Array over a SharedArrayBuffer):
//   p+0 chunk index   p+1 offset in chunk   p+2 internal key length   p+3 value length   p+4 prev node (level 0)
//   p+5..p+8 key words (first 16 user-key bytes, big-endian, top bit flipped)   p+9+l next node at level l
// Entry bytes (user key ‖ 8-byte trailer ‖ value) live in arena chunks (Buffers over SharedArrayBuffers).
// Position 0 is the head and means "no node".
//
// Nodes borrows the memory of JS typed arrays: valid only during the native call that built it. Every position
// and chunk range read from that memory is checked before use (Node(), Entry()); nothing is trusted.
// Chunk pointers are fetched lazily (a memtable may have many small chunks; a batch touches few).
// No static state; one instance per call, on that call's thread.

#ifndef LSMKV_NATIVE_SKIPLIST_NODE_H_
#define LSMKV_NATIVE_SKIPLIST_NODE_H_

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace lsmkv {
namespace skiplist {

constexpr int32_t kChunk = 0;
constexpr int32_t kOffset = 1;
constexpr int32_t kKeyLen = 2;
constexpr int32_t kValLen = 3;
constexpr int32_t kPrev = 4;
constexpr int32_t kW0 = 5;
constexpr int32_t kNext = 9;
constexpr int32_t kHead = 0;
constexpr int32_t kMaxHeight = 12;
constexpr int32_t kInlineKeyBytes = 16;
constexpr int32_t kTrailerSize = 8;

// The user key and trailer of an entry, resolved from its node.
struct Entry {
  const uint8_t* key = nullptr;
  size_t key_len = 0;
  uint64_t trailer = 0;  // sequence << 8 | kind: larger sorts first
};

inline uint64_t ReadTrailer(const uint8_t* p) {
  uint64_t t = 0;
  for (int i = 7; i >= 0; i--) t = (t << 8) | p[i];
  return t;
}

class Nodes {
 public:
  // links: the link array (length ints); chunks: the JS array of arena chunks (Uint8Arrays).
  Nodes(Napi::Env env, int32_t* links, size_t length, napi_value chunks, uint32_t chunk_count)
      : env_(env), links_(links), length_(length), chunks_(chunks), chunk_ptr_(chunk_count, nullptr),
        chunk_len_(chunk_count, 0) {}

  int32_t* links() const { return links_; }
  size_t length() const { return length_; }

  // True if q is a node whose fields and next links up to `level` lie inside the link array.
  bool Node(int32_t q, int32_t level) const {
    return q > 0 && static_cast<size_t>(q) + kNext + level < length_;
  }

  // Resolves node p's entry; false if its chunk index, offset or key length is out of range.
  bool GetEntry(int32_t p, Entry* e) {
    int32_t ci = links_[p + kChunk];
    int32_t off = links_[p + kOffset];
    int32_t klen = links_[p + kKeyLen];
    if (ci < 0 || static_cast<size_t>(ci) >= chunk_ptr_.size() || off < 0 || klen < kTrailerSize) return false;
    if (chunk_ptr_[ci] == nullptr && !FetchChunk(ci)) return false;
    if (static_cast<size_t>(off) + static_cast<size_t>(klen) > chunk_len_[ci]) return false;
    e->key = chunk_ptr_[ci] + off;
    e->key_len = static_cast<size_t>(klen - kTrailerSize);
    e->trailer = ReadTrailer(e->key + e->key_len);
    return true;
  }

  // Sign (-1, 0, 1) of internal key a minus b when their key words are equal (the twin of MemTable.compareTie): only two
  // keys longer than 16 bytes compare bytes past the 16th; otherwise the shorter one is a prefix of the other.
  static int CompareTie(const Entry& a, const Entry& b) {
    if (a.key_len > kInlineKeyBytes && b.key_len > kInlineKeyBytes) {
      size_t n = (a.key_len < b.key_len ? a.key_len : b.key_len) - kInlineKeyBytes;
      int c = std::memcmp(a.key + kInlineKeyBytes, b.key + kInlineKeyBytes, n);
      if (c != 0) return c < 0 ? -1 : 1;
      if (a.key_len != b.key_len) return a.key_len < b.key_len ? -1 : 1;
    } else if (a.key_len != b.key_len) {
      return a.key_len < b.key_len ? -1 : 1;
    }
    if (a.trailer != b.trailer) return a.trailer > b.trailer ? -1 : 1;
    return 0;
  }

  // Compares node a's key words with words w[0..3]: the sign, 0 on a four-word tie.
  int CompareWords(int32_t a, const int32_t* w) const {
    const int32_t* x = links_ + a + kW0;
    for (int i = 0; i < 4; i++) {
      if (x[i] != w[i]) return x[i] < w[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  bool FetchChunk(int32_t ci) {
    napi_value v;
    if (napi_get_element(env_, chunks_, static_cast<uint32_t>(ci), &v) != napi_ok) return false;
    napi_typedarray_type type;
    size_t len = 0;
    void* data = nullptr;
    if (napi_get_typedarray_info(env_, v, &type, &len, &data, nullptr, nullptr) != napi_ok) return false;
    if (type != napi_uint8_array || data == nullptr) return false;
    chunk_ptr_[ci] = static_cast<const uint8_t*>(data);
    chunk_len_[ci] = len;
    return true;
  }

  napi_env env_;
  int32_t* links_;
  size_t length_;
  napi_value chunks_;
  std::vector<const uint8_t*> chunk_ptr_;
  std::vector<size_t> chunk_len_;
};

}  // namespace skiplist
}  // namespace lsmkv

#endif  // LSMKV_NATIVE_SKIPLIST_NODE_H_
