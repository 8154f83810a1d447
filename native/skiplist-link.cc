// skiplist-link — see skiplist-link.h. The loop mirrors MemTable.linkStaged/searchFrom/linkNode line by line.

#include "skiplist-link.h"

#include <algorithm>
#include <vector>

#include "skiplist-node.h"

namespace lsmkv {

namespace {

using skiplist::Entry;
using skiplist::Nodes;
using skiplist::kHead;
using skiplist::kMaxHeight;
using skiplist::kNext;
using skiplist::kPrev;
using skiplist::kW0;

// Unsorted batches at least this long take Linker::LinkInterleaved; sorted ones (sequential fills, where each
// finger search is a few cached steps) and tiny ones the finger search.
constexpr int32_t kInterleaveMin = 2;

Napi::Value Status(Napi::Env env, SkipListStatus s) { return SkipListStatusValue(env, s); }

bool GetInt32Array(napi_env env, napi_value v, int32_t** data, size_t* length) {
  return GetSkipListArray(env, v, napi_int32_array, data, length);
}

bool GetSmallInt(napi_env env, napi_value v, int64_t min, int64_t max, int64_t* out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return false;
  if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || static_cast<double>(static_cast<int64_t>(d)) != d) {
    return false;
  }
  *out = static_cast<int64_t>(d);
  return true;
}

class Linker {
 public:
  Linker(Nodes* nodes, int32_t height) : nodes_(nodes), links_(nodes->links()), height_(height) {
    for (int32_t l = 0; l < kMaxHeight; l++) splice_[l] = kHead;
  }

  int32_t height() const { return height_; }

  // Sign of staged node a minus staged node b. REQUIRES: both validated (entries resolved).
  int CompareStaged(int32_t a, int32_t b) {
    int c = nodes_->CompareWords(a, links_ + b + kW0);
    if (c != 0) return c;
    Entry ea, eb;
    nodes_->GetEntry(a, &ea);
    nodes_->GetEntry(b, &eb);
    return Nodes::CompareTie(ea, eb);
  }

  // Links staged node p in, the search starting from the previous insert's splice. False on a damaged node.
  bool Insert(int32_t p) {
    const int32_t h = links_[p + kPrev];
    const int32_t* w = links_ + p + kW0;
    Entry target;
    nodes_->GetEntry(p, &target);
    const int32_t top = height_ - 1;
    int32_t level = 0;
    int32_t bigger = 0;
    for (; level < top; level++) {
      bigger = links_[splice_[level] + kNext + level];
      if (bigger == 0) break;
      if (!nodes_->Node(bigger, level)) return false;
      int c = Compare(bigger, w, target);
      if (c == kDamaged) return false;
      if (c > 0) break;
    }
    if (level == top) bigger = -1;
    if (!SearchFrom(splice_[level], level, bigger, w, target)) return false;
    Link(p, h);
    for (int32_t l = 0; l < h; l++) splice_[l] = p;
    return true;
  }

  // Links the sorted staged[0, n) in two phases. Phase 1 finds each node's predecessors among the nodes linked
  // before this call, kLanes searches from the head at a time, interleaved step by step with a prefetch of the
  // node each will compare next, so their cache misses overlap (a lone search waits for each miss in turn).
  // Phase 2 links in ascending order: at level l a node goes after the previous staged node of height > l when
  // both fell into the same gap (same predecessor), else after its own predecessor. The skiplist a set of nodes
  // and heights forms is unique, so the links come out as Insert() one by one writes them.
  bool LinkInterleaved(const int32_t* staged, int32_t n, std::vector<int32_t>* pred_store) {
    std::vector<int32_t>& pred = *pred_store;
    pred.assign(static_cast<size_t>(n) * kMaxHeight, kHead);
    const int32_t top = height_ - 1;
    struct Lane {
      int32_t i, x, level, next;
      const int32_t* w;
      Entry t;
    };
    Lane lanes[kLanes];
    int32_t active = 0;
    int32_t upcoming = 0;
    auto start = [&](Lane& lane) {
      const int32_t p = staged[upcoming];
      lane.i = upcoming++;
      lane.x = kHead;
      lane.level = top;
      lane.next = links_[kHead + kNext + top];
      lane.w = links_ + p + kW0;
      nodes_->GetEntry(p, &lane.t);
    };
    while (active < kLanes && upcoming < n) start(lanes[active++]);
    while (active > 0) {
      for (int32_t j = 0; j < active;) {
        Lane& lane = lanes[j];
        if (lane.next != 0) {
          if (!nodes_->Node(lane.next, lane.level)) return false;
          int c = Compare(lane.next, lane.w, lane.t);
          if (c == kDamaged) return false;
          if (c < 0) {
            lane.x = lane.next;
            lane.next = links_[lane.x + kNext + lane.level];
            Prefetch(lane.next, lane.level);
            j++;
            continue;
          }
        }
        pred[static_cast<size_t>(lane.i) * kMaxHeight + lane.level] = lane.x;
        if (lane.level > 0) {
          lane.level--;
          lane.next = links_[lane.x + kNext + lane.level];
          Prefetch(lane.next, lane.level);
          j++;
        } else if (upcoming < n) {
          start(lane);
          j++;
        } else {
          lane = lanes[--active];
        }
      }
    }
    int32_t last[kMaxHeight];
    for (int32_t l = 0; l < kMaxHeight; l++) last[l] = -1;
    for (int32_t i = 0; i < n; i++) {
      const int32_t p = staged[i];
      const int32_t h = links_[p + kPrev];
      const int32_t* mine = pred.data() + static_cast<size_t>(i) * kMaxHeight;
      for (int32_t l = 0; l < h; l++) {
        const int32_t j = last[l];
        splice_[l] = j >= 0 && pred[static_cast<size_t>(j) * kMaxHeight + l] == mine[l] ? staged[j] : mine[l];
        last[l] = i;
      }
      Link(p, h);
    }
    return true;
  }

 private:
  static constexpr int kDamaged = 2;
  static constexpr int32_t kLanes = 32;

  // Asks for node q's key words and its level-`level` link, which the next step of its search reads.
  void Prefetch(int32_t q, int32_t level) const {
    if (q <= 0 || !nodes_->Node(q, level)) return;
    __builtin_prefetch(links_ + q + kW0);
    __builtin_prefetch(links_ + q + kNext + level);
  }

  // Sign of node q minus the target (words w, entry t); kDamaged if q's entry is out of range.
  int Compare(int32_t q, const int32_t* w, const Entry& t) {
    int c = nodes_->CompareWords(q, w);
    if (c != 0) return c;
    Entry e;
    if (!nodes_->GetEntry(q, &e)) return kDamaged;
    return Nodes::CompareTie(e, t);
  }

  // MemTable.searchFrom: from node x (< target) at `level`; lastBigger is known >= target. Fills splice_[0..level].
  bool SearchFrom(int32_t x, int32_t level, int32_t last_bigger, const int32_t* w, const Entry& t) {
    for (;;) {
      const int32_t next = links_[x + kNext + level];
      if (next != 0 && next != last_bigger) {
        if (!nodes_->Node(next, level)) return false;
        int c = Compare(next, w, t);
        if (c == kDamaged) return false;
        if (c < 0) {
          x = next;
          continue;
        }
      }
      splice_[level] = x;
      if (level == 0) return true;
      last_bigger = next;
      level--;
    }
  }

  // MemTable.linkNode.
  void Link(int32_t p, int32_t h) {
    if (h > height_) {
      for (int32_t l = height_; l < h; l++) splice_[l] = kHead;
      height_ = h;
    }
    for (int32_t l = 0; l < h; l++) {
      const int32_t before = splice_[l];
      links_[p + kNext + l] = links_[before + kNext + l];
      links_[before + kNext + l] = p;
    }
    links_[p + kPrev] = splice_[0];
    const int32_t after0 = links_[p + kNext];
    links_[(after0 == 0 ? kHead : after0) + kPrev] = p;
  }

  Nodes* nodes_;
  int32_t* links_;
  int32_t height_;
  int32_t splice_[kMaxHeight];
};

}  // namespace

Napi::Value LinkStagedJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) return Status(env, SkipListStatus::kBadArguments);
  int32_t* links;
  size_t length;
  int32_t* staged;
  size_t staged_length;
  int64_t count;
  int64_t height;
  uint32_t chunk_count = 0;
  if (!GetInt32Array(env, info[0], &links, &length) || !GetInt32Array(env, info[1], &staged, &staged_length) ||
      !GetSmallInt(env, info[2], 0, static_cast<int64_t>(staged_length), &count) ||
      !GetSmallInt(env, info[3], 1, kMaxHeight, &height) || !info[4].IsArray() ||
      napi_get_array_length(env, info[4], &chunk_count) != napi_ok ||
      length < static_cast<size_t>(kNext + kMaxHeight)) {
    return Status(env, SkipListStatus::kBadArguments);
  }
  Nodes nodes(env, links, length, info[4], chunk_count);
  const int32_t n = static_cast<int32_t>(count);
  for (int32_t i = 0; i < n; i++) {
    const int32_t p = staged[i];
    Entry e;
    if (!nodes.Node(p, 0)) return Status(env, SkipListStatus::kBadStagedNode);
    const int32_t h = links[p + kPrev];
    if (h < 1 || h > kMaxHeight || !nodes.Node(p, h - 1) || !nodes.GetEntry(p, &e)) {
      return Status(env, SkipListStatus::kBadStagedNode);
    }
  }
  Linker linker(&nodes, static_cast<int32_t>(height));
  bool sorted = true;
  for (int32_t i = 1; i < n && sorted; i++) sorted = linker.CompareStaged(staged[i - 1], staged[i]) < 0;
  if (!sorted) std::sort(staged, staged + n, [&](int32_t a, int32_t b) { return linker.CompareStaged(a, b) < 0; });
  if (sorted || n < kInterleaveMin) {
    for (int32_t i = 0; i < n; i++) {
      if (!linker.Insert(staged[i])) return Status(env, SkipListStatus::kBadLinkedNode);
    }
  } else {
    std::vector<int32_t> pred;
    if (!linker.LinkInterleaved(staged, n, &pred)) return Status(env, SkipListStatus::kBadLinkedNode);
  }
  return Napi::Number::New(env, linker.height());
}

}  // namespace lsmkv
