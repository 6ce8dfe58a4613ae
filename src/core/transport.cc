#include "src/core/transport.h"

namespace loopcheck {

// Joined into one write, as asyncio does, so the kernel sees one send and ordering is obvious.
Status Transport::writelines(const std::vector<Bytes>& chunks) {
  Bytes joined;
  for (const Bytes& chunk : chunks) joined += chunk;
  return write(joined);
}

}  // namespace loopcheck
