#include "model/world/state_fingerprint.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <limits>

namespace loopcheck {

XxhStateHasher::XxhStateHasher()
    : state_(XXH3_createState()), pending_(static_cast<unsigned char*>(std::malloc(kPending))) {
  if (!state_ || !pending_) throw std::bad_alloc();
  XXH3_64bits_reset(state_);
  cursor_ = pending_;
  room_ = kPending;
}

XxhStateHasher::~XxhStateHasher() {
  XXH3_freeState(state_);
  std::free(pending_);
}

void XxhStateHasher::restart(const std::vector<const void*>& owners, Nanos now) {
  XXH3_64bits_reset(state_);
  streamed_ = false;
  cursor_ = pending_;
  room_ = kPending;
  if (owners != listed_) {
    listed_ = owners;
    owners_.clear();
    for (std::size_t i = 0; i < owners.size(); ++i) owners_.emplace(owners[i], i + 1);
  }
  now_ = now;
  live_.clear();
}

// Most writes are a few bytes; one XXH3 call per fingerprint instead of one per value. The
// digest is XXH3 of the same bytes either way.
void XxhStateHasher::bytes(const void* data, std::size_t size) {
  if (size == 0) return;  // data may be null then (an empty string or vector)
  if (size > room_) {
    XXH3_64bits_update(state_, pending_, static_cast<std::size_t>(cursor_ - pending_));
    streamed_ = true;
    cursor_ = pending_;
    room_ = kPending;
    if (size >= kPending) {
      XXH3_64bits_update(state_, data, size);
      return;
    }
  }
  std::memcpy(cursor_, data, size);
  cursor_ += size;
  room_ -= size;
}

// 0 = no owner; an object the world does not list gets a marker that never matches a listed one.
std::uint64_t XxhStateHasher::owner(const void* object) {
  if (!object) return 0;
  auto it = owners_.find(object);
  return it == owners_.end() ? ~std::uint64_t{0} : it->second;
}

// A tag keeps a relative time apart from a marker that happens to have the same value.
void XxhStateHasher::time(Nanos at) {
  bool marker = at < 0 || at == std::numeric_limits<Nanos>::max();
  value(marker);
  value(marker ? at : at - now_);
}

// 0 stays "no operation"; an id that is not live (already finished) keeps a marker of its own.
std::uint64_t XxhStateHasher::operation(std::uint64_t id) {
  if (id == 0) return 0;
  auto it = std::lower_bound(live_.begin(), live_.end(), id);
  if (it == live_.end() || *it != id) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(it - live_.begin()) + 1;
}

std::uint64_t XxhStateHasher::digest() {
  auto size = static_cast<std::size_t>(cursor_ - pending_);
  if (!streamed_) return XXH3_64bits(pending_, size);
  XXH3_64bits_update(state_, pending_, size);
  cursor_ = pending_;
  room_ = kPending;
  return XXH3_64bits_digest(state_);
}

}  // namespace loopcheck
