#include "model/apps/adversary_datagram.h"

#include <string>

#include "model/apps/app_action.h"

namespace loopcheck {

namespace {
const char* const kActionNames[] = {"nothing", "sendto(4 bytes)", "sendto(empty)", "close()", "abort()"};
}  // namespace

AdversaryDatagram::AdversaryDatagram(SimWorld& world, int turns, Nanos period)
    : AppDatagram(world), turns_left_(turns), period_(period) {}

void AdversaryDatagram::on_made() {
  (void)transport_->sendto("ping");
  act("connection_made");
  if (!lost_) timer_ = world_.loop().call_later(period_, tag("app.idle_turn"), [this] { idle_turn(); });
}

void AdversaryDatagram::datagram_received(BytesView data, const Address& from) {
  AppDatagram::datagram_received(data, from);
  act("datagram_received");
}

void AdversaryDatagram::error_received(const Error& error) {
  AppDatagram::error_received(error);
  act("error_received");
}

void AdversaryDatagram::connection_lost(std::optional<Error>) {
  lost_ = true;
  timer_.cancel();
}

void AdversaryDatagram::idle_turn() {
  --turns_left_;
  act("idle");
  if (lost_ || transport_->is_closing()) return;
  if (turns_left_ > 0) {
    timer_ = world_.loop().call_later(period_, tag("app.idle_turn"), [this] { idle_turn(); });
    return;
  }
  world_.monitor().note(Component::protocol, "app: last turn: close()");
  transport_->close();
}

void AdversaryDatagram::act(const char* where) {
  if (lost_ || !transport_) return;
  auto n = static_cast<std::uint32_t>(Action::kCount);
  switch (static_cast<Action>(choose_app_action(world_, n, where, kActionNames))) {
    case Action::sendto_small:
      (void)transport_->sendto("data");
      return;
    case Action::sendto_empty:
      (void)transport_->sendto("");
      return;
    case Action::close:
      transport_->close();
      return;
    case Action::abort:
      transport_->abort();
      return;
    case Action::none:
    case Action::kCount:
      return;
  }
}

void AdversaryDatagram::fingerprint_app(StateHasher& h) const {
  h.value(turns_left_);
  h.value(lost_);
}

}  // namespace loopcheck
