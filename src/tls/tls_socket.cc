#include "src/tls/tls_socket.h"

#include <utility>

namespace loopcheck {

void TlsSocket::handshake(std::function<void(std::optional<Error>)> done) {
  done_ = std::move(done);
  step();
}

// One turn of a non-blocking do_handshake(): what the library wrote goes to the fd; what it
// wants to read comes from the fd; when the fd has nothing, wait for it to be readable.
void TlsSocket::step() {
  if (closed_ || !done_) return;
  for (;;) {
    digest_.note('h');
    TlsResult r = engine_->do_handshake();
    if (!flush()) return;  // resumed by writability
    if (r.status == TlsStatus::ok) return finish(std::nullopt);
    if (r.status != TlsStatus::want_read && r.status != TlsStatus::want_write) {
      return finish(make_error(Errc::tls, r.reason.empty() ? "SSL handshake failed" : r.reason));
    }
    IoResult<Bytes> got = sockets_.recv(fd_, 64 * 1024);
    if (got.would_block()) {
      if (!reading_) {
        reading_ = true;
        (void)loop_.add_reader(fd_, tag("ssl_socket.readable"), [this] { step(); });
      }
      return;
    }
    if (!got.ok()) return finish(got.error());
    if (got.value().empty()) {
      digest_.note('e');
      engine_->feed_eof();
    } else {
      digest_.note('f', got.value());
      engine_->feed(got.value());
    }
  }
}

bool TlsSocket::flush() {
  Bytes taken = engine_->take_outgoing();
  if (!taken.empty()) digest_.note('o');
  unsent_ += taken;
  while (!unsent_.empty()) {
    IoResult<std::size_t> sent = sockets_.send(fd_, unsent_);
    if (sent.would_block()) {
      if (!writing_) {
        writing_ = true;
        (void)loop_.add_writer(fd_, tag("ssl_socket.writable"), [this] {
          writing_ = false;
          loop_.remove_writer(fd_);
          step();
        });
      }
      return false;
    }
    if (!sent.ok()) return true;  // the read side will report the broken connection
    unsent_.erase(0, sent.value());
  }
  return true;
}

void TlsSocket::finish(std::optional<Error> error) {
  unwatch();
  auto done = std::move(done_);
  done_ = nullptr;
  done(std::move(error));
}

void TlsSocket::unwatch() {
  if (reading_) loop_.remove_reader(fd_);
  if (writing_) loop_.remove_writer(fd_);
  reading_ = writing_ = false;
}

void TlsSocket::close() {
  if (closed_) return;
  closed_ = true;
  unwatch();
  (void)sockets_.close(fd_);
}

void TlsSocket::fingerprint(StateHasher& h) const {
  h.value(digest_.value());
  h.text(unsent_);
  h.value(reading_);
  h.value(writing_);
  h.value(closed_);
}

}  // namespace loopcheck
