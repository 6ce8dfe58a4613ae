// An adversarial app around loop.start_tls, the server side: in the plain phase it may change
// its write limits, pause reading, close or abort before it greets and upgrades; while the
// handshake runs it may close or abort the plain transport it still holds; once start_tls
// returns, the stream adversary (AdversaryStream) takes the SSL transport over. Each decision
// is an `app_action` choice, spending Bounds::max_app_actions like the stream adversary's.
//
// Its sane-app rules: it never calls start_tls on a transport it has closed, and its greeting
// is what the client waits for before it speaks TLS, so both sides agree where TLS begins.
#pragma once

#include <optional>

#include "model/apps/adversary_stream.h"
#include "model/apps/app_stream.h"
#include "src/tls/start_tls.h"

namespace loopcheck {

class StartTlsAdversary final : public AppStream {
 public:
  // hello: the greeting's size; the rest configures the adversary that takes the SSL transport.
  StartTlsAdversary(SimWorld& world, std::size_t hello, int turns, Nanos period, std::size_t high);
  void set_factory(SslProtocolFactory make) { make_ = std::move(make); }

  void data_received(BytesView data) override;
  bool eof_received() override;
  void pause_writing() override;
  void resume_writing() override;
  void connection_lost(std::optional<Error> error) override;

 private:
  enum class Plain { none, set_limits, pause_reading, close, abort, kCount };
  enum class During { none, close, abort, kCount };

  void on_made() override;
  void fingerprint_app(StateHasher& h) const override;
  void greet_and_upgrade();
  void during_handshake();
  void upgraded(Transport& ssl);

  std::size_t hello_;
  Nanos period_;
  AdversaryStream& inner_;
  SslProtocolFactory make_;
  bool closed_ = false;     // it closed or aborted the plain transport
  bool upgraded_ = false;   // start_tls returned: inner_ has the SSL transport
  bool lost_ = false;
  Bytes early_;             // decrypted bytes that came before start_tls returned
  TimerHandle timer_;
};

}  // namespace loopcheck
