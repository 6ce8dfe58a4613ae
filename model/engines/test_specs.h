// Test support for the engines' tests: a scenario's default run, with a catalog switch on;
// SPIN's instance of bpo-33694; the state-cache reduction with room to finish; gtest names.
#pragma once

#include <cctype>
#include <string>
#include <string_view>

#include "model/engines/exhaustive.h"
#include "model/engines/run.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"

namespace loopcheck {

// A catalog id or a scenario name as a gtest parameter name: letters and digits, the rest '_'.
inline std::string gtest_name(std::string_view id) {
  std::string name(id);
  for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

inline RunSpec spec_of(const char* scenario, const char* bug = nullptr) {
  RunSpec spec = RunSpec::defaults(*find_scenario(scenario));
  if (bug) set_switch(spec.bugs, *find_bug(bug));
  return spec;
}

// proactor-pause as SPIN's model has it (bench/spin/): `chunks` chunks, the app pausing anywhere
// at most twice, no faults, a preemption bound no run reaches.
inline RunSpec spin_pause_instance(std::int64_t chunks, const char* bug = nullptr) {
  RunSpec spec = spec_of("proactor-pause", bug);
  spec.params["chunks"] = chunks;
  spec.params["pauses"] = 2;
  spec.bounds = Bounds{100000, 100, 0};
  return spec;
}

inline ExploreLimits reduced(
    ExploreLimits::IgnorePreemptions ignore = ExploreLimits::IgnorePreemptions::above_small_bound) {
  ExploreLimits limits;
  limits.reduce = true;
  limits.max_schedules = 5000000;
  limits.ignore_preemptions = ignore;
  return limits;
}

}  // namespace loopcheck
