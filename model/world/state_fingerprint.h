// xxHash (XXH3, 64-bit) behind the StateHasher seam. Owners are numbered in the order the world
// lists them, so two states that differ only in which object is where hash differently, and
// the same state reached along different paths hashes the same.
#pragma once

// Header-only xxHash (libxxhash-dev's xxhash.h, inlined): no library to ship with fuzz targets.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "src/core/state_hasher.h"

namespace loopcheck {

class XxhStateHasher final : public StateHasher {
 public:
  explicit XxhStateHasher(const std::vector<const void*>& owners);
  ~XxhStateHasher() override;
  XxhStateHasher(const XxhStateHasher&) = delete;
  XxhStateHasher& operator=(const XxhStateHasher&) = delete;

  void bytes(const void* data, std::size_t size) override;
  std::uint64_t owner(const void* object) override;
  std::uint64_t digest() const;

 private:
  XXH3_state_t* state_;
  std::unordered_map<const void*, std::uint64_t> owners_;  // looked up only, never iterated
};

}  // namespace loopcheck
