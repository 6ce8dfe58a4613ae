// RealWorld::run_watched on the real loop and clock: a run that meets its limit with its data
// still moving ran out of time (incomplete), one in which nothing moved stalled (a hang), and
// print_verdict gives each its exit code. Short limits: each case takes well under a second.
#include <gtest/gtest.h>

#include <memory>

#include "tools/loopcheck/commands.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {
namespace {

std::unique_ptr<RealWorld> make_world() {
  auto created = RealWorld::create(BugSet{});
  if (std::holds_alternative<std::string>(created)) return nullptr;
  return std::move(std::get<std::unique_ptr<RealWorld>>(created));
}

// Moves `count` on a 10 ms timer for as long as the loop runs.
void tick_every_10ms(RealWorld& world, std::size_t& count) {
  (void)world.loop->call_later(10 * kMillisecond, Tag{nullptr, "tick"}, [&world, &count] {
    ++count;
    tick_every_10ms(world, count);
  });
}

TEST(RunWatched, DoneBeforeTheLimit) {
  auto world = make_world();
  ASSERT_TRUE(world) << "epoll is not available";
  std::size_t ticks = 0;
  tick_every_10ms(*world, ticks);
  EXPECT_EQ(world->run_watched([&] { return ticks >= 3; }, 5 * kSecond, {[&] { return ticks; }, kSecond}),
            RealWorld::End::done);
}

TEST(RunWatched, StillMovingAtTheLimitIsOutOfTime) {
  auto world = make_world();
  ASSERT_TRUE(world) << "epoll is not available";
  std::size_t ticks = 0;
  tick_every_10ms(*world, ticks);
  EXPECT_EQ(world->run_watched([] { return false; }, 300 * kMillisecond, {[&] { return ticks; }, 200 * kMillisecond}),
            RealWorld::End::out_of_time);
  EXPECT_GT(ticks, 5u);
}

TEST(RunWatched, NothingMovingForTheStretchIsStalled) {
  auto world = make_world();
  ASSERT_TRUE(world) << "epoll is not available";
  std::size_t ticks = 0;
  tick_every_10ms(*world, ticks);  // the loop stays busy; the progress it is watched by does not move
  EXPECT_EQ(world->run_watched([] { return false; }, 400 * kMillisecond, {[] { return std::size_t{7}; }, 200 * kMillisecond}),
            RealWorld::End::stalled);
}

// A limit shorter than the stretch can never call a hang: the run did not wait long enough to
// know. With nothing moved at all it says so (too_short), not that data still moved.
TEST(RunWatched, ALimitShorterThanTheStretchIsNeverAStall) {
  auto world = make_world();
  ASSERT_TRUE(world) << "epoll is not available";
  EXPECT_EQ(world->run_watched([] { return false; }, 200 * kMillisecond, {[] { return std::size_t{0}; }, kSecond}),
            RealWorld::End::too_short);
  EXPECT_TRUE(RealWorld::ran_out(RealWorld::End::too_short));
  EXPECT_FALSE(RealWorld::ran_out(RealWorld::End::stalled));
}

TEST(PrintVerdict, ExitCodes) {
  const Nanos limit = 120 * kSecond;
  EXPECT_EQ(print_verdict(true, RealWorld::End::done, true, limit), 0);
  EXPECT_EQ(print_verdict(false, RealWorld::End::done, true, limit), 1);
  EXPECT_EQ(print_verdict(false, RealWorld::End::out_of_time, true, limit), kIncomplete);
  EXPECT_EQ(print_verdict(false, RealWorld::End::too_short, true, limit), kIncomplete);
  EXPECT_EQ(print_verdict(false, RealWorld::End::out_of_time, false, limit), 1);  // something went wrong first
  EXPECT_EQ(print_verdict(false, RealWorld::End::stalled, true, limit), 1);
}

}  // namespace
}  // namespace loopcheck::cli
