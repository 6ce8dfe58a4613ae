// The non-blocking socket calls a selector transport makes. The FakeKernel and posix_sockets
// both implement it; errno becomes Errc, and EAGAIN is Errc::would_block, never a failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <variant>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/file_object.h"

namespace loopcheck {

using Address = std::string;

template <typename T>
class IoResult {
 public:
  IoResult(T value) : v_(std::move(value)) {}  // NOLINT: implicit on purpose, like expected<>
  IoResult(Error error) : v_(std::move(error)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }
  bool would_block() const { return !ok() && error().code == Errc::would_block; }

 private:
  std::variant<T, Error> v_;
};

struct Datagram {
  Bytes data;
  Address from;
};

class SocketApi {
 public:
  virtual ~SocketApi() = default;
  // Stream: an empty result means EOF.
  virtual IoResult<Bytes> recv(int fd, std::size_t max_bytes) = 0;
  // socket.recv_into, what asyncio's selector transport uses for a BufferedProtocol: the same
  // receive, into the caller's buffer. This default receives and copies; a real binding reads
  // straight into `into`.
  virtual IoResult<std::size_t> recv_into(int fd, std::span<char> into) {
    IoResult<Bytes> got = recv(fd, into.size());
    if (!got.ok()) return got.error();
    std::memcpy(into.data(), got.value().data(), got.value().size());
    return got.value().size();
  }
  // recv, with the bytes lent rather than handed over: they stay valid until the next
  // recv_view on this SocketApi and no longer. Only a caller that is done with them before it
  // can be entered again may use it: the selector stream transport's read_ready, which the loop
  // never nests. A real binding receives into one reused buffer, so a 256 KiB read costs no
  // allocation and no copy; this default keeps what recv returned.
  virtual IoResult<BytesView> recv_view(int fd, std::size_t max_bytes) {
    IoResult<Bytes> got = recv(fd, max_bytes);
    if (!got.ok()) return got.error();
    lent_ = std::move(got.value());
    return BytesView(lent_);
  }
  virtual IoResult<std::size_t> send(int fd, BytesView data) = 0;
  // A gathering send (sendmsg over an iovec): on a stream socket the same as one send of the
  // chunks joined, which is what this default does; a real binding passes the chunks as they are.
  virtual IoResult<std::size_t> sendmsg(int fd, std::span<const BytesView> chunks) {
    Bytes joined;
    for (BytesView chunk : chunks) joined.append(chunk.data(), chunk.size());
    return send(fd, joined);
  }
  // os.sendfile(fd, file.fileno(), offset, count): the kernel sends up to `count` bytes of the
  // file from `offset` (0 at its end), moving no file position. This default is what a kernel
  // does for a regular file: one send of what pread finds there. A file without a fileno fails
  // as the syscall fails for it (EINVAL).
  virtual IoResult<std::size_t> sendfile(int fd, const FileObject& file, std::uint64_t offset, std::size_t count) {
    if (!file.fileno()) return make_error(Errc::invalid_argument, "sendfile: not a regular file (EINVAL)");
    Bytes chunk = file.pread(offset, count);
    if (chunk.empty()) return std::size_t{0};
    return send(fd, chunk);
  }
  virtual Status shutdown_write(int fd) = 0;
  // Datagram: to empty = the connected peer.
  virtual IoResult<Datagram> recvfrom(int fd, std::size_t max_bytes) = 0;
  virtual IoResult<std::size_t> sendto(int fd, BytesView data, const Address& to) = 0;
  virtual Status close(int fd) = 0;
  virtual Address sockname(int fd) const = 0;
  virtual Address peername(int fd) const = 0;

 private:
  Bytes lent_;  // the default recv_view's last answer
};

}  // namespace loopcheck
