// Google Benchmark: the cost of one simulated run (the default schedule) and of a whole
// exhaustive exploration, per scenario. Counters report simulated events per second.
// Figures and how to reproduce them: docs/PERFORMANCE.md.
#include <benchmark/benchmark.h>

#include "model/engines/exhaustive.h"
#include "model/engines/run.h"
#include "model/scenarios/registry.h"

namespace loopcheck {
namespace {

void BM_DefaultSchedule(benchmark::State& state, const Scenario* scenario) {
  RunSpec spec = RunSpec::defaults(*scenario);
  std::int64_t steps = 0;
  for (auto _ : state) {
    RunResult run = execute(spec, {}, false);
    benchmark::DoNotOptimize(run.verdict);
    steps += static_cast<std::int64_t>(run.steps);
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

void BM_Exhaustive(benchmark::State& state, const Scenario* scenario, bool reduce) {
  RunSpec spec = RunSpec::defaults(*scenario);
  ExploreLimits limits;
  limits.reduce = reduce;
  std::uint64_t schedules = 0, steps = 0;
  for (auto _ : state) {
    ExploreResult result = explore_exhaustive(spec, limits);
    schedules += result.stats.schedules;
    steps += result.stats.steps;
  }
  state.counters["schedules/s"] = benchmark::Counter(static_cast<double>(schedules), benchmark::Counter::kIsRate);
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

const bool kRegistered = [] {
  for (const Scenario* s : all_scenarios()) {
    std::string name(s->name());
    benchmark::RegisterBenchmark(("default_schedule/" + name).c_str(), BM_DefaultSchedule, s);
    benchmark::RegisterBenchmark(("exhaustive_plain/" + name).c_str(), BM_Exhaustive, s, false)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("exhaustive_reduced/" + name).c_str(), BM_Exhaustive, s, true)
        ->Unit(benchmark::kMillisecond);
  }
  return true;
}();

}  // namespace
}  // namespace loopcheck

BENCHMARK_MAIN();
