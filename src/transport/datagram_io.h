// What the two datagram transports (selector and proactor) share: where a sendto goes, and the
// close-time drain of what the kernel already holds for the socket.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "src/core/error.h"
#include "src/core/socket_api.h"

namespace loopcheck {

// A connected transport sends only to its peer (an empty `to` means that peer); an unconnected
// one needs an address every time. On success `out` is the address to hand the socket: empty
// for a connected transport (asyncio sends with sock.send() then), the given one otherwise.
Status resolve_datagram_target(const Address& connected_peer, const Address& to, Address& out);

// Reads up to `limit` datagrams that are already queued for fd, without blocking. Each goes to
// on_datagram, each error (an ICMP report) to on_error; a callback returning false stops the
// drain (the protocol aborted the transport from inside it). `empty` is true when the kernel
// had nothing more (EAGAIN, or the fd is gone). Errors count towards `read` and `limit`.
struct DrainResult {
  std::size_t read = 0;
  bool empty = false;
};
DrainResult drain_datagrams(SocketApi& sockets, int fd, std::size_t max_bytes, std::size_t limit,
                            const std::function<bool(Datagram&)>& on_datagram,
                            const std::function<bool(const Error&)>& on_error);

// abort()'s end: reads and counts what the kernel still holds for fd, so the abort can say
// exactly what it threw away. An error found on the way still goes to on_error, never nowhere.
std::size_t discard_datagrams(SocketApi& sockets, int fd, std::size_t max_bytes, std::size_t limit,
                              const std::function<void(const Error&)>& on_error);

// get_extra_info for both datagram transports: socket, sockname, peername (connected only) and
// datagrams_discarded.
std::optional<std::string> datagram_extra_info(std::string_view name, const SocketApi& sockets, int fd,
                                               const Address& connected_peer, std::size_t discarded);

}  // namespace loopcheck
