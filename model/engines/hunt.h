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
// A user's scenario is first checked with state_outside_the_world: one that fails is not clean.
ScenarioHunt certify_scenario(const Scenario& scenario);
// A scenario must keep every run's state in the world it is given, because the exhaustive
// engine saves and restores worlds (checkpoints.h), and state kept elsewhere would survive a
// restore. Explores the first schedules of its default run both ways, branching from saved
// worlds and replaying each from a fresh one, and says how they differ (nothing: they agree).
std::optional<std::string> state_outside_the_world(const Scenario& scenario);
// added_only: just the switches and scenarios a user's program added to the built-in ones.
HuntReport hunt(bool added_only = false);

}  // namespace loopcheck
