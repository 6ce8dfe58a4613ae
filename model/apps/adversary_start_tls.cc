#include "model/apps/adversary_start_tls.h"

#include <memory>

#include "model/apps/app_action.h"
#include "model/world/peers.h"

namespace loopcheck {

namespace {
const char* const kPlainNames[] = {"nothing", "set_write_buffer_limits(16, 4)", "pause_reading()", "close()",
                                   "abort()"};
const char* const kDuringNames[] = {"nothing", "close() the plain transport", "abort() the plain transport"};
}  // namespace

StartTlsAdversary::StartTlsAdversary(SimWorld& world, std::size_t hello, int turns, Nanos period,
                                     std::size_t high)
    : StartTlsHandover(world.loop(), world.bugs(),
                       world.own(std::make_unique<AdversaryStream>(world, turns, period, high))),
      world_(world),
      hello_(hello),
      period_(period) {}

// As CPython's test: the task that greets and upgrades runs on the turn after connection_made.
void StartTlsAdversary::on_plain_made(Transport&) {
  loop().call_soon(Tag{this, "main"}, [this] { greet_and_upgrade(); });
}

void StartTlsAdversary::on_plain_lost(std::optional<Error>) {
  lost_ = true;
  timer_.cancel();
}

void StartTlsAdversary::greet_and_upgrade() {
  if (lost_) return;
  switch (static_cast<Plain>(choose_app_action(world_, static_cast<std::uint32_t>(Plain::kCount),
                                               "before start_tls", kPlainNames))) {
    case Plain::none:
    case Plain::kCount:
      break;
    case Plain::set_limits:
      (void)plain().set_write_buffer_limits(16, 4);
      break;
    case Plain::pause_reading:  // start_tls resumes reading itself
      plain().pause_reading();
      break;
    case Plain::close:
      closed_ = true;
      plain().close();
      return;
    case Plain::abort:
      closed_ = true;
      plain().abort();
      return;
  }
  (void)plain().write(SenderPeer::payload(0, hello_));
  // None (no error, no transport) is a failure too: a sane app gives up.
  upgrade(SslOptions{.server_side = true}, [this](bool) { timer_.cancel(); });
  timer_ = loop().call_later(period_, Tag{this, "app.during_handshake"}, [this] { during_handshake(); });
}

// The plain transport is still the app's to hold; closing it is how an app gives up an upgrade.
void StartTlsAdversary::during_handshake() {
  if (lost_ || upgraded() || closed_) return;
  switch (static_cast<During>(choose_app_action(world_, static_cast<std::uint32_t>(During::kCount),
                                                "during the handshake", kDuringNames))) {
    case During::none:
    case During::kCount:
      return;
    case During::close:
      closed_ = true;
      plain().close();
      return;
    case During::abort:
      closed_ = true;
      plain().abort();
      return;
  }
}

void StartTlsAdversary::fingerprint(StateHasher& h) const {
  fingerprint_handover(h);
  h.value(closed_);
  h.value(lost_);
  h.value(timer_.cancelled());
}

}  // namespace loopcheck
