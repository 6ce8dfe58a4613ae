// asyncio's socket-level loop calls (BaseSelectorEventLoop.sock_recv and sock_sendall, CPython
// 3.13): try the call at once, and when it would block wait for the fd's readiness with
// add_reader / add_writer. Coroutines become continuations: `done` runs inside the call when
// the answer is there at once, as a coroutine that never suspends would go on.
//
// Like asyncio (base_events._check_ssl_socket) they refuse an SSL socket with TypeError: an
// SSL socket's reads may need writes and its writes reads, which readiness of one direction
// cannot serve. seed 001's driver passed one anyway.
#pragma once

#include <cstddef>
#include <functional>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/socket_api.h"

namespace loopcheck {

// What the calls are given: the fd, and whether the object is an SSL socket wrapping it.
struct SocketObject {
  int fd = -1;
  bool ssl_socket = false;
};

// Errc::invalid_argument, asyncio's TypeError("Socket cannot be of type SSLSocket").
Error ssl_socket_refused();

void sock_recv(Loop& loop, SocketApi& sockets, SocketObject sock, std::size_t n,
               std::function<void(IoResult<Bytes>)> done);
void sock_sendall(Loop& loop, SocketApi& sockets, SocketObject sock, Bytes data, std::function<void(Status)> done);

}  // namespace loopcheck
