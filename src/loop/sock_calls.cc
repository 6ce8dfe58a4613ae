#include "src/loop/sock_calls.h"

#include <memory>
#include <utility>

namespace loopcheck {

Error ssl_socket_refused() { return make_error(Errc::invalid_argument, "TypeError: Socket cannot be of type SSLSocket"); }

void sock_recv(Loop& loop, SocketApi& sockets, SocketObject sock, std::size_t n,
               std::function<void(IoResult<Bytes>)> done) {
  if (sock.ssl_socket) {
    done(ssl_socket_refused());
    return;
  }
  IoResult<Bytes> now = sockets.recv(sock.fd, n);
  if (!now.would_block()) {
    done(std::move(now));
    return;
  }
  // _sock_recv: on readiness try again; the reader goes once the future is done.
  auto shared = std::make_shared<std::function<void(IoResult<Bytes>)>>(std::move(done));
  Status added = loop.add_reader(sock.fd, Tag{shared.get(), "sock_recv"}, [&loop, &sockets, sock, n, shared] {
    IoResult<Bytes> r = sockets.recv(sock.fd, n);
    if (r.would_block()) return;
    loop.remove_reader(sock.fd);
    (*shared)(std::move(r));
  });
  if (added) (*shared)(*added);
}

namespace {

// _sock_sendall: send what is left on each writability until all of it has gone.
void send_rest(Loop& loop, SocketApi& sockets, int fd, std::shared_ptr<Bytes> rest,
               std::shared_ptr<std::function<void(Status)>> done) {
  IoResult<std::size_t> sent = sockets.send(fd, *rest);
  if (!sent.ok() && !sent.would_block()) {
    loop.remove_writer(fd);
    (*done)(sent.error());
    return;
  }
  if (sent.ok()) rest->erase(0, sent.value());
  if (rest->empty()) {
    loop.remove_writer(fd);
    (*done)(std::nullopt);
  }
}

}  // namespace

void sock_sendall(Loop& loop, SocketApi& sockets, SocketObject sock, Bytes data, std::function<void(Status)> done) {
  if (sock.ssl_socket) {
    done(ssl_socket_refused());
    return;
  }
  IoResult<std::size_t> now = sockets.send(sock.fd, data);
  if (!now.ok() && !now.would_block()) {
    done(now.error());
    return;
  }
  std::size_t n = now.ok() ? now.value() : 0;
  if (n == data.size()) {
    done(std::nullopt);
    return;
  }
  auto rest = std::make_shared<Bytes>(data.substr(n));
  auto shared = std::make_shared<std::function<void(Status)>>(std::move(done));
  int fd = sock.fd;
  Status added = loop.add_writer(fd, Tag{shared.get(), "sock_sendall"},
                                 [&loop, &sockets, fd, rest, shared] { send_rest(loop, sockets, fd, rest, shared); });
  if (added) (*shared)(*added);
}

}  // namespace loopcheck
