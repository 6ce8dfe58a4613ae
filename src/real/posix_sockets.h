// The real SocketApi: non-blocking TCP, UDP, AF_UNIX stream and AF_UNIX datagram sockets.
// Addresses are text, as in the fake kernel: "127.0.0.1:8080", "[::1]:8080", or an AF_UNIX
// path ("/tmp/x.sock"). errno becomes Errc through errno_error.h.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "src/core/socket_api.h"

namespace loopcheck {

class PosixSockets final : public SocketApi {
 public:
  IoResult<Bytes> recv(int fd, std::size_t max_bytes) override;
  IoResult<std::size_t> recv_into(int fd, std::span<char> into) override;
  IoResult<BytesView> recv_view(int fd, std::size_t max_bytes) override;
  IoResult<std::size_t> send(int fd, BytesView data) override;
  IoResult<std::size_t> sendmsg(int fd, std::span<const BytesView> chunks) override;
  // sendfile(2) for a file on disk (PosixFile); any other file through SocketApi's default.
  IoResult<std::size_t> sendfile(int fd, const FileObject& file, std::uint64_t offset, std::size_t count) override;
  Status shutdown_write(int fd) override;
  IoResult<Datagram> recvfrom(int fd, std::size_t max_bytes) override;
  IoResult<std::size_t> sendto(int fd, BytesView data, const Address& to) override;
  Status close(int fd) override;
  Address sockname(int fd) const override;
  Address peername(int fd) const override;

  // Set-up calls (all sockets non-blocking and close-on-exec).
  static IoResult<std::pair<int, int>> stream_socketpair();
  static IoResult<int> tcp_listen(const Address& address);  // port 0 = any free port
  static IoResult<int> tcp_connect(const Address& address);  // may still be in progress
  static IoResult<int> tcp_accept(int listener);
  static IoResult<int> dgram_socket(bool unix_domain, const Address& bind_to);
  static Status dgram_connect(int fd, const Address& address);

 private:
  std::vector<char> scratch_;  // reused receive buffer: one allocation, not one per recv
  std::vector<char> view_buffer_;  // recv_view's, apart, so a recv cannot overwrite a lent view
};

}  // namespace loopcheck
