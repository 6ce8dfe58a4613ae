// An application's timer whose delay is not one number but a window [lo, hi]: when it fires,
// relative to everything else pending, is the world's `deliver` choice, like a peer's action.
// A scenario's periods, retry intervals and patience use it, so a certificate covers every
// delay in the declared window rather than silently depending on one value.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "model/world/pending_event.h"
#include "model/world/scenario.h"
#include "src/core/loop.h"

namespace loopcheck {

class AppTimer final : public EventSource {
 public:
  AppTimer(Loop& loop, std::string name) : loop_(loop), name_(std::move(name)) {}

  // Runs `fn` as a loop callback some time in [now + lo, now + hi], as a due timer would: in
  // the loop's next iteration after it fires. Replaces any armed or queued call.
  void arm(TimeWindow window, Tag tag, std::function<void()> fn);
  // The rest of the loop callback running now, which takes [lo, hi] more to finish (a slow step
  // under load; pair it with SimWorld::hold_loop): when it fires, `fn` runs at once, inside that
  // callback, so whatever it queues runs before anything the loop polls after the step.
  void arm_rest_of_step(TimeWindow window, Tag tag, std::function<void()> fn);
  void cancel();
  bool armed() const { return armed_; }

  void collect(Nanos now, std::vector<PendingEvent>& out) override;
  void fire(const PendingEvent& event) override;
  std::string describe(const PendingEvent& event) const override;
  Component component() const override { return Component::loop; }
  void fingerprint(StateHasher& h) const override;

 private:
  Loop& loop_;
  std::string name_;
  bool armed_ = false;
  bool rest_of_step_ = false;
  Nanos earliest_ = 0;
  Nanos latest_ = 0;
  Tag tag_;
  std::function<void()> fn_;
  Handle queued_;  // the callback, once fired and waiting in the loop's ready queue
};

}  // namespace loopcheck
