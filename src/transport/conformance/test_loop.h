// A loop for the conformance cases: what CPython's transport tests get from a mocked loop plus
// test_utils.run_briefly. Nothing runs until the test says so, so a case can assert on what a
// transport scheduled (call_soon, readers, writers) before it runs, as the CPython tests do.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "src/core/loop.h"

namespace loopcheck {

class ManualLoop final : public Loop {
 public:
  Handle call_soon(Tag tag, std::function<void()> fn) override {
    auto state = std::make_shared<HandleState>(HandleState{tag, std::move(fn), now_, false});
    ready_.push_back(state);
    return Handle(state);
  }
  TimerHandle call_at(Nanos when, Tag tag, std::function<void()> fn) override {
    auto state = std::make_shared<HandleState>(HandleState{tag, std::move(fn), when, false});
    timers_.push_back(state);
    return Handle(state);
  }
  Nanos time() const override { return now_; }

  Status add_reader(int fd, Tag tag, std::function<void()> fn) override {
    readers_[fd] = std::make_shared<HandleState>(HandleState{tag, std::move(fn), 0, false});
    return std::nullopt;
  }
  bool remove_reader(int fd) override { return forget(readers_, fd); }
  Status add_writer(int fd, Tag tag, std::function<void()> fn) override {
    writers_[fd] = std::make_shared<HandleState>(HandleState{tag, std::move(fn), 0, false});
    return std::nullopt;
  }
  bool remove_writer(int fd) override { return forget(writers_, fd); }
  void call_exception_handler(const ExceptionContext& context) override { exceptions.push_back(context); }

  // run_briefly: runs the callbacks queued now (not those they queue); returns how many ran.
  int run_once() {
    std::deque<std::shared_ptr<HandleState>> batch;
    batch.swap(ready_);
    int ran = 0;
    for (auto& h : batch) {
      if (h->cancelled) continue;
      h->fn();
      ++ran;
    }
    return ran;
  }
  // Runs until nothing is queued (timers and I/O excluded); bounded so a loop of call_soon fails.
  int run_until_idle(int max_rounds = 100) {
    int ran = 0;
    for (int i = 0; i < max_rounds && !ready_.empty(); ++i) ran += run_once();
    return ran;
  }
  // Moves the clock to `when` and runs the timers due by then, in time order.
  void advance_to(Nanos when) {
    now_ = when;
    for (;;) {
      std::shared_ptr<HandleState> next;
      for (auto& t : timers_) {
        if (!t->cancelled && t->when <= now_ && (!next || t->when < next->when)) next = t;
      }
      if (!next) break;
      next->cancelled = true;  // ran: a timer fires once
      next->fn();
    }
  }
  // The selector's readiness callbacks, called by the test as the selector would.
  bool has_reader(int fd) const { return readers_.count(fd) != 0; }
  bool has_writer(int fd) const { return writers_.count(fd) != 0; }
  void fire_reader(int fd) { fire(readers_, fd); }
  void fire_writer(int fd) { fire(writers_, fd); }

  std::size_t ready_count() const {
    std::size_t n = 0;
    for (auto& h : ready_) n += h->cancelled ? 0 : 1;
    return n;
  }
  std::size_t live_timers() const {
    std::size_t n = 0;
    for (auto& t : timers_) n += t->cancelled ? 0 : 1;
    return n;
  }
  std::vector<ExceptionContext> exceptions;

 private:
  using Watches = std::map<int, std::shared_ptr<HandleState>>;
  static bool forget(Watches& watches, int fd) {
    auto it = watches.find(fd);
    if (it == watches.end()) return false;
    it->second->cancelled = true;
    watches.erase(it);
    return true;
  }
  static void fire(Watches& watches, int fd) {
    auto it = watches.find(fd);
    if (it == watches.end()) return;
    std::shared_ptr<HandleState> h = it->second;  // the callback may remove itself
    h->fn();
  }
  Nanos now_ = 0;
  std::deque<std::shared_ptr<HandleState>> ready_;
  std::vector<std::shared_ptr<HandleState>> timers_;
  Watches readers_, writers_;
};

}  // namespace loopcheck
