#include "src/transport/datagram_io.h"

namespace loopcheck {

Status resolve_datagram_target(const Address& connected_peer, const Address& to, Address& out) {
  if (!connected_peer.empty()) {
    if (!to.empty() && to != connected_peer) {
      return make_error(Errc::invalid_argument, "invalid address: must be empty or " + connected_peer);
    }
    out = connected_peer;
    return std::nullopt;
  }
  if (to.empty()) return make_error(Errc::invalid_argument, "unconnected datagram transport needs an address");
  out = to;
  return std::nullopt;
}

DrainResult drain_datagrams(SocketApi& sockets, int fd, std::size_t max_bytes, std::size_t limit,
                            const std::function<bool(Datagram&)>& on_datagram,
                            const std::function<bool(const Error&)>& on_error) {
  DrainResult result;
  while (result.read < limit) {
    IoResult<Datagram> got = sockets.recvfrom(fd, max_bytes);
    if (got.would_block() || (!got.ok() && got.error().code == Errc::bad_fd)) {
      result.empty = true;
      return result;
    }
    ++result.read;
    bool go_on = got.ok() ? on_datagram(got.value()) : on_error(got.error());
    if (!go_on) return result;
  }
  return result;
}

}  // namespace loopcheck
