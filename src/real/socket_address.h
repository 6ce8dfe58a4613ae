// Text addresses ("127.0.0.1:80", "[::1]:80", "/path") to and from sockaddr, shared by the
// POSIX sockets and the io_uring binding so both worlds name peers the way the fake kernel does.
#pragma once

#include <sys/socket.h>

#include "src/core/socket_api.h"

namespace loopcheck {

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// False when the text is none of the three forms.
bool parse_address(const Address& text, SockAddr& out);
Address format_address(const sockaddr_storage& storage, socklen_t length);

}  // namespace loopcheck
