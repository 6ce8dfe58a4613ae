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
    : AppStream(world),
      hello_(hello),
      period_(period),
      inner_(world.own(std::make_unique<AdversaryStream>(world, turns, period, high))) {}

// As CPython's test: the task that greets and upgrades runs on the turn after connection_made.
void StartTlsAdversary::on_made() {
  world_.loop().call_soon(tag("main"), [this] { greet_and_upgrade(); });
}

void StartTlsAdversary::greet_and_upgrade() {
  if (lost_) return;
  switch (static_cast<Plain>(choose_app_action(world_, static_cast<std::uint32_t>(Plain::kCount),
                                               "before start_tls", kPlainNames))) {
    case Plain::none:
    case Plain::kCount:
      break;
    case Plain::set_limits:
      (void)transport_->set_write_buffer_limits(16, 4);
      break;
    case Plain::pause_reading:  // start_tls resumes reading itself
      transport_->pause_reading();
      break;
    case Plain::close:
      closed_ = true;
      transport_->close();
      return;
    case Plain::abort:
      closed_ = true;
      transport_->abort();
      return;
  }
  (void)transport_->write(SenderPeer::payload(0, hello_));
  start_tls(world_.loop(), world_.bugs(), *transport_, *this, SslOptions{.server_side = true}, make_,
            [this](std::optional<Error> error, Transport* ssl) {
              timer_.cancel();
              if (!error && ssl) upgraded(*ssl);  // None (no error, no transport): a sane app gives up
            });
  timer_ = world_.loop().call_later(period_, tag("app.during_handshake"), [this] { during_handshake(); });
}

// The plain transport is still the app's to hold; closing it is how an app gives up an upgrade.
void StartTlsAdversary::during_handshake() {
  if (lost_ || upgraded_ || closed_) return;
  switch (static_cast<During>(choose_app_action(world_, static_cast<std::uint32_t>(During::kCount),
                                                "during the handshake", kDuringNames))) {
    case During::none:
    case During::kCount:
      return;
    case During::close:
      closed_ = true;
      transport_->close();
      return;
    case During::abort:
      closed_ = true;
      transport_->abort();
      return;
  }
}

void StartTlsAdversary::upgraded(Transport& ssl) {
  upgraded_ = true;
  transport_ = &ssl;
  inner_.connection_made(ssl);
  Bytes early = std::move(early_);
  early_.clear();
  if (!early.empty()) inner_.data_received(early);
}

void StartTlsAdversary::data_received(BytesView data) {
  AppStream::data_received(data);
  if (!upgraded_) {
    early_ += data;
    return;
  }
  inner_.data_received(data);
}

bool StartTlsAdversary::eof_received() { return upgraded_ ? inner_.eof_received() : false; }

void StartTlsAdversary::pause_writing() {
  if (upgraded_) inner_.pause_writing();
}

void StartTlsAdversary::resume_writing() {
  if (upgraded_) inner_.resume_writing();
}

void StartTlsAdversary::connection_lost(std::optional<Error> error) {
  lost_ = true;
  timer_.cancel();
  if (upgraded_) inner_.connection_lost(error);
}

void StartTlsAdversary::fingerprint_app(StateHasher& h) const {
  h.value(closed_);
  h.value(upgraded_);
  h.value(lost_);
  h.text(early_);
  h.value(timer_.cancelled());
}

}  // namespace loopcheck
