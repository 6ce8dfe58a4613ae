// Threads that hand each other work split the tree without losing or repeating a run: with
// nothing pruned, they run exactly the single DFS's schedules, whatever was handed over when.
#include "model/engines/stealing.h"

#include <gtest/gtest.h>

#include "model/engines/test_specs.h"

namespace loopcheck {
namespace {

TEST(Stealing, WithNothingPrunedTheThreadsRunTheTreeOnce) {
  for (const char* name : {"stream-echo", "dgram-echo", "proactor-pause", "stream-two-clients"}) {
    RunSpec spec = spec_of(name);
    ExploreLimits limits;
    limits.max_schedules = 10000000;
    ExploreResult one = explore_exhaustive(spec, limits);
    ASSERT_TRUE(one.stats.complete) << name;
    for (std::uint32_t jobs : {2u, 3u, 4u}) {
      ExploreResult many = explore_stealing(spec, limits, jobs);
      EXPECT_TRUE(many.stats.complete) << name << " on " << jobs;
      EXPECT_EQ(many.stats.schedules, one.stats.schedules) << name << " on " << jobs;
      EXPECT_EQ(many.stats.steps > 0, true);
      EXPECT_FALSE(many.counterexample) << name;
    }
  }
}

// A violation stops every thread, and what was found replays to it.
TEST(Stealing, AViolationStopsTheThreadsAndReplays) {
  RunSpec spec = spec_of("proactor-pause", "bpo-33694");
  ExploreLimits limits;
  limits.reduce = true;
  ExploreResult result = explore_stealing(spec, limits, 2);
  ASSERT_TRUE(result.counterexample);
  EXPECT_FALSE(result.stats.complete);
  RunResult again = execute(spec, result.counterexample->choices, false, true);
  EXPECT_TRUE(again.violation);
}

}  // namespace
}  // namespace loopcheck
