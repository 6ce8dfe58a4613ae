#include "model/run.h"

#include "model/world.h"

namespace loopcheck {

RunSpec RunSpec::defaults(const Scenario& scenario) {
  RunSpec spec;
  spec.scenario = &scenario;
  spec.params = scenario.default_params();
  spec.bounds = scenario.default_bounds();
  return spec;
}

RunResult execute(const RunSpec& spec, const std::vector<ChoiceRecord>& prefix, bool with_trace,
                  bool strict) {
  PrefixChoiceSource source(prefix, strict);
  WorldConfig config;
  config.kernel = spec.scenario->kernel_config(spec.params);
  config.bugs = spec.bugs;
  config.oracles = spec.oracles;
  config.trace = with_trace;
  RunResult result;
  {
    SimWorld world(config, source);
    spec.scenario->setup(world, spec.params);
    RunEnd end = world.run(spec.bounds.max_steps);
    result.steps = world.steps();
    result.violation = world.monitor().violation();
    result.verdict = end == RunEnd::violation    ? Verdict::violation
                     : end == RunEnd::step_bound ? Verdict::cut_off
                                                 : Verdict::pass;
    if (with_trace) result.trace = world.take_trace();
  }
  result.choices = source.made();
  result.divergence = source.divergence();
  if (strict && !result.divergence && result.choices.size() < prefix.size()) {
    result.divergence = "the run ended after " + std::to_string(result.choices.size()) +
                        " choices, but the reproducer has " + std::to_string(prefix.size());
  }
  return result;
}

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::pass: return "pass";
    case Verdict::violation: return "violation";
    case Verdict::cut_off: return "cut off";
  }
  return "?";
}

}  // namespace loopcheck
