// xxHash (XXH3, 64-bit) behind the StateHasher seam. Owners are numbered in the order the world
// lists them, so two states that differ only in which object is where hash differently, and
// the same state reached along different paths hashes the same. Times are hashed relative to
// `now`, and operation ids by their rank among the live ones (see StateHasher).
//
// The world keeps one hasher for the whole run and starts it again for every fingerprint: a
// fingerprint is taken before every step of a reduced exploration, so it must not allocate.
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
  XxhStateHasher();
  explicit XxhStateHasher(const std::vector<const void*>& owners) : XxhStateHasher() { restart(owners, 0); }
  ~XxhStateHasher() override;
  XxhStateHasher(const XxhStateHasher&) = delete;
  XxhStateHasher& operator=(const XxhStateHasher&) = delete;

  // Starts a new digest. `owners` is numbered again only when it changed since the last one.
  void restart(const std::vector<const void*>& owners, Nanos now);
  // The ids of the operations alive in this state, ascending: filled after restart().
  std::vector<std::uint64_t>& live_operations() { return live_; }

  void bytes(const void* data, std::size_t size) override;
  std::uint64_t owner(const void* object) override;
  void time(Nanos at) override;
  std::uint64_t operation(std::uint64_t id) override;
  std::uint64_t digest();  // of every byte written since restart()

 private:
  // Both scratch, allocated once and outside the world's own heap: a saved world stays small.
  XXH3_state_t* state_;
  unsigned char* pending_;  // written, not yet fed to state_ (kPending bytes; up to cursor_)
  static constexpr std::size_t kPending = 2048;
  bool streamed_ = false;         // state_ has had some of this digest's bytes
  std::vector<const void*> listed_;                        // the owners numbered below
  std::unordered_map<const void*, std::uint64_t> owners_;  // looked up only, never iterated
  Nanos now_ = 0;
  std::vector<std::uint64_t> live_;
};

}  // namespace loopcheck
