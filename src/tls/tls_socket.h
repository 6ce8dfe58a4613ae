// An SSL socket: a TLS endpoint wrapped around a connected non-blocking fd, as ssl.SSLSocket is
// (here over the TlsEngine's memory BIOs, pumped to and from the fd by hand). It is what seed
// 001's driver made with wrap_socket and then handed to the loop's socket-level calls, which
// refuse it (src/loop/sock_calls). Only what that story needs is here: the handshake, which
// the driver ran to the end before starting its I/O loops, and the object the loop refuses.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/socket_api.h"
#include "src/core/state_hasher.h"
#include "src/core/tls_engine.h"
#include "src/loop/sock_calls.h"

namespace loopcheck {

class TlsSocket final : public Fingerprinted {
 public:
  TlsSocket(Loop& loop, SocketApi& sockets, int fd, std::unique_ptr<TlsEngine> engine)
      : loop_(loop), sockets_(sockets), fd_(fd), engine_(std::move(engine)) {}
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  // The handshake, driven by the fd's readiness; `done` gets nothing or the failure.
  void handshake(std::function<void(std::optional<Error>)> done);
  SocketObject object() const { return SocketObject{fd_, /*ssl_socket=*/true}; }
  int fd() const { return fd_; }
  void close();
  void fingerprint(StateHasher& h) const override;

 private:
  void step();
  bool flush();  // false while bytes wait for the fd to be writable
  void finish(std::optional<Error> error);
  void unwatch();
  Tag tag(const char* label) const { return Tag{this, label}; }

  Loop& loop_;
  SocketApi& sockets_;
  int fd_;
  std::unique_ptr<TlsEngine> engine_;
  Bytes unsent_;
  bool reading_ = false, writing_ = false, closed_ = false;
  std::function<void(std::optional<Error>)> done_;
  TlsCallDigest digest_;
};

}  // namespace loopcheck
