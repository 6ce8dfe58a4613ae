#include "properties/property_support.h"

#include <gtest/gtest.h>

#include <rapidcheck.h>

#include <set>
#include <string>
#include <vector>

#include "model/engines/byte_choice_source.h"
#include "model/engines/reproducer.h"
#include "model/engines/shrink.h"
#include "model/scenarios/registry.h"

namespace loopcheck::properties {
namespace {

std::vector<const Scenario*> family_scenarios(std::string_view family) {
  std::vector<const Scenario*> out;
  for (const Scenario* s : all_scenarios()) {
    if (s->family() == family) out.push_back(s);
  }
  return out;
}

void run_case(const Scenario& scenario, const BugSet& bugs) {
  RunSpec spec = RunSpec::defaults(scenario);
  spec.bugs = bugs;
  for (auto& [key, value] : spec.params) {
    if (!is_size_param(key)) continue;  // behaviour parameters keep their defaults
    ParamRange range = scenario.param_range(key);
    std::int64_t low = std::max<std::int64_t>(range.min, value / 2);
    std::int64_t high = std::min<std::int64_t>(range.max, 2 * value);
    value = *rc::gen::inRange<std::int64_t>(low, high + 1).as(key);
  }
  const auto schedule = *rc::gen::container<std::vector<std::uint8_t>>(rc::gen::arbitrary<std::uint8_t>())
                             .as("schedule bytes");
  ByteChoiceSource source(schedule.data(), schedule.size(), spec.bounds);
  RunResult run = execute_with(spec, source, false);
  if (run.verdict == Verdict::violation) {
    // RapidCheck shrinks the bytes; our shrinker then drops what is left of the deviations,
    // as for every other engine, before the trace and reproducer are shown.
    ShrinkResult shrunk = shrink(spec, run, 200);
    RunResult traced = execute(shrunk.spec, shrunk.run.choices, true, true);
    RC_LOG() << format_trace(traced.trace) << "\n--- reproducer ---\n"
             << write_reproducer(reproducer_from_run(shrunk.spec, traced, "rapidcheck"));
    RC_FAIL(std::string(oracle_id(run.violation->oracle)) + ": " + run.violation->message);
  }
  RC_TAG(std::string(scenario.name()));
}

}  // namespace

void check_family_run(std::string_view family, const BugSet& bugs) {
  const std::vector<const Scenario*> scenarios = family_scenarios(family);
  RC_PRE(!scenarios.empty());
  run_case(**rc::gen::elementOf(scenarios).as("scenario"), bugs);
}

int cases_to_find(const CatalogEntry& entry) {
  const Scenario* scenario = find_scenario(entry.scenario);
  BugSet bugs;
  set_switch(bugs, entry);
  rc::detail::TestParams params;
  params.maxSuccess = 1000;
  params.seed = 1;
  params.disableShrinking = true;  // we only count the cases it takes to fail
  auto result = rc::detail::checkTestable([&] { run_case(*scenario, bugs); },
                                          rc::detail::TestMetadata{}, params);
  if (!result.is<rc::detail::FailureResult>()) return -1;
  return result.get<rc::detail::FailureResult>().numSuccess + 1;
}

void expect_each_switch_found(std::string_view family) {
  for (const CatalogEntry& entry : catalog()) {
    const Scenario* scenario = find_scenario(entry.scenario);
    if (!scenario || scenario->family() != family) continue;
    int cases = cases_to_find(entry);
    EXPECT_GT(cases, 0) << entry.id << " was not found in 1000 cases";
    std::printf("%s: found by RapidCheck after %d case(s)\n", std::string(entry.id).c_str(), cases);
  }
}

}  // namespace loopcheck::properties
