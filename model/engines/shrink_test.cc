// Shrinking keeps to what a reproducer can carry: a smaller counterexample whose parameters the
// scenario would refuse could never be replayed.
#include "model/engines/shrink.h"

#include <gtest/gtest.h>

#include <optional>

#include "model/engines/test_specs.h"
#include "model/world/scenario.h"

namespace loopcheck {
namespace {

// bpo-33694's shortest counterexample on proactor-pause with one parameter set, and it shrunk.
struct Shrunk {
  ExploreResult found;
  ShrinkResult shrunk;
};
std::optional<Shrunk> shrink_with(const char* key, std::int64_t value) {
  RunSpec spec = spec_of("proactor-pause", "bpo-33694");
  spec.params[key] = value;
  ExploreResult found = shortest_counterexample(spec);
  if (!found.counterexample) return std::nullopt;
  ShrinkResult shrunk = shrink(spec, *found.counterexample);
  return Shrunk{std::move(found), std::move(shrunk)};
}

// proactor-pause with chunks=K ignores bytes and chunk, so halving them keeps the failure; but
// chunks together with a bytes or chunk of its own is bad input, so those candidates are not
// tried (found by a sweep: the reproducer of chunks=100000 said bytes=1 chunk=1, and replay
// refused it).
TEST(Shrink, KeepsToParametersTheScenarioTakes) {
  std::optional<Shrunk> r = shrink_with("chunks", 1000);
  ASSERT_TRUE(r);
  const RunSpec& spec = r->shrunk.spec;
  Params checked;
  EXPECT_EQ(merge_params(*spec.scenario, spec.params, checked), std::nullopt);
  EXPECT_EQ(spec.params.at("bytes"), 60);
  EXPECT_EQ(spec.params.at("chunk"), 30);
  RunResult again = execute(spec, r->shrunk.run.choices, false);
  ASSERT_EQ(again.verdict, Verdict::violation);
  EXPECT_EQ(again.violation->oracle, r->found.counterexample->violation->oracle);
}

// Sizes the scenario does take still shrink.
TEST(Shrink, HalvesTheSizesOfAFailure) {
  std::optional<Shrunk> r = shrink_with("bytes", 600);
  ASSERT_TRUE(r);
  EXPECT_LT(r->shrunk.spec.params.at("bytes"), 600);
}

}  // namespace
}  // namespace loopcheck
