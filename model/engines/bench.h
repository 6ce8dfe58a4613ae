// What `loopcheck bench` measures for each scenario, in one process so the figures compare:
// simulated events (world steps) per second, schedules per second, and the schedules the
// exhaustive engine needs with and without the fingerprint reduction for the same bounds.
#pragma once

#include <cstdint>
#include <vector>

#include "model/world/scenario.h"

namespace loopcheck {

struct ScenarioBench {
  const Scenario* scenario = nullptr;
  double events_per_second = 0;
  double schedules_per_second = 0;
  std::uint64_t schedules_plain = 0;
  std::uint64_t schedules_fingerprint = 0;  // state fingerprints only
  std::uint64_t schedules_por = 0;          // sleep sets only
  std::uint64_t schedules_reduced = 0;      // both
  double seconds_plain = 0;
  double seconds_reduced = 0;
};

ScenarioBench bench_scenario(const Scenario& scenario);
// added_only: just the scenarios a user's program added.
std::vector<ScenarioBench> bench_all(bool added_only = false);

}  // namespace loopcheck
