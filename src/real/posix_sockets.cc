#include "src/real/posix_sockets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/real/errno_error.h"

namespace loopcheck {
namespace {

struct SockAddr {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// "127.0.0.1:80", "[::1]:80" or "/path": false when the text is none of those.
bool parse_address(const Address& text, SockAddr& out) {
  if (!text.empty() && text.front() == '/') {
    auto* un = reinterpret_cast<sockaddr_un*>(&out.storage);
    if (text.size() >= sizeof(un->sun_path)) return false;
    un->sun_family = AF_UNIX;
    std::memcpy(un->sun_path, text.c_str(), text.size() + 1);
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + text.size() + 1);
    return true;
  }
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  int port = std::atoi(text.c_str() + colon + 1);
  if (port < 0 || port > 65535) return false;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<std::uint16_t>(port));
    out.length = sizeof(sockaddr_in6);
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &in6->sin6_addr) == 1;
  }
  auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(static_cast<std::uint16_t>(port));
  out.length = sizeof(sockaddr_in);
  return inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1;
}

Address format_address(const sockaddr_storage& storage, socklen_t length) {
  char host[INET6_ADDRSTRLEN] = {};
  switch (storage.ss_family) {
    case AF_INET: {
      const auto* in = reinterpret_cast<const sockaddr_in*>(&storage);
      inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
      return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
    }
    case AF_INET6: {
      const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&storage);
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
    }
    case AF_UNIX: {
      const auto* un = reinterpret_cast<const sockaddr_un*>(&storage);
      std::size_t max = length > offsetof(sockaddr_un, sun_path) ? length - offsetof(sockaddr_un, sun_path) : 0;
      return std::string(un->sun_path, strnlen(un->sun_path, std::min(max, sizeof(un->sun_path))));
    }
    default: return {};
  }
}

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

IoResult<std::size_t> PosixSockets::send(int fd, BytesView data) {
  ssize_t n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  if (n < 0) return error_from_errno(errno, "send");
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
