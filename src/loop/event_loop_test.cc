// Loop-core ordering: asyncio's _run_once, step by step.
#include "src/loop/event_loop.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "model/engines/choice_sources.h"
#include "model/world/sim_clock.h"

namespace loopcheck {
namespace {

// A poller whose readiness the test sets by hand, and that remembers the timeout it was given.
class ScriptedPoller final : public Poller {
 public:
  void set_interest(int fd, std::uint8_t mask) override { interest[fd] = mask; }
  void poll(std::optional<Nanos> timeout, std::vector<PollEvent>& out) override {
    last_timeout = timeout;
    for (const PollEvent& e : ready) out.push_back(e);
  }
  std::map<int, std::uint8_t> interest;
  std::vector<PollEvent> ready;
  std::optional<Nanos> last_timeout;
};

struct LoopFixture : ::testing::Test {
  SimClock clock;
  ScriptedPoller poller;
  PrefixChoiceSource choices{{}};
  NullTracer tracer;
  EventLoop loop{clock, poller, choices, tracer};
  std::vector<std::string> log;
  std::function<void()> note(std::string what) {
    return [this, what] { log.push_back(what); };
  }
};

// A delay too long to represent is "never", not a time in the past: it must not run now.
TEST_F(LoopFixture, AHugeDelayNeverWrapsIntoThePast) {
  loop.call_later(std::numeric_limits<Nanos>::max(), Tag{nullptr, "far"}, note("far"));
  loop.call_later(kMillisecond, Tag{nullptr, "near"}, note("near"));
  clock.advance_to(clock.now() + kSecond);
  loop.run_once();
  EXPECT_EQ(log, std::vector<std::string>{"near"});
  EXPECT_EQ(add_time(std::numeric_limits<Nanos>::max() - 1, 5), std::numeric_limits<Nanos>::max());
  EXPECT_EQ(add_time(std::numeric_limits<Nanos>::min() + 1, -5), std::numeric_limits<Nanos>::min());
}

TEST_F(LoopFixture, CallSoonRunsInFifoOrder) {
  loop.call_soon({nullptr, "a"}, note("a"));
  loop.call_soon({nullptr, "b"}, note("b"));
  loop.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
}

TEST_F(LoopFixture, CallbackScheduledDuringIterationRunsInTheNext) {
  loop.call_soon({nullptr, "a"}, [this] {
    log.push_back("a");
    loop.call_soon({nullptr, "c"}, note("c"));
  });
  loop.call_soon({nullptr, "b"}, note("b"));
  loop.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
  loop.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(LoopFixture, TimersRunByDeadlineThenByScheduleOrder) {
  loop.call_at(3000, {nullptr, "late"}, note("late"));
  loop.call_at(2000, {nullptr, "x"}, note("x"));
  loop.call_at(2000, {nullptr, "y"}, note("y"));
  loop.run_once();
  EXPECT_TRUE(log.empty()) << "no timer is due yet";
  EXPECT_EQ(poller.last_timeout, Nanos{2000} - clock.now());
  clock.advance_to(3000);
  loop.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"x", "y", "late"}));
}

// Every byte a fingerprint writes, in order (no room lent: each write is a bytes() call).
class RecordingHasher final : public StateHasher {
 public:
  void bytes(const void* data, std::size_t size) override { written.append(static_cast<const char*>(data), size); }
  std::uint64_t owner(const void*) override { return 0; }
  std::string written;
};

std::string fingerprint_of(const EventLoop& loop) {
  RecordingHasher h;
  loop.fingerprint(h);
  return h.written;
}

// A reduction merges states by fingerprint, so the loop hashes its timers in the order they
// will run: the same timers armed in another order are the same state, but which of two
// equal deadlines runs first (the order they were armed in) is not.
TEST_F(LoopFixture, TimersAreHashedInTheOrderTheyWillRun) {
  SimClock other_clock;
  EventLoop other{other_clock, poller, choices, tracer};
  loop.call_at(20, Tag{nullptr, "late"}, [] {});
  loop.call_at(10, Tag{nullptr, "early"}, [] {});
  other.call_at(10, Tag{nullptr, "early"}, [] {});
  other.call_at(20, Tag{nullptr, "late"}, [] {});
  EXPECT_EQ(fingerprint_of(loop), fingerprint_of(other));

  loop.call_at(30, Tag{nullptr, "a"}, [] {});
  loop.call_at(30, Tag{nullptr, "b"}, [] {});
  other.call_at(30, Tag{nullptr, "b"}, [] {});
  other.call_at(30, Tag{nullptr, "a"}, [] {});
  EXPECT_NE(fingerprint_of(loop), fingerprint_of(other));
}

// More live timers than the fingerprint sorts on the stack: the same order still.
TEST_F(LoopFixture, ManyTimersAreHashedInTheOrderTheyWillRunToo) {
  SimClock other_clock;
  EventLoop other{other_clock, poller, choices, tracer};
  for (int i = 0; i < 40; ++i) loop.call_at(100 - i, Tag{nullptr, "t"}, [] {});
  for (int i = 0; i < 40; ++i) other.call_at(61 + i, Tag{nullptr, "t"}, [] {});
  EXPECT_EQ(fingerprint_of(loop), fingerprint_of(other));
}

TEST_F(LoopFixture, PollDoesNotBlockWhenCallbacksAreReady) {
  loop.call_soon({nullptr, "a"}, note("a"));
  loop.run_once();
  EXPECT_EQ(poller.last_timeout, Nanos{0});
  loop.run_once();
  EXPECT_FALSE(poller.last_timeout.has_value()) << "nothing to wait for: block";
}

TEST_F(LoopFixture, CancelledTimerNeverRuns) {
  TimerHandle handle = loop.call_later(10, {nullptr, "t"}, note("t"));
  handle.cancel();
  clock.advance_to(clock.now() + 100);
  loop.run_once();
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(loop.live_timer_count(), 0u);
}

TEST_F(LoopFixture, CancelledHandleInTheReadyQueueIsSkipped) {
  Handle second;
  loop.call_soon({nullptr, "a"}, [&] {
    log.push_back("a");
    second.cancel();
  });
  second = loop.call_soon({nullptr, "b"}, note("b"));
  loop.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"a"}));
}

TEST_F(LoopFixture, RemoveReaderCancelsAReadCallbackAlreadyQueued) {
  (void)loop.add_reader(5, {nullptr, "r5"}, note("r5"));
  (void)loop.add_reader(6, {nullptr, "r6"}, [this] {
    log.push_back("r6");
    loop.remove_reader(5);
  });
  poller.ready = {PollEvent{6, kReadable, nullptr}, PollEvent{5, kReadable, nullptr}};
  loop.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"r6"}));
  EXPECT_EQ(poller.interest.count(5), 1u);
  EXPECT_EQ(poller.interest[5], 0) << "the poller is told to forget fd 5";
}

TEST_F(LoopFixture, OrderOfSimultaneousEventsIsAChoice) {
  (void)loop.add_reader(5, {nullptr, "r5"}, note("r5"));
  (void)loop.add_writer(6, {nullptr, "w6"}, note("w6"));
  poller.ready = {PollEvent{5, kReadable, nullptr}, PollEvent{6, kWritable, nullptr}};
  PrefixChoiceSource swap({ChoiceRecord{1, 2, ChoiceKind::event_order}});
  EventLoop swapped(clock, poller, swap, tracer);
  (void)swapped.add_reader(5, {nullptr, "r5"}, note("r5"));
  (void)swapped.add_writer(6, {nullptr, "w6"}, note("w6"));
  loop.run_once();
  swapped.run_once();
  EXPECT_EQ(log, (std::vector<std::string>{"r5", "w6", "w6", "r5"}));
  ASSERT_EQ(swap.made().size(), 1u);
  EXPECT_EQ(swap.made()[0].kind, ChoiceKind::event_order);
  EXPECT_EQ(swap.made()[0].range, 2u);
}

TEST_F(LoopFixture, StepwiseDrivingRunsExactlyTheQueuedBatch) {
  loop.call_soon({nullptr, "a"}, [this] {
    log.push_back("a");
    loop.call_soon({nullptr, "c"}, note("c"));
  });
  loop.call_soon({nullptr, "b"}, note("b"));
  loop.begin_iteration();
  EXPECT_TRUE(loop.in_iteration());
  EXPECT_TRUE(loop.run_next());
  EXPECT_FALSE(loop.run_next());
  EXPECT_FALSE(loop.in_iteration());
  EXPECT_EQ(log, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(loop.has_ready_callbacks());
}

TEST_F(LoopFixture, ExceptionInCallbackGoesToTheExceptionHandler) {
  loop.call_soon({nullptr, "boom"}, [] { throw std::runtime_error("boom"); });
  loop.call_soon({nullptr, "after"}, note("after"));
  loop.run_once();
  EXPECT_EQ(loop.exception_count(), 1u);
  EXPECT_EQ(log, (std::vector<std::string>{"after"}));
}

}  // namespace
}  // namespace loopcheck
