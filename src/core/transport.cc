#include "src/core/transport.h"

namespace loopcheck {

// Joined into one write, as asyncio does, so the kernel sees one send and ordering is obvious.
Status Transport::writelines(const std::vector<Bytes>& chunks) {
  Bytes joined;
  for (const Bytes& chunk : chunks) joined += chunk;
  return write(joined);
}

Status Transport::take_from_registry() {
  return make_error(Errc::unsupported, "this transport has no native sendfile");
}

Status Transport::make_empty_waiter(std::function<void(Status)>) {
  return make_error(Errc::unsupported, "this transport has no native sendfile");
}

}  // namespace loopcheck
