#include "src/loop/event_loop.h"

#include <algorithm>
#include <exception>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace loopcheck {

EventLoop::EventLoop(Clock& clock, Poller& poller, ChoiceSource& choices, Tracer& tracer)
    : clock_(clock), poller_(poller), choices_(choices), tracer_(tracer) {}

std::shared_ptr<HandleState> EventLoop::make_handle(Tag tag, std::function<void()> fn) {
  auto state = std::make_shared<HandleState>();
  state->tag = tag;
  state->fn = std::move(fn);
  return state;
}

Handle EventLoop::call_soon(Tag tag, std::function<void()> fn) {
  auto state = make_handle(tag, std::move(fn));
  ready_.push_back(state);
  return Handle(state);
}

void EventLoop::purge_cancelled_timers() {
  std::vector<std::pair<Nanos, std::uint64_t>> kept;
  for (auto it = timers_.begin(); it != timers_.end();) {
    if (it->second->cancelled) {
      it = timers_.erase(it);
    } else {
      kept.emplace_back(it->second->when, it->first);
      ++it;
    }
  }
  timer_order_ = decltype(timer_order_)(TimerLater{}, std::move(kept));
}

TimerHandle EventLoop::call_at(Nanos when, Tag tag, std::function<void()> fn) {
  // Checked each time the table has doubled since the last check, so the scan costs O(1) per
  // call amortised even when thousands of timers are live (a check every 64 calls was not: with
  // N live timers it cost N/64 a call, the load test's hottest function).
  if (timers_.size() >= purge_check_at_) {
    if (live_timer_count() * 2 < timers_.size()) purge_cancelled_timers();
    purge_check_at_ = std::max<std::size_t>(64, 2 * timers_.size());
  }
  auto state = make_handle(tag, std::move(fn));
  state->when = when;
  std::uint64_t seq = timer_seq_++;
  timers_.emplace(seq, state);
  timer_order_.emplace(when, seq);
  return TimerHandle(state);
}

std::uint8_t EventLoop::Watch::mask() const {
  return static_cast<std::uint8_t>((reader ? kReadable : 0) | (writer ? kWritable : 0));
}

void EventLoop::update_interest(int fd) {
  auto it = watches_.find(fd);
  std::uint8_t mask = it == watches_.end() ? 0 : it->second.mask();
  if (it != watches_.end() && mask == 0) watches_.erase(it);
  poller_.set_interest(fd, mask);
}

// Replacing a registration cancels the old handle, as asyncio does, so a stale callback that is
// already queued for this iteration cannot run.
Status EventLoop::add_reader(int fd, Tag tag, std::function<void()> fn) {
  Watch& watch = watches_[fd];
  if (watch.reader) watch.reader->cancelled = true;
  watch.reader = make_handle(tag, std::move(fn));
  update_interest(fd);
  return std::nullopt;
}

bool EventLoop::remove_reader(int fd) {
  auto it = watches_.find(fd);
  if (it == watches_.end() || !it->second.reader) return false;
  it->second.reader->cancelled = true;
  it->second.reader.reset();
  update_interest(fd);
  return true;
}

Status EventLoop::add_writer(int fd, Tag tag, std::function<void()> fn) {
  Watch& watch = watches_[fd];
  if (watch.writer) watch.writer->cancelled = true;
  watch.writer = make_handle(tag, std::move(fn));
  update_interest(fd);
  return std::nullopt;
}

bool EventLoop::remove_writer(int fd) {
  auto it = watches_.find(fd);
  if (it == watches_.end() || !it->second.writer) return false;
  it->second.writer->cancelled = true;
  it->second.writer.reset();
  update_interest(fd);
  return true;
}

void EventLoop::call_exception_handler(const ExceptionContext& context) {
  ++exceptions_;
  if (tracer_.enabled()) {
    tracer_.record(Component::loop,
                   "exception handler: " + context.message + " (" + context.error.describe() + ")");
  }
  if (observer_) observer_->on_exception(context);
}

std::optional<Nanos> EventLoop::next_timer_time() {
  while (!timer_order_.empty()) {
    auto [when, seq] = timer_order_.top();
    auto it = timers_.find(seq);
    if (it != timers_.end() && !it->second->cancelled) return when;
    timer_order_.pop();
    if (it != timers_.end()) timers_.erase(it);
  }
  return std::nullopt;
}

std::size_t EventLoop::registration_count() const {
  std::size_t n = 0;
  for (const auto& [fd, watch] : watches_) n += (watch.reader ? 1 : 0) + (watch.writer ? 1 : 0);
  return n;
}

void EventLoop::fingerprint(StateHasher& h) const {
  auto handle = [&h](const HandleState& s) {
    h.value(h.owner(s.tag.owner));
    h.text(s.tag.label);
    h.value(s.cancelled);
  };
  h.value(ready_.size());
  h.value(batch_left_);
  h.value(earlier_left_);
  for (const auto& state : ready_) handle(*state);
  // Timers in the order they will fire, (when, seq), not the order they were made: states
  // that armed the same timers in another order have the same future. The table is in seq
  // order, so it is already in firing order when the deadlines do not decrease (the usual
  // case: hashed as it stands); otherwise the live timers are sorted first.
  bool in_order = true;
  Nanos last = std::numeric_limits<Nanos>::min();
  for (const auto& [seq, state] : timers_) {
    if (state->cancelled) continue;
    if (state->when < last) {
      in_order = false;
      break;
    }
    last = state->when;
  }
  if (in_order) {
    for (const auto& [seq, state] : timers_) {
      if (state->cancelled) continue;
      h.time(state->when);
      handle(*state);
    }
  } else {
    std::vector<std::pair<std::pair<Nanos, std::uint64_t>, const HandleState*>> due;
    for (const auto& [seq, state] : timers_) {
      if (!state->cancelled) due.push_back({{state->when, seq}, state.get()});
    }
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, state] : due) {
      h.time(key.first);
      handle(*state);
    }
  }
  for (const auto& [fd, watch] : watches_) {
    h.value(fd);
    h.value(watch.mask());
    if (watch.reader) handle(*watch.reader);
    if (watch.writer) handle(*watch.writer);
  }
}

std::size_t EventLoop::live_timers_owned_by(const void* owner) const {
  std::size_t n = 0;
  for (const auto& [seq, state] : timers_) n += !state->cancelled && state->tag.owner == owner ? 1 : 0;
  return n;
}

std::size_t EventLoop::live_timer_count() const {
  std::size_t n = 0;
  for (const auto& [seq, state] : timers_) n += state->cancelled ? 0 : 1;
  return n;
}

// asyncio: do not block when callbacks are ready; otherwise sleep until the earliest timer.
std::optional<Nanos> EventLoop::poll_timeout() {
  if (!ready_.empty()) return Nanos{0};
  std::optional<Nanos> next = next_timer_time();
  if (!next) return std::nullopt;
  Nanos wait = *next - clock_.now();
  return wait > 0 ? wait : 0;
}

void EventLoop::queue_poll_events(std::vector<PollEvent>& events) {
  // Several events returned by one poll: their order is the world's choice.
  for (std::size_t i = 0; i + 1 < events.size(); ++i) {
    auto pick = choices_.choose(static_cast<std::uint32_t>(events.size() - i),
                                ChoiceKind::event_order);
    if (pick != 0) std::swap(events[i], events[i + pick]);
  }
  for (const PollEvent& event : events) {
    if (event.completion) {
      ready_.push_back(event.completion);
      continue;
    }
    auto it = watches_.find(event.fd);
    if (it == watches_.end()) continue;
    if ((event.mask & kReadable) && it->second.reader) ready_.push_back(it->second.reader);
    if ((event.mask & kWritable) && it->second.writer) ready_.push_back(it->second.writer);
  }
}

void EventLoop::queue_due_timers() {
  Nanos now = clock_.now();
  while (!timer_order_.empty() && timer_order_.top().first <= now) {
    std::uint64_t seq = timer_order_.top().second;
    timer_order_.pop();
    auto it = timers_.find(seq);
    if (it == timers_.end()) continue;
    if (!it->second->cancelled) ready_.push_back(it->second);
    timers_.erase(it);
  }
}

void EventLoop::begin_iteration() {
  ++iteration_;
  events_.clear();
  earlier_left_ = ready_.size();
  poller_.poll(Nanos{0}, events_);
  queue_poll_events(events_);
  queue_due_timers();
  batch_left_ = ready_.size();
}

void EventLoop::run_once(std::optional<Nanos> max_block) {
  ++iteration_;
  events_.clear();
  std::optional<Nanos> timeout = poll_timeout();
  if (max_block && (!timeout || *timeout > *max_block)) timeout = max_block;
  earlier_left_ = ready_.size();
  poller_.poll(timeout, events_);
  queue_poll_events(events_);
  queue_due_timers();
  batch_left_ = ready_.size();
  while (run_next()) {
  }
}

bool EventLoop::run_next() {
  while (batch_left_ > 0) {
    std::shared_ptr<HandleState> handle = std::move(ready_.front());
    ready_.pop_front();
    --batch_left_;
    if (earlier_left_ > 0) --earlier_left_;
    if (handle->cancelled) continue;
    if (observer_) observer_->on_callback(handle->tag);
    try {
      handle->fn();
    } catch (const std::exception& e) {
      call_exception_handler({std::string("exception in callback ") + handle->tag.label,
                              make_error(Errc::other, e.what()), handle->tag.owner});
    }
    return batch_left_ > 0;
  }
  return false;
}

}  // namespace loopcheck
