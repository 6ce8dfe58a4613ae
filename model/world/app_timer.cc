#include "model/world/app_timer.h"

#include "model/world/trace.h"
#include "src/core/time.h"

namespace loopcheck {

void AppTimer::arm(TimeWindow window, Tag tag, std::function<void()> fn) {
  cancel();
  armed_ = true;
  earliest_ = add_time(loop_.time(), window.lo);
  latest_ = add_time(loop_.time(), window.hi);
  tag_ = tag;
  fn_ = std::move(fn);
}

void AppTimer::cancel() {
  armed_ = false;
  fn_ = nullptr;
  queued_.cancel();
}

void AppTimer::collect(Nanos, std::vector<PendingEvent>& out) {
  if (armed_) out.push_back(PendingEvent{this, 0, earliest_, latest_});
}

void AppTimer::fire(const PendingEvent&) {
  armed_ = false;
  queued_ = loop_.call_soon(tag_, std::move(fn_));
  fn_ = nullptr;
}

std::string AppTimer::describe(const PendingEvent&) const {
  return name_ + ": " + tag_.label + " is due (window " + format_time(earliest_) + ".." +
         format_time(latest_) + ")";
}

void AppTimer::fingerprint(StateHasher& h) const {
  h.value(armed_);
  if (!armed_) return;
  h.time(earliest_);
  h.time(latest_);
  h.text(tag_.label);
}

}  // namespace loopcheck
