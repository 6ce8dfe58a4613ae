#include "src/core/protocol.h"

#include <algorithm>
#include <cstring>

namespace loopcheck {

bool feed_buffered(BufferedProtocol& protocol, BytesView data) {
  while (!data.empty()) {
    std::span<char> buffer = protocol.get_buffer(static_cast<std::int64_t>(data.size()));
    if (buffer.empty()) return false;
    std::size_t n = std::min(buffer.size(), data.size());
    std::memcpy(buffer.data(), data.data(), n);
    protocol.buffer_updated(n);
    data.remove_prefix(n);
  }
  return true;
}

}  // namespace loopcheck
