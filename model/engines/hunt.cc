#include "model/engines/hunt.h"

#include <algorithm>
#include <chrono>

#include "model/engines/sampling.h"
#include "model/engines/shrink.h"
#include "model/scenarios/registry.h"

namespace loopcheck {

bool HuntReport::ok() const {
  bool bugs_found = std::all_of(bugs.begin(), bugs.end(), [](const BugHunt& b) { return b.found; });
  bool all_clean =
      std::all_of(scenarios.begin(), scenarios.end(), [](const ScenarioHunt& s) { return s.clean; });
  return bugs_found && all_clean;
}

namespace {

bool is_entry_oracle(const CatalogEntry& entry, const RunResult& run) {
  return run.violation && std::find(entry.oracles.begin(), entry.oracles.end(),
                                    run.violation->oracle) != entry.oracles.end();
}

EngineHunt sample(const CatalogEntry& entry, const RunSpec& spec, Engine engine) {
  SampleOptions options;
  options.engine = engine;
  // Found or not within a number of runs from a fixed seed: the same answer on every machine. A
  // time limit would make a slow or loaded machine (an ASan build, a shared CI runner) miss a
  // bug a fast one finds (sslproto-flush-abort's PCT needs 1,637 runs); this one is only a net.
  options.max_runs = 20000;
  options.max_seconds = 600;
  ExploreResult result = explore_sampling(spec, options);
  EngineHunt out;
  out.schedules = result.stats.schedules;
  out.seconds = result.stats.seconds;
  if (result.counterexample && is_entry_oracle(entry, *result.counterexample)) {
    auto start = std::chrono::steady_clock::now();
    ShrinkResult shrunk = shrink(spec, *result.counterexample);
    out.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.found = true;
    out.trace_length = shrunk.run.steps;
  }
  return out;
}

}  // namespace

BugHunt hunt_bug(const CatalogEntry& entry) {
  BugHunt out;
  out.entry = &entry;
  const Scenario* scenario = find_scenario(entry.scenario);
  if (!scenario) {
    out.message = "scenario " + std::string(entry.scenario) + " is missing";
    return out;
  }
  RunSpec spec = RunSpec::defaults(*scenario);
  set_switch(spec.bugs, entry);
  ExploreResult found = explore_exhaustive(spec);
  out.schedules = found.stats.schedules;
  out.seconds = found.stats.seconds;
  if (!found.counterexample) {
    out.message = "no violation: " + certificate(spec, found.stats, false);
    return out;
  }
  const Violation& violation = *found.counterexample->violation;
  out.oracle = violation.oracle;
  out.message = violation.message;
  out.found = std::find(entry.oracles.begin(), entry.oracles.end(), violation.oracle) !=
              entry.oracles.end();
  ExploreResult shortest = shortest_counterexample(spec);
  out.seconds += shortest.stats.seconds;
  if (shortest.counterexample) out.trace_length = shortest.counterexample->steps;
  out.exhaustive = EngineHunt{out.found, out.seconds, out.schedules, out.trace_length};
  out.random = sample(entry, spec, Engine::random);
  out.pct = sample(entry, spec, Engine::pct);
  out.found = out.found && out.random.found && out.pct.found;
  return out;
}

std::optional<std::string> state_outside_the_world(const Scenario& scenario) {
  RunSpec spec = RunSpec::defaults(scenario);
  ExploreLimits limits;
  limits.max_schedules = 2000;
  limits.stop_at_first = false;
  limits.reduce = scenario.explore_with_reduction();
  limits.checkpoints = false;
  ExploreResult replayed = explore_exhaustive(spec, limits);
  limits.checkpoints = true;
  ExploreResult resumed = explore_exhaustive(spec, limits);
  auto counts = [](const ExploreResult& r) {
    const ExploreStats& s = r.stats;
    return std::to_string(s.schedules) + " schedules, " + std::to_string(s.steps) + " steps, " +
           std::to_string(s.states) + " states, " + std::to_string(s.pruned) + " pruned" +
           (r.counterexample ? ", a violation after " + std::to_string(r.counterexample->choices.size()) + " choices"
                             : "");
  };
  std::string a = counts(resumed), b = counts(replayed);
  if (a == b) return std::nullopt;
  return "runs resumed from saved worlds explore " + a + ", runs replayed from fresh worlds " + b +
         ": some of a run's state is kept outside the world (see docs/USING.md, section 6)";
}

ScenarioHunt certify_scenario(const Scenario& scenario) {
  ScenarioHunt out;
  out.scenario = &scenario;
  if (!is_builtin(scenario)) {
    if (auto differs = state_outside_the_world(scenario)) {
      out.verdict = "state outside the world";
      out.certified = *differs;
      return out;
    }
  }
  RunSpec spec = RunSpec::defaults(scenario);
  ExploreLimits limits;
  limits.stop_at_first = true;
  limits.reduce = scenario.explore_with_reduction();
  ExploreResult result = explore_exhaustive(spec, limits);
  out.schedules = result.stats.schedules;
  out.seconds = result.stats.seconds;
  bool violation = result.counterexample.has_value();
  out.certified = certificate(spec, result.stats, violation);
  if (violation) {
    out.verdict = "violation " + std::string(oracle_id(result.counterexample->violation->oracle));
  } else if (!result.stats.complete || result.stats.cut_off > 0) {
    out.verdict = "incomplete";
  } else {
    out.verdict = "clean";
    out.clean = true;
  }
  return out;
}

HuntReport hunt(bool added_only) {
  HuntReport report;
  for (const CatalogEntry& entry : catalog()) {
    if (added_only && entry.bug != Bug::kCount) continue;
    report.bugs.push_back(hunt_bug(entry));
  }
  for (const Scenario* scenario : all_scenarios()) {
    if (added_only && is_builtin(*scenario)) continue;
    report.scenarios.push_back(certify_scenario(*scenario));
  }
  return report;
}

}  // namespace loopcheck
