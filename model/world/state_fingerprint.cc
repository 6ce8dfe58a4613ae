#include "model/world/state_fingerprint.h"

namespace loopcheck {

XxhStateHasher::XxhStateHasher(const std::vector<const void*>& owners) : state_(XXH3_createState()) {
  XXH3_64bits_reset(state_);
  for (std::size_t i = 0; i < owners.size(); ++i) owners_.emplace(owners[i], i + 1);
}

XxhStateHasher::~XxhStateHasher() { XXH3_freeState(state_); }

void XxhStateHasher::bytes(const void* data, std::size_t size) { XXH3_64bits_update(state_, data, size); }

// 0 = no owner; an object the world does not list gets a marker that never matches a listed one.
std::uint64_t XxhStateHasher::owner(const void* object) {
  if (!object) return 0;
  auto it = owners_.find(object);
  return it == owners_.end() ? ~std::uint64_t{0} : it->second;
}

std::uint64_t XxhStateHasher::digest() const { return XXH3_64bits_digest(state_); }

}  // namespace loopcheck
