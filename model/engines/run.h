// One run: a scenario, its parameters, the switches and a choice sequence in; a verdict, the
// choices actually made and (optionally) the trace out. Every engine is built on this.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/engines/choice_sources.h"
#include "model/oracles/oracle.h"
#include "model/world/scenario.h"
#include "model/world/trace.h"
#include "src/core/bugs.h"

namespace loopcheck {

struct RunSpec {
  const Scenario* scenario = nullptr;
  Params params;  // complete: defaults merged with overrides
  BugSet bugs;
  OracleSet oracles = OracleSet::all();
  Bounds bounds;
  // The environment waits while the loop has work (model/world/deferral.h): a reduction of the
  // exhaustive engine's. It only marks options, so a run's choices replay the same without it.
  bool defer_environment = false;

  // The scenario's defaults, with no switch on.
  static RunSpec defaults(const Scenario& scenario);
};

// pruned: a reduction stopped the run because its future was already explored.
enum class Verdict { pass, violation, cut_off, pruned };

struct RunResult {
  Verdict verdict = Verdict::pass;
  std::optional<Violation> violation;
  std::vector<ChoiceRecord> choices;
  DeviationCount used;  // what `choices` spend: count_deviations(choices), kept as they were made
  std::vector<TraceLine> trace;
  std::size_t steps = 0;
  std::optional<std::string> divergence;  // strict replay only
  bool restorable = false;                // the world could be saved by its bytes (SimWorld::restorable)
  std::optional<std::string> deferral_conflict;  // defer_environment was not sound for this run
};

class SimWorld;
struct WorldConfig;
enum class RunEnd;
// The world a run of `spec` is made with, and what its end says: shared by every way of running.
WorldConfig world_config(const RunSpec& spec, bool with_trace);
RunResult result_of(SimWorld& world, RunEnd end);
// Called before every step with the run's choice source (choices made so far, sleep set);
// returning false prunes the run. A visitor asks for the world's fingerprint only once the
// source is past its prefix (!replaying()): the states on the prefix are an earlier run's, and
// CheckpointedRuns makes the fingerprint ready only where it may be asked for.
using StepVisitor = std::function<bool(SimWorld& world, const PrefixChoiceSource& source)>;

// strict: the prefix must match the run choice for choice (replay of a reproducer).
// sleep_sets: the partial-order reduction (see PrefixChoiceSource).
RunResult execute(const RunSpec& spec, const std::vector<ChoiceRecord>& prefix, bool with_trace,
                  bool strict = false, const StepVisitor* visitor = nullptr, bool sleep_sets = false);

// The same run with any choice source (random, PCT, bytes from a fuzzer); the choices it made
// are recorded, so the result replays with execute().
RunResult execute_with(const RunSpec& spec, ChoiceSource& source, bool with_trace);

std::string_view verdict_name(Verdict verdict);

}  // namespace loopcheck
