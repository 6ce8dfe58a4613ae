// `loopcheck hunt`: every catalog bug through the engines, every scenario with no switch on
// through exhaustive exploration. The report is what the CLI prints as a table or JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/oracles/catalog.h"
#include "model/engines/exhaustive.h"
#include "model/world/scenario.h"

namespace loopcheck {

struct EngineHunt {
  bool found = false;
  double seconds = 0;
  std::uint64_t schedules = 0;
  std::size_t trace_length = 0;  // steps of the counterexample after shrinking
};

struct BugHunt {
  const CatalogEntry* entry = nullptr;
  bool found = false;               // a violation of one of the entry's oracles
  std::optional<Oracle> oracle;     // what fired
  std::string engine = "exhaustive";
  double seconds = 0;
  std::uint64_t schedules = 0;      // schedules until the first violation
  std::size_t trace_length = 0;     // steps of the shortest counterexample
  std::string message;
  EngineHunt exhaustive, random, pct;
};

struct ScenarioHunt {
  const Scenario* scenario = nullptr;
  bool clean = false;
  std::string verdict;              // "clean", "violation O4", "incomplete"
  std::uint64_t schedules = 0;
  double seconds = 0;
  std::string certified;
};

struct HuntReport {
  std::vector<BugHunt> bugs;
  std::vector<ScenarioHunt> scenarios;
  bool ok() const;
};

BugHunt hunt_bug(const CatalogEntry& entry);
ScenarioHunt certify_scenario(const Scenario& scenario);
// added_only: just the switches and scenarios a user's program added to the built-in ones.
HuntReport hunt(bool added_only = false);

}  // namespace loopcheck
