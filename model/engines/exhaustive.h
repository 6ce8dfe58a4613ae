// The exhaustive engine: stateless DFS over the choice tree by replay. Each run replays a prefix
// and takes the default for every later choice; the next prefix bumps the deepest choice that
// still has an untried value within the deviation bounds. Nothing is sampled, so a run that
// ends with no violation certifies every schedule within the bounds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/engines/run.h"
#include "model/engines/visited_states.h"

namespace loopcheck {

struct ExploreStats {
  std::uint64_t schedules = 0;
  std::uint64_t cut_off = 0;  // runs stopped by the step bound (not judged for liveness)
  std::uint64_t steps = 0;
  std::size_t max_depth = 0;  // most choices in one run
  std::uint64_t pruned = 0;   // runs stopped by the reduction
  std::uint64_t states = 0;   // distinct states fingerprinted (reduction only)
  // The reduction pruned at any depth until a run was cut off, then started again pruning by
  // depth. `schedules`, `steps` and `seconds` count every pass (a deferral conflict, below,
  // can add one), the rest the last.
  bool restarted = false;
  // The reduction's covering counted preemptions (visited_states.h): the bound is small, or a
  // first pass that left them out met the bound withholding a choice and gave up (`schedules`
  // counts that pass). False when nothing was reduced.
  bool preemptions_counted = false;
  // Of `schedules`, those of a first pass that left preemptions out and gave up when the bound
  // withheld a choice (0: none did). Such a bound costs that pass; on threads it may bind where
  // one thread's DFS does not, the order in which states are first met being another
  // (docs/PERFORMANCE.md). preemption_note() tells the user.
  std::uint64_t preemption_pass_given_up = 0;
  // The reduction deferred the environment while the loop had work (model/world/deferral.h);
  // or it tried, met a step that depends on what waited, and started again without (with
  // --jobs, every thread did: stealing.h).
  bool deferred = false;
  std::optional<std::string> deferral_conflict;
  double seconds = 0;
  bool complete = false;      // the whole tree within bounds was explored
};

struct ExploreLimits {
  std::uint64_t max_schedules = 500000;
  bool stop_at_first = true;
  // State-fingerprint reduction: a schedule that reaches a state already explored at the same
  // or a lower depth, with the same deviations spent, stops there; that state's future is known.
  bool reduce = false;
  // With `reduce`: the environment waits while the loop has work, as long as no step taken
  // meanwhile depends on it (model/world/deferral.h); else a second pass without.
  bool defer_environment = true;
  // With `reduce`: a first pass leaves preemptions out of covering
  // (visited_states.h, Preemptions) and gives up if their bound withholds a choice. By default
  // only above a small bound, which would bind within the first runs; `always` for the tests.
  enum class IgnorePreemptions { above_small_bound, always, never };
  IgnorePreemptions ignore_preemptions = IgnorePreemptions::above_small_bound;
  // With `reduce`: which boundaries' states the cache keeps (visited_states.h, Storing), and
  // with Storing::automatic, up to how many states it keeps every step's.
  Storing storing = Storing::automatic;
  std::size_t keep_all_below = VisitedStates::kKeepAllBelow;
  // Partial-order reduction: sleep sets over independent kernel and peer events (disjoint
  // sockets, both due now). Combined with `reduce`, the sleep set is part of the state key.
  bool por = false;
  // A deterministic share of the tree (explore --shard; see shards.h): the subtrees under the
  // first `split_depth` branching choices are dealt round robin, in DFS order, to `shards`
  // shares, and this run explores share `shard`. shards = 1 is the whole tree.
  std::uint32_t shard = 0;
  std::uint32_t shards = 1;
  std::uint32_t split_depth = 16;
  // A time limit in seconds (0: none): past it no schedule starts, and the exploration, every
  // pass and thread of it, ends incomplete. Counted from the start of explore_exhaustive or
  // explore_parallel: with_deadline turns it into `deadline`, read before each schedule.
  double max_seconds = 0;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool in_time() const { return std::chrono::steady_clock::now() < deadline; }
  // Branch from saved worlds rather than replay each prefix (checkpoints.h), where the world
  // can be saved (not TLS). The same result either way.
  bool checkpoints = true;
};

struct ExploreResult {
  std::optional<RunResult> counterexample;  // choices only; replay it for the trace
  std::optional<RunResult> first_cut_off;   // a schedule the step bound stopped: a livelock?
  ExploreStats stats;

  // Counts one finished run, whatever engine made it (the counterexample is the caller's call).
  void account(const RunResult& run);
};

using ProgressFn = std::function<void(const ExploreStats&)>;

// The limits with max_seconds made a deadline from now (max_seconds becomes 0, so a callee does
// not start the clock again).
ExploreLimits with_deadline(const ExploreLimits& limits);

// Turns a run's choices into the next prefix in DFS order, in place (a run is hundreds of
// choices deep in the larger instances: no copy, no recount); false when the tree within bounds
// is exhausted. `used`: the deviations `made` spends. `preemptions_bound`, if given, is set when
// a value passed over would have fitted had no preemption been spent (Preemptions::ignored).
// `floor`: the choices before it are not changed (the work a thread owns from there down,
// stealing.h); false when none from there on has a value left.
bool advance_prefix(std::vector<ChoiceRecord>& made, DeviationCount used, const Bounds& bounds,
                    bool* preemptions_bound = nullptr, std::size_t floor = 0);

// `a` lies after `b` in one DFS of their tree: where they first differ, `a` took the higher
// value. Neither lies after the other when one is a prefix of the other. How shares and threads
// pick, among the runs each found, the one a single DFS meets first.
bool after_in_dfs(const std::vector<ChoiceRecord>& a, const std::vector<ChoiceRecord>& b);
// Keeps in `kept` whichever of it and `run` comes first in DFS order.
void keep_earliest(std::optional<RunResult>& kept, const RunResult& run);

// The prefix a DFS runs after a run that made `made`: its deepest choice with a value left
// within the bounds' deviations, bumped, and nothing after it. nullopt: the tree is done.
std::optional<std::vector<ChoiceRecord>> next_prefix(const std::vector<ChoiceRecord>& made, const Bounds& bounds);

ExploreResult explore_exhaustive(const RunSpec& spec, const ExploreLimits& limits = {},
                                 const ProgressFn& progress = {});

// Why a pass of a reduced search stopped before its end proved anything.
enum class GaveUp { no, cut_off, deferral, preemption_bound };
// One pass of a reduced search: a DFS of the whole tree (or of a share) with the
// spec (its defer_environment set), limits (the budget left) and ways of pruning given; it
// sets gave_up when it stopped for one of those reasons.
using ReducedPass =
    std::function<ExploreResult(const RunSpec&, const ExploreLimits&, Pruning, Preemptions, GaveUp& gave_up)>;
// A reduced search, pass after pass, each with what the ones before found unsound left out
// (explore_exhaustive's; explore_stealing's with threads).
ExploreResult explore_in_passes(const RunSpec& spec, const ExploreLimits& limits, const ReducedPass& pass);

// Iterative deepening on the number of deviations (preemptions + faults): the first level that
// has a violation gives the simplest counterexamples; among them the one with fewest steps wins.
ExploreResult shortest_counterexample(const RunSpec& spec, const ExploreLimits& limits = {});

// "all schedules up to 400 steps, 2 preemptions, 0 faults: 1234 explored, 0 violations"
std::string certificate(const RunSpec& spec, const ExploreStats& stats, bool violation);
// A line for the user when a first pass was given up for the preemption bound (else empty):
// what it cost and how to avoid it.
std::string preemption_note(const RunSpec& spec, const ExploreStats& stats);

}  // namespace loopcheck
