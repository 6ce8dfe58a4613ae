// Timing windows: the parameters that declare them and the app timer that fires within them.
#include "model/world/app_timer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/engines/choice_sources.h"
#include "model/scenarios/registry.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

TEST(TimingParam, TheShortestDelayDefaultsToHalfTheLongest) {
  TimeWindow half = timing_param({{"pause_us", 15}, {"pause_min_us", 0}}, "pause");
  EXPECT_EQ(half.lo, 7500);
  EXPECT_EQ(half.hi, 15 * kMicrosecond);
  TimeWindow given = timing_param({{"pause_us", 15}, {"pause_min_us", 11}}, "pause");
  EXPECT_EQ(given.lo, 11 * kMicrosecond);
  EXPECT_EQ(describe_timing({{"bytes", 3}, {"pause_us", 15}, {"pause_min_us", 0}}),
            "app timers anywhere in pause 7.5..15 us");
  EXPECT_EQ(describe_timing({{"bind_after_us", 20}, {"retry_us", 1000}, {"retry_min_us", 0}}),
            "app timers anywhere in retry 500..1000 us; fixed timing bind_after 20 us");
  EXPECT_EQ(describe_timing({{"bytes", 3}}), "");
}

TEST(TimingParam, AWindowWhoseShortestDelayIsTheLongerIsBadInput) {
  const Scenario* scenario = find_scenario("proactor-pause");
  ASSERT_NE(scenario, nullptr);
  Params merged;
  auto error = merge_params(*scenario, {{"pause_us", 10}, {"pause_min_us", 20}}, merged);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("pause_min_us=20 is above pause_us=10"), std::string::npos) << *error;
  // The scenario's own shortest delay (11 us) above a user's longest is caught the same way.
  error = merge_params(*scenario, {{"pause_us", 5}}, merged);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find("pause_min_us=11 is above pause_us=5"), std::string::npos) << *error;
  EXPECT_FALSE(merge_params(*scenario, {{"pause_us", 50}}, merged).has_value());
  EXPECT_NE(describe_param(*scenario, "pause_min_us", 11).find("0 = half of pause_us"), std::string::npos);
}

// The timer's event carries its whole window; once fired, its callback runs on the loop, and a
// cancel before that still stops it.
TEST(AppTimer, FiresWithinItsWindowAsALoopCallback) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  SimWorld world(config, choices);
  AppTimer& timer = world.app_timer("app timer");
  int ran = 0;
  Nanos now = world.clock().now();
  timer.arm(TimeWindow{10 * kMicrosecond, 20 * kMicrosecond}, Tag{nullptr, "tick"}, [&] { ++ran; });
  std::vector<PendingEvent> events;
  timer.collect(world.clock().now(), events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].earliest, now + 10 * kMicrosecond);
  EXPECT_EQ(events[0].latest, now + 20 * kMicrosecond);
  EXPECT_EQ(world.run(100), RunEnd::quiescent);
  EXPECT_EQ(ran, 1);
  EXPECT_FALSE(timer.armed());

  timer.arm(TimeWindow{1, 2}, Tag{nullptr, "tick"}, [&] { ++ran; });
  timer.fire(events[0]);  // due: the callback is queued on the loop
  timer.cancel();
  EXPECT_EQ(world.run(100), RunEnd::quiescent);
  EXPECT_EQ(ran, 1) << "a cancel after the timer fired must still stop its queued callback";
}

// Against a peer whose action may come any time in its own window, the timer fires before it
// in some schedule and after it in another: exploration sees both orders.
TEST(AppTimer, EitherOrderWithAnOverlappingEventIsASchedule) {
  bool seen_before = false, seen_after = false;
  for (std::uint32_t pick = 0; pick < 2; ++pick) {
    PrefixChoiceSource choices{{ChoiceRecord{pick, 2, ChoiceKind::deliver}}};
    WorldConfig config;
    config.oracles.set(Oracle::O5, false);
    SimWorld world(config, choices);
    auto [app_end, peer_end] = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
    int app_fd = app_end;  // a plain variable: a lambda may not capture a structured binding (clang)
    ASSERT_TRUE(world.kernel().send(peer_end, "x").ok());  // lands 10..100 us from now
    AppTimer& timer = world.app_timer("app timer");
    bool landed_first = false;
    timer.arm(TimeWindow{20 * kMicrosecond, 40 * kMicrosecond}, Tag{nullptr, "tick"},
              [&] { landed_first = world.kernel().readable(app_fd); });
    world.run(100);
    (landed_first ? seen_after : seen_before) = true;
  }
  EXPECT_TRUE(seen_before);
  EXPECT_TRUE(seen_after);
}

// A slow step (SimWorld::hold_loop): bytes land while the loop's thread is busy; when the step
// ends, what it queued runs before the read event the loop polls after it, as in asyncio. Run
// as a separate callback instead, the rest would be polled after, in the iteration that runs
// it, and its queued callback would come after the read: a schedule asyncio cannot take (it
// hid bpo-33674 in seed 000's scenario).
TEST(AppTimer, TheRestOfASlowStepQueuesAheadOfWhatIsPolledAfterIt) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  config.oracles.set(Oracle::O5, false);
  SimWorld world(config, choices);
  auto [app_end, peer_end] = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  int app_fd = app_end;
  std::vector<std::string> order;
  ASSERT_FALSE(world.loop().add_reader(app_fd, Tag{nullptr, "reader"}, [&] {
    order.push_back("reader");
    world.loop().remove_reader(app_fd);
  }));
  AppTimer& rest = world.app_timer("the app's task");
  world.loop().call_soon(Tag{nullptr, "step"}, [&, peer = peer_end] {
    order.push_back("step");
    ASSERT_TRUE(world.kernel().send(peer, "x").ok());  // lands 10..100 us from now: in the step
    rest.arm_rest_of_step(TimeWindow{200 * kMicrosecond, 300 * kMicrosecond}, Tag{nullptr, "step"}, [&] {
      order.push_back("rest");
      world.loop().call_soon(Tag{nullptr, "queued"}, [&] { order.push_back("queued"); });
    });
    world.hold_loop(rest);
  });
  world.run(100);
  EXPECT_EQ(order, (std::vector<std::string>{"step", "rest", "queued", "reader"}));
}

}  // namespace
}  // namespace loopcheck
