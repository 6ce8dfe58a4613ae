#include "src/real/posix_sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <cstring>
#include <vector>

#include "src/real/errno_error.h"
#include "src/real/posix_file.h"
#include "src/real/socket_address.h"

namespace loopcheck {
namespace {

IoResult<int> new_socket(int domain, int type) {
  int fd = ::socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return error_from_errno(errno, "socket");
  return fd;
}

}  // namespace

IoResult<Bytes> PosixSockets::recv(int fd, std::size_t max_bytes) {
  if (scratch_.size() < max_bytes) scratch_.resize(max_bytes);
  ssize_t n = ::recv(fd, scratch_.data(), max_bytes, MSG_DONTWAIT);
  if (n < 0) return error_from_errno(errno, "recv");
  return Bytes(scratch_.data(), static_cast<std::size_t>(n));
}

IoResult<std::size_t> PosixSockets::recv_into(int fd, std::span<char> into) {
  ssize_t n = ::recv(fd, into.data(), into.size(), MSG_DONTWAIT);
  if (n < 0) return error_from_errno(errno, "recv_into");
  return static_cast<std::size_t>(n);
}

IoResult<BytesView> PosixSockets::recv_view(int fd, std::size_t max_bytes) {
  if (view_buffer_.size() < max_bytes) view_buffer_.resize(max_bytes);
  ssize_t n = ::recv(fd, view_buffer_.data(), max_bytes, MSG_DONTWAIT);
  if (n < 0) return error_from_errno(errno, "recv");
  return BytesView(view_buffer_.data(), static_cast<std::size_t>(n));
}

IoResult<std::size_t> PosixSockets::send(int fd, BytesView data) {
  ssize_t n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) return error_from_errno(errno, "send");
  return static_cast<std::size_t>(n);
}

IoResult<std::size_t> PosixSockets::sendmsg(int fd, std::span<const BytesView> chunks) {
  std::vector<iovec> iov;
  iov.reserve(chunks.size());
  for (BytesView chunk : chunks) iov.push_back(iovec{const_cast<char*>(chunk.data()), chunk.size()});
  msghdr message{};
  message.msg_iov = iov.data();
  message.msg_iovlen = iov.size();
  ssize_t n = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) return error_from_errno(errno, "sendmsg");
  return static_cast<std::size_t>(n);
}

IoResult<std::size_t> PosixSockets::sendfile(int fd, const FileObject& file, std::uint64_t offset, std::size_t count) {
  const auto* on_disk = dynamic_cast<const PosixFile*>(&file);
  if (!on_disk) return SocketApi::sendfile(fd, file, offset, count);
  // sendfile(2) has no MSG_NOSIGNAL: SIGPIPE is held back for the call, and one it raised is
  // taken, so a peer that has gone is EPIPE as it is for send().
  sigset_t pipe, old, pending;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, &old);
  sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  off_t at = static_cast<off_t>(offset);
  ssize_t n = ::sendfile(fd, *on_disk->fileno(), &at, count);
  const int err = errno;
  if (n < 0 && err == EPIPE && !was_pending) {
    timespec now{};
    (void)sigtimedwait(&pipe, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (n < 0) return error_from_errno(err, "sendfile");
  return static_cast<std::size_t>(n);
}

Status PosixSockets::shutdown_write(int fd) {
  if (::shutdown(fd, SHUT_WR) != 0) return error_from_errno(errno, "shutdown");
  return std::nullopt;
}

IoResult<Datagram> PosixSockets::recvfrom(int fd, std::size_t max_bytes) {
  if (scratch_.size() < max_bytes) scratch_.resize(max_bytes);
  sockaddr_storage from{};
  socklen_t length = sizeof from;
  ssize_t n = ::recvfrom(fd, scratch_.data(), max_bytes, MSG_DONTWAIT,
                         reinterpret_cast<sockaddr*>(&from), &length);
  if (n < 0) return error_from_errno(errno, "recvfrom");
  return Datagram{Bytes(scratch_.data(), static_cast<std::size_t>(n)), format_address(from, length)};
}

IoResult<std::size_t> PosixSockets::sendto(int fd, BytesView data, const Address& to) {
  ssize_t n = 0;
  if (to.empty()) {
    n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  } else {
    SockAddr address;
    if (!parse_address(to, address)) return make_error(Errc::invalid_argument, "bad address " + to);
    n = ::sendto(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL, address.get(), address.length);
  }
  if (n < 0) return error_from_errno(errno, "sendto");
  return static_cast<std::size_t>(n);
}

Status PosixSockets::close(int fd) {
  if (::close(fd) != 0) return error_from_errno(errno, "close");
  return std::nullopt;
}

Address PosixSockets::sockname(int fd) const {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return {};
  return format_address(storage, length);
}

Address PosixSockets::peername(int fd) const {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return {};
  return format_address(storage, length);
}

IoResult<std::pair<int, int>> PosixSockets::stream_socketpair() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return error_from_errno(errno, "socketpair");
  }
  return std::pair<int, int>{fds[0], fds[1]};
}

IoResult<int> PosixSockets::tcp_listen(const Address& address) {
  SockAddr where;
  if (!parse_address(address, where)) return make_error(Errc::invalid_argument, "bad address " + address);
  IoResult<int> fd = new_socket(where.storage.ss_family, SOCK_STREAM);
  if (!fd.ok()) return fd;
  int one = 1;
  setsockopt(fd.value(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.value(), where.get(), where.length) != 0 || ::listen(fd.value(), 4096) != 0) {
    Error error = error_from_errno(errno, "bind/listen " + address);
    ::close(fd.value());
    return error;
  }
  return fd;
}

IoResult<int> PosixSockets::tcp_connect(const Address& address) {
  SockAddr where;
  if (!parse_address(address, where)) return make_error(Errc::invalid_argument, "bad address " + address);
  IoResult<int> fd = new_socket(where.storage.ss_family, SOCK_STREAM);
  if (!fd.ok()) return fd;
  if (::connect(fd.value(), where.get(), where.length) != 0 && errno != EINPROGRESS) {
    Error error = error_from_errno(errno, "connect " + address);
    ::close(fd.value());
    return error;
  }
  return fd;
}

IoResult<int> PosixSockets::tcp_accept(int listener) {
  int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return error_from_errno(errno, "accept");
  return fd;
}

IoResult<int> PosixSockets::dgram_socket(bool unix_domain, const Address& bind_to) {
  SockAddr where;
  if (!bind_to.empty() && !parse_address(bind_to, where)) {
    return make_error(Errc::invalid_argument, "bad address " + bind_to);
  }
  IoResult<int> fd = new_socket(unix_domain ? AF_UNIX : (bind_to.empty() ? AF_INET : where.storage.ss_family),
                                SOCK_DGRAM);
  if (!fd.ok() || bind_to.empty()) return fd;
  if (::bind(fd.value(), where.get(), where.length) != 0) {
    Error error = error_from_errno(errno, "bind " + bind_to);
    ::close(fd.value());
    return error;
  }
  return fd;
}

Status PosixSockets::dgram_connect(int fd, const Address& address) {
  SockAddr where;
  if (!parse_address(address, where)) return make_error(Errc::invalid_argument, "bad address " + address);
  if (::connect(fd, where.get(), where.length) != 0) return error_from_errno(errno, "connect " + address);
  return std::nullopt;
}

}  // namespace loopcheck
