// The fingerprint seam. Model checkers prune a schedule when it reaches a state they have seen;
// for that, every object whose state can change what happens next feeds that state to a
// StateHasher. The hasher (xxHash in the model) lives outside src/; pointers are never hashed
// directly (their values differ between runs) but through owner(), a stable index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "src/core/time.h"

namespace loopcheck {

class StateHasher {
 public:
  virtual ~StateHasher() = default;
  virtual void bytes(const void* data, std::size_t size) = 0;
  // A stable number for an object that owns callbacks (its registration order in the world).
  virtual std::uint64_t owner(const void* object) = 0;
  // A point in simulated time. What happens next depends on how far away a time is, not on
  // where it lies, so the model's hasher feeds it relative to now: two states that differ
  // only by a shift in time hash the same. Negative times are "unset" markers and the far end
  // (add_time's "never") stays itself; both are hashed as they are.
  virtual void time(Nanos at) { value(at); }
  // An overlapped operation's id. Ids only name operations; the model's hasher feeds the id's
  // rank among the operations still alive, so the same operations numbered differently (one
  // path submitted and finished more before) hash the same.
  virtual std::uint64_t operation(std::uint64_t id) { return id; }

  template <typename T>
  void value(const T& v) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>, "hash fields one by one");
    if (sizeof v <= room_) {  // most writes: a copy of known size, no call
      std::memcpy(cursor_, &v, sizeof v);
      cursor_ += sizeof v;
      room_ -= sizeof v;
      return;
    }
    bytes(&v, sizeof v);
  }
  void text(std::string_view s) {
    value(s.size());
    bytes(s.data(), s.size());
  }

 protected:
  // Room an implementation lends for small writes, taken as if by bytes(): a fingerprint is
  // thousands of them, and a call each was a measured part of its cost.
  unsigned char* cursor_ = nullptr;
  std::size_t room_ = 0;
};

// Implemented by everything whose state the fingerprint must cover.
class Fingerprinted {
 public:
  virtual ~Fingerprinted() = default;
  virtual void fingerprint(StateHasher& hasher) const = 0;
};

}  // namespace loopcheck
