#include "src/tls/start_tls.h"

#include <memory>
#include <utility>

#include "src/streams/stream_reader.h"

namespace loopcheck {

namespace {

// The callbacks start_tls scheduled, cancelled if the handshake fails before they ran. It owns
// them (their tags name it, not the transport): they are start_tls's, and may run after the
// transport beneath has gone, as in asyncio.
struct Pending {
  Handle connection_made, resume_reading;
  Transport* app_transport = nullptr;
  const SslProtocol* ssl = nullptr;
  bool lost() const { return ssl->connection_gone(); }
};

}  // namespace

TlsUpgrade start_tls(Loop& loop, const BugSet& bugs, Transport& transport, Protocol& protocol, SslOptions options,
                     const SslProtocolFactory& make, StartTlsDone done) {
  options.call_connection_made = false;
  // A transport paused for writing owes its protocol a resume_writing; the SSL protocol that
  // receives it must know it is paused (CPython's fix for gh-109051 reads _protocol_paused).
  options.writing_paused = bugs.on(Bug::gh_109051) ? false : transport.protocol_paused();

  auto pending = std::make_shared<Pending>();
  Transport* plain = &transport;
  // `await waiter`: the awaiting code resumes on a later turn; on failure start_tls closes the
  // transport and cancels what has not run yet, then raises. Otherwise it returns the SSL
  // protocol's app transport, which is None once the connection is gone.
  SslWaiter waiter = [&loop, plain, pending, done = std::move(done)](std::optional<Error> error) {
    loop.call_soon(Tag{pending.get(), "start_tls.resume"}, [plain, pending, done, error] {
      if (error) {
        plain->close();
        pending->connection_made.cancel();
        pending->resume_reading.cancel();
        done(error, nullptr);
        return;
      }
      done(std::nullopt, pending->lost() ? nullptr : pending->app_transport);
    });
  };
  TlsUpgrade upgrade = make(options, std::move(waiter));
  SslProtocol& ssl = upgrade.protocol;
  pending->app_transport = &upgrade.transport;
  pending->ssl = &ssl;

  // Paused first, so the SSL protocol's buffer_updated cannot come before its connection_made.
  transport.pause_reading();
  // What a server's stream read ahead (a ClientHello that came with the STARTTLS line) is the
  // handshake's first input, not the stream's (gh-142352).
  if (options.server_side && !bugs.on(Bug::gh_142352)) {
    if (auto* stream = dynamic_cast<StreamReaderProtocol*>(&protocol)) {
      Bytes ahead = stream->reader().take_buffer();
      if (!ahead.empty()) ssl.feed_incoming(ahead);
    }
  }
  transport.set_protocol(ssl);
  SslProtocol* installed = &ssl;
  pending->connection_made = loop.call_soon(Tag{pending.get(), "ssl.connection_made"},
                                            [installed, plain] { installed->connection_made(*plain); });
  pending->resume_reading =
      loop.call_soon(Tag{pending.get(), "resume_reading"}, [plain] { plain->resume_reading(); });
  return upgrade;
}

void StartTlsHandover::connection_made(Transport& transport) {
  plain_ = &transport;
  on_plain_made(transport);
}

void StartTlsHandover::data_received(BytesView data) {
  if (upgraded_) {
    inner_.data_received(data);
  } else if (started_) {
    early_.append(data.data(), data.size());
  } else {
    on_plain_data(data);
  }
}

bool StartTlsHandover::eof_received() { return upgraded_ ? inner_.eof_received() : false; }

void StartTlsHandover::connection_lost(std::optional<Error> error) {
  if (upgraded_) {
    inner_.connection_lost(std::move(error));
  } else {
    on_plain_lost(std::move(error));
  }
}

void StartTlsHandover::pause_writing() {
  if (upgraded_) inner_.pause_writing();
}

void StartTlsHandover::resume_writing() {
  if (upgraded_) inner_.resume_writing();
}

void StartTlsHandover::upgrade(SslOptions options, std::function<void(bool)> done) {
  started_ = true;
  start_tls(loop_, bugs_, *plain_, *this, options, make_,
            [this, done = std::move(done)](std::optional<Error> error, Transport* ssl) {
              if (error || !ssl) {
                upgrade_error_ = error ? *error : make_error(Errc::connection_reset, "start_tls returned None");
              } else {
                upgraded_ = true;
                inner_.connection_made(*ssl);
                Bytes early = std::move(early_);
                early_.clear();
                if (!early.empty()) inner_.data_received(early);
              }
              if (done) done(upgraded_);
            });
}

void StartTlsHandover::fingerprint_handover(StateHasher& h) const {
  h.value(started_);
  h.value(upgraded_);
  h.text(early_);
  h.value(upgrade_error_.has_value());
}

}  // namespace loopcheck
