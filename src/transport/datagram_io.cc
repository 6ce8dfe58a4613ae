#include "src/transport/datagram_io.h"

namespace loopcheck {

Status resolve_datagram_target(const Address& connected_peer, const Address& to, Address& out) {
  if (!connected_peer.empty()) {
    if (!to.empty() && to != connected_peer) {
      return make_error(Errc::invalid_argument, "invalid address: must be empty or " + connected_peer);
    }
    out.clear();  // the connected peer: asyncio's sock.send()
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

std::size_t discard_datagrams(SocketApi& sockets, int fd, std::size_t max_bytes, std::size_t limit,
                              const std::function<void(const Error&)>& on_error) {
  std::size_t count = 0;
  (void)drain_datagrams(
      sockets, fd, max_bytes, limit,
      [&count](Datagram&) {
        ++count;
        return true;
      },
      [&on_error](const Error& error) {
        on_error(error);
        return true;
      });
  return count;
}

std::optional<std::string> datagram_extra_info(std::string_view name, const SocketApi& sockets, int fd,
                                               const Address& connected_peer, std::size_t discarded) {
  if (name == "socket") return std::to_string(fd);
  if (name == "sockname") return sockets.sockname(fd);
  if (name == "peername") {
    if (connected_peer.empty()) return std::nullopt;
    return connected_peer;
  }
  if (name == "datagrams_discarded") return std::to_string(discarded);
  return std::nullopt;
}

}  // namespace loopcheck
