// The loop core: asyncio's BaseEventLoop._run_once, shared by the simulated and the real world.
// One iteration = poll (with the timeout the ready queue and timers allow), queue the I/O
// callbacks in an order that is a choice when several arrive together, queue due timers, then
// run exactly the callbacks that were queued when the run step began.
//
// The iteration can be driven in one call (run_once, for the real world) or callback by
// callback (begin_iteration + run_next) so the simulated world can let kernel events happen
// between two callbacks, as a real kernel would.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "src/core/choice.h"
#include "src/core/loop.h"
#include "src/core/poller.h"
#include "src/core/state_hasher.h"
#include "src/core/time.h"
#include "src/core/tracer.h"

namespace loopcheck {

class EventLoop final : public Loop, public Fingerprinted {
 public:
  EventLoop(Clock& clock, Poller& poller, ChoiceSource& choices, Tracer& tracer);

  Handle call_soon(Tag tag, std::function<void()> fn) override;
  TimerHandle call_at(Nanos when, Tag tag, std::function<void()> fn) override;
  Nanos time() const override { return clock_.now(); }

  Status add_reader(int fd, Tag tag, std::function<void()> fn) override;
  bool remove_reader(int fd) override;
  Status add_writer(int fd, Tag tag, std::function<void()> fn) override;
  bool remove_writer(int fd) override;

  void call_exception_handler(const ExceptionContext& context) override;
  void set_observer(LoopObserver* observer) { observer_ = observer; }

  // A whole iteration; blocks in the poller when nothing is ready (real world), never longer
  // than max_block when given.
  void run_once(std::optional<Nanos> max_block = std::nullopt);
  // Step-wise driving (simulated world). begin_iteration never blocks.
  void begin_iteration();
  bool in_iteration() const { return batch_left_ > 0; }
  // The batch is still running callbacks that were ready before this iteration's poll. What
  // the poll made ready runs after them all, so a callback the poll could have added (an
  // app's, say) cannot run yet.
  bool running_earlier_callbacks() const { return earlier_left_ > 0; }
  // Runs the next callback of the current batch; returns false when the batch is over.
  bool run_next();

  bool has_ready_callbacks() const { return !ready_.empty(); }
  std::optional<Nanos> next_timer_time();
  bool has_registrations() const { return !watches_.empty(); }
  std::size_t registration_count() const;
  std::size_t live_timer_count() const;
  std::size_t live_timers_owned_by(const void* owner) const;
  std::size_t iteration() const { return iteration_; }
  std::size_t exception_count() const { return exceptions_; }
  // Ready queue, batch position, live timers and registrations: all that decides what runs next.
  void fingerprint(StateHasher& hasher) const override;

 private:
  struct Watch {
    std::shared_ptr<HandleState> reader;
    std::shared_ptr<HandleState> writer;
    std::uint8_t mask() const;
  };
  struct TimerLater {
    bool operator()(const std::pair<Nanos, std::uint64_t>& a,
                    const std::pair<Nanos, std::uint64_t>& b) const {
      return a > b;
    }
  };

  std::optional<Nanos> poll_timeout();
  // Cancelled timers stay in the heap until they reach its top; when they are most of it, drop
  // them all at once, as asyncio does, so a loop that cancels many timers stays small.
  void purge_cancelled_timers();
  void queue_poll_events(std::vector<PollEvent>& events);
  void queue_due_timers();
  void update_interest(int fd);
  std::shared_ptr<HandleState> make_handle(Tag tag, std::function<void()> fn);

  Clock& clock_;
  Poller& poller_;
  ChoiceSource& choices_;
  Tracer& tracer_;
  LoopObserver* observer_ = nullptr;

  std::deque<std::shared_ptr<HandleState>> ready_;
  std::size_t batch_left_ = 0;
  std::size_t earlier_left_ = 0;  // of batch_left_, those ready before the poll
  // Timers ordered by (when, sequence): equal deadlines run in call_at order, deterministically.
  std::priority_queue<std::pair<Nanos, std::uint64_t>, std::vector<std::pair<Nanos, std::uint64_t>>,
                      TimerLater>
      timer_order_;
  std::map<std::uint64_t, std::shared_ptr<HandleState>> timers_;
  std::uint64_t timer_seq_ = 0;
  std::size_t purge_check_at_ = 64;  // the timer table's size at which call_at next looks for cancelled ones
  std::map<int, Watch> watches_;  // ordered: iteration order never depends on hashing
  std::vector<PollEvent> events_;
  std::size_t iteration_ = 0;
  std::size_t exceptions_ = 0;
};

}  // namespace loopcheck
