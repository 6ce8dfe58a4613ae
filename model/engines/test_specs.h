// Test support for the engines' tests: a scenario's default run, with a catalog switch on.
#pragma once

#include "model/engines/run.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"

namespace loopcheck {

inline RunSpec spec_of(const char* scenario, const char* bug = nullptr) {
  RunSpec spec = RunSpec::defaults(*find_scenario(scenario));
  if (bug) set_switch(spec.bugs, *find_bug(bug));
  return spec;
}

}  // namespace loopcheck
