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
  rest_of_step_ = false;
}

void AppTimer::arm_rest_of_step(TimeWindow window, Tag tag, std::function<void()> fn) {
  arm(window, tag, std::move(fn));
  rest_of_step_ = true;
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
  std::function<void()> fn = std::move(fn_);
  fn_ = nullptr;
  if (!rest_of_step_) {
    queued_ = loop_.call_soon(tag_, std::move(fn));
    return;
  }
  // Still the callback that began the step: an exception goes where the loop sends its own.
  try {
    fn();
  } catch (const std::exception& e) {
    loop_.call_exception_handler({std::string("exception in callback ") + tag_.label,
                                  make_error(Errc::other, e.what()), tag_.owner});
  }
}

std::string AppTimer::describe(const PendingEvent&) const {
  return name_ + ": " + tag_.label + (rest_of_step_ ? " finishes its step" : " is due") + " (window " +
         format_time(earliest_) + ".." + format_time(latest_) + ")";
}

void AppTimer::fingerprint(StateHasher& h) const {
  h.value(armed_);
  if (!armed_) return;
  h.value(rest_of_step_);
  h.time(earliest_);
  h.time(latest_);
  h.text(tag_.label);
}

}  // namespace loopcheck
