// asyncio's loop.start_tls (Lib/asyncio/base_events.py, CPython 3.13): upgrades a connected
// plain stream transport to TLS in place. It pauses reading, installs an SSL protocol as the
// transport's protocol, and on the next turns calls that protocol's connection_made and resumes
// reading; the caller's protocol gets no second connection_made and from then on talks to the
// SSL transport. The plain transport belongs to the SSL protocol afterwards.
//
// Two catalog switches sit here, where their fixes live: gh-109051 (the SSL protocol is not
// told that the transport had paused writing) and gh-142352 (a stream's read-ahead is left
// behind instead of handed to the handshake).
#pragma once

#include <functional>
#include <optional>

#include "src/core/bugs.h"
#include "src/core/loop.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"
#include "src/tls/ssl_protocol.h"

namespace loopcheck {

// The SSL protocol start_tls installs, and the transport the caller's code uses from then on:
// its app_transport(), or what stands in front of it (the simulation's monitor).
struct TlsUpgrade {
  SslProtocol& protocol;
  Transport& transport;
};

// Makes the SSL protocol that start_tls installs (asyncio constructs it inline; the simulation
// puts its monitor between it and the app first). The caller owns what it returns.
using SslProtocolFactory = std::function<TlsUpgrade(const SslOptions&, SslWaiter)>;

// start_tls's result, on a later turn: the error (the transport is then closed), or the new
// transport. Both empty is asyncio 3.13's `None`: the waiter was woken without an error after
// the connection was already lost (sslproto-lost-handshake).
using StartTlsDone = std::function<void(std::optional<Error> error, Transport* transport)>;

// `protocol` is the caller's protocol, the transport's until now. `options.call_connection_made`
// and `options.writing_paused` are start_tls's to set.
TlsUpgrade start_tls(Loop& loop, const BugSet& bugs, Transport& transport, Protocol& protocol, SslOptions options,
                     const SslProtocolFactory& make, StartTlsDone done);

// What an app written with plain protocols does around start_tls. Its protocol had
// connection_made from the plain transport and gets none from the SSL one, and decrypted bytes
// may reach it before start_tls has returned (3.13 reads on the handshake's own turn; the await
// resumes on a later one). A handover upgrades when told; from start_tls's return on it gives
// `inner` the SSL transport (connection_made), the bytes that came early, and every callback.
// Before that, the plain phase is the subclass's (the on_plain_* hooks).
class StartTlsHandover : public Protocol {
 public:
  StartTlsHandover(Loop& loop, const BugSet& bugs, Protocol& inner) : loop_(loop), bugs_(bugs), inner_(inner) {}
  void set_factory(SslProtocolFactory make) { make_ = std::move(make); }

  void connection_made(Transport& transport) final;
  void data_received(BytesView data) final;
  bool eof_received() final;
  void connection_lost(std::optional<Error> error) final;
  void pause_writing() final;
  void resume_writing() final;

  bool upgraded() const { return upgraded_; }
  // Bytes the SSL protocol delivered before start_tls returned, not yet handed to the app: after
  // a failed upgrade, what the app never got (with bpo-33674, the ClientHello itself).
  const Bytes& early() const { return early_; }
  // What start_tls raised (a None result counts: the connection was gone).
  const std::optional<Error>& upgrade_error() const { return upgrade_error_; }
  void fingerprint_handover(StateHasher& h) const;

 protected:
  // start_tls on the plain transport; `done` (optional) runs once it has returned, after the
  // handover, with whether it succeeded.
  void upgrade(SslOptions options, std::function<void(bool)> done = {});
  Transport& plain() const { return *plain_; }
  Loop& loop() const { return loop_; }
  virtual void on_plain_made(Transport&) {}
  virtual void on_plain_data(BytesView) {}  // before start_tls was called
  virtual void on_plain_lost(std::optional<Error>) {}  // lost before the handover

 private:
  Loop& loop_;
  const BugSet& bugs_;
  Protocol& inner_;
  SslProtocolFactory make_;
  Transport* plain_ = nullptr;
  bool started_ = false, upgraded_ = false;
  Bytes early_;  // decrypted bytes that came before start_tls returned
  std::optional<Error> upgrade_error_;
};

}  // namespace loopcheck
