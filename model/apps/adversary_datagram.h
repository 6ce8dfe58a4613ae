// The adversary of a datagram transport (selector or proactor): inside every protocol callback
// and on each idle turn, its next call is an `app_action` choice (0 = nothing, the default
// path; anything else spends one unit of Bounds::max_app_actions): sendto of a few bytes,
// sendto of an empty datagram, close(), abort(). Its default path sends one datagram when the
// connection is made and closes on its last idle turn, as a client that is done would.
#pragma once

#include "model/apps/app_datagram.h"

namespace loopcheck {

class AdversaryDatagram final : public AppDatagram {
 public:
  AdversaryDatagram(SimWorld& world, int turns, Nanos period);

  void datagram_received(BytesView data, const Address& from) override;
  void error_received(const Error& error) override;
  void connection_lost(std::optional<Error> error) override;

 private:
  enum class Action { none, sendto_small, sendto_empty, close, abort, kCount };

  void on_made() override;
  void fingerprint_app(StateHasher& h) const override;
  void act(const char* where);
  void idle_turn();

  int turns_left_;
  Nanos period_;
  bool lost_ = false;
  TimerHandle timer_;
};

}  // namespace loopcheck
