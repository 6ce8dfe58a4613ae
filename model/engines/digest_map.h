// A hash map from a 64-bit digest to a small value, for the state cache (VisitedStates): one
// open-addressing array, linear probing, doubled at three-quarters full, nothing ever erased.
//
// Why not std::unordered_map: a reduced search inserts up to millions of states and looks one
// up at every step; a node-based map paid an allocation per insert and two cache misses per
// lookup (the bucket, then the node), a fifth of the search's time in `perf`. No library the
// project builds with (Debian 12's packages) has a flat hash map. The keys are XXH3 digests,
// so a multiplicative hash of them spreads well; key 0, the empty slot's mark, lives apart.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "model/engines/zeroed_array.h"

namespace loopcheck {

template <class Value>
class DigestMap {
 public:
  DigestMap() { rebuild(kInitialSlots); }

  // The value kept for `key`, after inserting `value` if there was none; the bool says whether
  // it was inserted. The pointer holds until the next insertion.
  std::pair<Value*, bool> try_emplace(std::uint64_t key, const Value& value) {
    if (key == 0) {
      bool fresh = !zero_;
      if (fresh) zero_ = value;
      size_ += fresh ? 1 : 0;
      return {&*zero_, fresh};
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) rebuild(slots_.size() * 2);
    Slot& slot = slot_of(key);
    if (slot.key == key) return {&slot.value, false};
    slot.key = key;
    slot.value = value;
    ++size_;
    return {&slot.value, true};
  }
  std::size_t size() const { return size_; }

 private:
  static constexpr std::size_t kInitialSlots = 1024;  // a power of two
  struct Slot {
    std::uint64_t key = 0;  // 0: empty
    Value value{};
  };
  // Where `key` is, or the empty slot where it would go.
  Slot& slot_of(std::uint64_t key) {
    std::size_t mask = slots_.size() - 1;
    for (std::size_t i = (key * 0x9E3779B97F4A7C15ull) >> shift_;; i = (i + 1) & mask) {
      if (slots_[i].key == key || slots_[i].key == 0) return slots_[i];
    }
  }
  void rebuild(std::size_t count) {
    ZeroedArray<Slot> old = std::move(slots_);
    slots_ = ZeroedArray<Slot>(count);  // zero bytes: every slot empty (key 0), its value unread until written
    shift_ = 64;
    for (std::size_t n = count; n > 1; n /= 2) --shift_;
    for (const Slot& slot : old) {
      if (slot.key != 0) slot_of(slot.key) = slot;
    }
  }

  ZeroedArray<Slot> slots_;
  unsigned shift_ = 64;  // 64 - log2(slots): the hash's top bits index the array
  std::size_t size_ = 0;
  std::optional<Value> zero_;
};

}  // namespace loopcheck
