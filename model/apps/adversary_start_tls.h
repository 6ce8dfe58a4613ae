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
#include "model/world/world.h"
#include "src/tls/start_tls.h"

namespace loopcheck {

class StartTlsAdversary final : public StartTlsHandover, public Fingerprinted {
 public:
  // hello: the greeting's size; the rest configures the adversary that takes the SSL transport.
  StartTlsAdversary(SimWorld& world, std::size_t hello, int turns, Nanos period, std::size_t high);
  void fingerprint(StateHasher& h) const override;

 private:
  enum class Plain { none, set_limits, pause_reading, close, abort, kCount };
  enum class During { none, close, abort, kCount };

  void on_plain_made(Transport&) override;
  void on_plain_lost(std::optional<Error>) override;
  void greet_and_upgrade();
  void during_handshake();

  SimWorld& world_;
  std::size_t hello_;
  Nanos period_;
  bool closed_ = false;  // it closed or aborted the plain transport
  bool lost_ = false;    // the plain transport was lost before the upgrade
  TimerHandle timer_;
};

}  // namespace loopcheck
