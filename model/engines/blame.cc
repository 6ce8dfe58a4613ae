#include "model/engines/blame.h"

#include <algorithm>

namespace loopcheck {
namespace {

bool fails_the_same(const RunSpec& spec, const RunResult& counterexample) {
  RunResult again = execute(spec, counterexample.choices, false);
  return again.violation && counterexample.violation && again.violation->oracle == counterexample.violation->oracle;
}

}  // namespace

std::vector<const CatalogEntry*> switches_on(const RunSpec& spec) {
  std::vector<const CatalogEntry*> on;
  for (const CatalogEntry& entry : catalog()) {
    if (switch_on(spec.bugs, entry)) on.push_back(&entry);
  }
  return on;
}

Blame blame(const RunSpec& spec, const RunResult& counterexample) {
  std::vector<const CatalogEntry*> on = switches_on(spec);
  Blame result;
  for (const CatalogEntry* entry : on) {
    RunSpec without = spec;
    set_switch(without.bugs, *entry, false);
    if (!fails_the_same(without, counterexample)) result.switches.push_back(entry);
  }
  if (!result.switches.empty() || on.empty()) return result;
  RunSpec none = spec;
  for (const CatalogEntry* entry : on) set_switch(none.bugs, *entry, false);
  if (!fails_the_same(none, counterexample)) result = Blame{on, false};
  return result;
}

PeelResult peel(const RunSpec& spec, const ExploreLimits& limits) {
  PeelResult result;
  RunSpec current = spec;
  for (;;) {
    result.last = explore_exhaustive(current, limits);
    result.last_spec = current;
    if (!result.last.counterexample) return result;
    ExploreResult shortest = shortest_counterexample(current, limits);
    RunResult counterexample = shortest.counterexample ? *shortest.counterexample : *result.last.counterexample;
    Blame causes = blame(current, counterexample);
    result.findings.push_back(PeeledFinding{causes, counterexample, current});
    if (causes.switches.empty()) return result;
    for (const CatalogEntry* entry : causes.switches) set_switch(current.bugs, *entry, false);
    if (switches_on(current).empty()) {
      // Nothing left on: the round after would explore the fixed code, which is not this
      // question; report the last violation's round as the end.
      return result;
    }
  }
}

Peeling blame_and_peel(const RunSpec& spec, const RunResult& shown, const ExploreLimits& limits) {
  Peeling peeling;
  peeling.shown = blame(spec, shown);
  const std::vector<const CatalogEntry*>& causes = peeling.shown.switches;
  for (const CatalogEntry* entry : switches_on(spec)) {
    if (std::find(causes.begin(), causes.end(), entry) == causes.end()) peeling.idle.push_back(entry);
  }
  if (causes.empty() || peeling.idle.empty()) return peeling;
  RunSpec rest = spec;
  for (const CatalogEntry* entry : causes) set_switch(rest.bugs, *entry, false);
  peeling.rest = peel(rest, limits);
  return peeling;
}

}  // namespace loopcheck
