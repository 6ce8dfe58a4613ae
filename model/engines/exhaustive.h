// The exhaustive engine: stateless DFS over the choice tree by replay. Each run replays a prefix
// and takes the default for every later choice; the next prefix bumps the deepest choice that
// still has an untried value within the deviation bounds. Nothing is sampled, so a run that
// ends with no violation certifies every schedule within the bounds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "model/engines/run.h"

namespace loopcheck {

struct ExploreStats {
  std::uint64_t schedules = 0;
  std::uint64_t cut_off = 0;  // runs stopped by the step bound (not judged for liveness)
  std::uint64_t steps = 0;
  std::size_t max_depth = 0;  // most choices in one run
  std::uint64_t pruned = 0;   // runs stopped by the reduction
  std::uint64_t states = 0;   // distinct states fingerprinted (reduction only)
  double seconds = 0;
  bool complete = false;      // the whole tree within bounds was explored
};

struct ExploreLimits {
  std::uint64_t max_schedules = 500000;
  bool stop_at_first = true;
  // State-fingerprint reduction: a schedule that reaches a state already explored at the same
  // or a lower depth, with the same deviations spent, stops there; that state's future is known.
  bool reduce = false;
  // Partial-order reduction: sleep sets over independent kernel and peer events (disjoint
  // sockets, both due now). Combined with `reduce`, the sleep set is part of the state key.
  bool por = false;
};

struct ExploreResult {
  std::optional<RunResult> counterexample;  // choices only; replay it for the trace
  std::optional<RunResult> first_cut_off;   // a schedule the step bound stopped: a livelock?
  ExploreStats stats;

  // Counts one finished run, whatever engine made it (the counterexample is the caller's call).
  void account(const RunResult& run);
};

using ProgressFn = std::function<void(const ExploreStats&)>;

ExploreResult explore_exhaustive(const RunSpec& spec, const ExploreLimits& limits = {},
                                 const ProgressFn& progress = {});

// Iterative deepening on the number of deviations (preemptions + faults): the first level that
// has a violation gives the simplest counterexamples; among them the one with fewest steps wins.
ExploreResult shortest_counterexample(const RunSpec& spec, const ExploreLimits& limits = {});

// "all schedules up to 400 steps, 2 preemptions, 0 faults: 1234 explored, 0 violations"
std::string certificate(const RunSpec& spec, const ExploreStats& stats, bool violation);

}  // namespace loopcheck
