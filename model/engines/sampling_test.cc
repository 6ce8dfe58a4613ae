// The random and PCT engines: their time limit holds between any two runs, however long one
// run is (a scenario with large parameters can take tens of milliseconds a run).
#include "model/engines/sampling.h"

#include <gtest/gtest.h>

#include "model/engines/test_specs.h"

namespace loopcheck {
namespace {

// With no time at all, each engine stops after its first run, not at its next report.
TEST(Sampling, TheTimeLimitIsCheckedAfterEveryRun) {
  for (Engine engine : {Engine::random, Engine::pct}) {
    SampleOptions options;
    options.engine = engine;
    options.max_seconds = 0;
    ExploreResult result = explore_sampling(spec_of("stream-echo"), options);
    EXPECT_EQ(result.stats.schedules, 1u) << engine_name(engine);
  }
}

// Within the limit, the run count is the one asked for.
TEST(Sampling, RunsAsManySchedulesAsAskedWithinTheLimit) {
  SampleOptions options;
  options.max_runs = 300;
  options.max_seconds = 3600;
  ExploreResult result = explore_sampling(spec_of("stream-echo"), options);
  EXPECT_EQ(result.stats.schedules, 300u);
  EXPECT_FALSE(result.counterexample);
}

}  // namespace
}  // namespace loopcheck
