#include "model/engines/bench.h"

#include "model/engines/exhaustive.h"
#include "model/scenarios/registry.h"

namespace loopcheck {

ScenarioBench bench_scenario(const Scenario& scenario) {
  ScenarioBench out;
  out.scenario = &scenario;
  RunSpec spec = RunSpec::defaults(scenario);
  ExploreLimits limits;
  limits.stop_at_first = false;
  // Plain DFS replays every run from a fresh world, so every step it counts was run: the
  // world's own event rate (a run branched from a saved world counts steps it never ran).
  ExploreLimits replayed = limits;
  replayed.checkpoints = false;
  ExploreResult plain = explore_exhaustive(spec, replayed);
  limits.reduce = true;
  out.schedules_fingerprint = explore_exhaustive(spec, limits).stats.schedules;
  limits.reduce = false;
  limits.por = true;
  out.schedules_por = explore_exhaustive(spec, limits).stats.schedules;
  limits.reduce = true;
  ExploreResult reduced = explore_exhaustive(spec, limits);
  out.schedules_plain = plain.stats.schedules;
  out.schedules_reduced = reduced.stats.schedules;
  out.seconds_plain = plain.stats.seconds;
  out.seconds_reduced = reduced.stats.seconds;
  // Plain DFS is the event-rate measurement: every step of every run is a simulated event. A
  // small scenario explores in well under a millisecond, where the clock's resolution and a
  // cold cache decide the figure, so it is explored again until 50 ms of work are timed.
  std::uint64_t steps = plain.stats.steps, schedules = plain.stats.schedules;
  double seconds = plain.stats.seconds;
  while (seconds < 0.05) {
    ExploreResult again = explore_exhaustive(spec, replayed);
    steps += again.stats.steps;
    schedules += again.stats.schedules;
    seconds += again.stats.seconds;
  }
  out.events_per_second = static_cast<double>(steps) / seconds;
  out.schedules_per_second = static_cast<double>(schedules) / seconds;
  return out;
}

std::vector<ScenarioBench> bench_all(bool added_only) {
  std::vector<ScenarioBench> out;
  for (const Scenario* scenario : all_scenarios()) {
    if (added_only && is_builtin(*scenario)) continue;
    out.push_back(bench_scenario(*scenario));
  }
  return out;
}

}  // namespace loopcheck
