// The fingerprint seam. Model checkers prune a schedule when it reaches a state they have seen;
// for that, every object whose state can change what happens next feeds that state to a
// StateHasher. The hasher (xxHash in the model) lives outside src/; pointers are never hashed
// directly (their values differ between runs) but through owner(), a stable index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace loopcheck {

class StateHasher {
 public:
  virtual ~StateHasher() = default;
  virtual void bytes(const void* data, std::size_t size) = 0;
  // A stable number for an object that owns callbacks (its registration order in the world).
  virtual std::uint64_t owner(const void* object) = 0;

  template <typename T>
  void value(const T& v) {
    static_assert(std::is_arithmetic_v<T> || std::is_enum_v<T>, "hash fields one by one");
    bytes(&v, sizeof v);
  }
  void text(std::string_view s) {
    value(s.size());
    bytes(s.data(), s.size());
  }
};

// Implemented by everything whose state the fingerprint must cover.
class Fingerprinted {
 public:
  virtual ~Fingerprinted() = default;
  virtual void fingerprint(StateHasher& hasher) const = 0;
};

}  // namespace loopcheck
