// proactor-pause with SPIN's parameters (chunks, pauses as choices): the fixed transport is
// clean under every order, reduced or not, and bpo-33694's switch is found.
#include <gtest/gtest.h>

#include "model/engines/exhaustive.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"
#include "model/world/scenario.h"

namespace loopcheck {
namespace {

RunSpec spin_instance(int chunks, int pauses) {
  RunSpec spec = RunSpec::defaults(*find_scenario("proactor-pause"));
  spec.params["chunks"] = chunks;
  spec.params["pauses"] = pauses;
  spec.bounds.max_preemptions = 100;  // no binding bound, as in SPIN
  spec.bounds.max_faults = 0;
  spec.bounds.max_steps = 100000;
  return spec;
}

// Also the check that the app acts only where a callback of its could run: with pauses between
// two callbacks already queued (resume_reading's), this instance lost data on the fixed path.
TEST(ProactorPause, SpinsInstanceIsCleanReducedOrNot) {
  ExploreLimits plain;
  plain.max_schedules = 10000000;
  ExploreLimits reduced = plain;
  reduced.reduce = true;
  for (int chunks : {2, 3}) {
    RunSpec spec = spin_instance(chunks, 2);
    ExploreResult some = explore_exhaustive(spec, reduced);
    EXPECT_TRUE(some.stats.complete);
    EXPECT_EQ(some.stats.cut_off, 0u);
    EXPECT_FALSE(some.counterexample) << some.counterexample->violation->message;
    if (chunks > 2) continue;  // every schedule, unreduced, at the smaller size only
    ExploreResult all = explore_exhaustive(spec, plain);
    ASSERT_TRUE(all.stats.complete);
    EXPECT_FALSE(all.counterexample) << all.counterexample->violation->message;
    EXPECT_LT(some.stats.schedules * 10, all.stats.schedules);
  }
}

TEST(ProactorPause, SpinsInstanceFindsTheSwitch) {
  RunSpec spec = spin_instance(8, 2);
  set_switch(spec.bugs, *find_bug("bpo-33694"));
  ExploreLimits reduced;
  reduced.reduce = true;
  ExploreResult found = explore_exhaustive(spec, reduced);
  ASSERT_TRUE(found.counterexample);
  ExploreResult shortest = shortest_counterexample(spec);
  ASSERT_TRUE(shortest.counterexample);
  EXPECT_LE(shortest.counterexample->steps, found.counterexample->steps);
}

// chunks and pauses replace other parameters; giving both is bad input that names the pair,
// while the defaults they replace (as every reproducer stores them) stay accepted.
TEST(ProactorPause, AParameterThatChunksOrPausesReplacesIsBadInput) {
  const Scenario& scenario = *find_scenario("proactor-pause");
  Params merged;
  EXPECT_FALSE(merge_params(scenario, {{"chunks", 8}, {"pauses", 2}, {"bytes", 60}}, merged));
  std::optional<std::string> bad = merge_params(scenario, {{"chunks", 8}, {"bytes", 100}}, merged);
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("give bytes or chunks, not both"), std::string::npos) << *bad;
  bad = merge_params(scenario, {{"pauses", 2}, {"pause_us", 40}}, merged);
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("give pause_us or pauses, not both"), std::string::npos) << *bad;
  EXPECT_FALSE(merge_params(scenario, {{"bytes", 100}, {"pause_us", 40}}, merged));
}

}  // namespace
}  // namespace loopcheck
