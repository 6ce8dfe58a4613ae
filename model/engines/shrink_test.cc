// Shrinking keeps to what a reproducer can carry: a smaller counterexample whose parameters the
// scenario would refuse could never be replayed.
#include "model/engines/shrink.h"

#include <gtest/gtest.h>

#include "model/engines/test_specs.h"
#include "model/world/scenario.h"

namespace loopcheck {
namespace {

// proactor-pause with chunks=K ignores bytes and chunk, so halving them keeps the failure; but
// chunks together with a bytes or chunk of its own is bad input, so those candidates are not
// tried (found by a sweep: the reproducer of chunks=100000 said bytes=1 chunk=1, and replay
// refused it).
TEST(Shrink, KeepsToParametersTheScenarioTakes) {
  RunSpec spec = spec_of("proactor-pause", "bpo-33694");
  spec.params["chunks"] = 1000;
  ExploreResult found = shortest_counterexample(spec);
  ASSERT_TRUE(found.counterexample);
  ShrinkResult shrunk = shrink(spec, *found.counterexample);
  Params checked;
  EXPECT_EQ(merge_params(*spec.scenario, shrunk.spec.params, checked), std::nullopt);
  EXPECT_EQ(shrunk.spec.params.at("bytes"), 60);
  EXPECT_EQ(shrunk.spec.params.at("chunk"), 30);
  RunResult again = execute(shrunk.spec, shrunk.run.choices, false);
  ASSERT_EQ(again.verdict, Verdict::violation);
  EXPECT_EQ(again.violation->oracle, found.counterexample->violation->oracle);
}

// Sizes the scenario does take still shrink.
TEST(Shrink, HalvesTheSizesOfAFailure) {
  RunSpec spec = spec_of("proactor-pause", "bpo-33694");
  spec.params["bytes"] = 600;
  ExploreResult found = shortest_counterexample(spec);
  ASSERT_TRUE(found.counterexample);
  ShrinkResult shrunk = shrink(spec, *found.counterexample);
  EXPECT_LT(shrunk.spec.params.at("bytes"), 600);
}

}  // namespace
}  // namespace loopcheck
