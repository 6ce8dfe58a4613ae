#include "model/engines/run.h"

#include "model/world/world.h"

namespace loopcheck {

RunSpec RunSpec::defaults(const Scenario& scenario) {
  RunSpec spec;
  spec.scenario = &scenario;
  spec.params = scenario.default_params();
  spec.bounds = scenario.default_bounds();
  return spec;
}

namespace {

// Records every choice another source makes, so any run can be saved and replayed.
class RecordingSource final : public ChoiceSource {
 public:
  explicit RecordingSource(ChoiceSource& inner) : inner_(inner) {}
  std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override {
    return record(inner_.choose(n, kind), n, kind);
  }
  std::uint32_t choose_among(const std::uint32_t* ids, std::uint32_t n, ChoiceKind kind) override {
    return record(inner_.choose_among(ids, n, kind), n, kind);
  }
  std::uint32_t choose_option(const ChoiceOption* options, std::uint32_t n, ChoiceKind kind) override {
    return record(inner_.choose_option(options, n, kind), n, kind);
  }
  std::vector<ChoiceRecord> made;

 private:
  std::uint32_t record(std::uint32_t value, std::uint32_t n, ChoiceKind kind) {
    if (value >= n) value = 0;  // a source that overshoots gets the default, never UB
    made.push_back(ChoiceRecord{value, n, kind});
    return value;
  }
  ChoiceSource& inner_;
};

RunResult run_world(const RunSpec& spec, ChoiceSource& source, bool with_trace,
                    std::function<bool(SimWorld&)> visitor = {}) {
  SimWorld world(world_config(spec, with_trace), source);
  spec.scenario->setup(world, spec.params);
  if (visitor) world.set_visitor(std::move(visitor));
  RunEnd end = world.run(spec.bounds.max_steps);
  RunResult result = result_of(world, end);
  if (with_trace) result.trace = world.take_trace();
  return result;
}

}  // namespace

WorldConfig world_config(const RunSpec& spec, bool with_trace) {
  WorldConfig config;
  config.kernel = spec.scenario->kernel_config(spec.params);
  config.bugs = spec.bugs;
  config.oracles = spec.oracles;
  config.trace = with_trace;
  config.defer_environment = spec.defer_environment;
  return config;
}

RunResult result_of(SimWorld& world, RunEnd end) {
  RunResult result;
  result.steps = world.steps();
  result.violation = world.monitor().violation();
  result.verdict = end == RunEnd::violation    ? Verdict::violation
                   : end == RunEnd::step_bound ? Verdict::cut_off
                   : end == RunEnd::pruned     ? Verdict::pruned
                                               : Verdict::pass;
  result.restorable = world.restorable();
  result.deferral_conflict = world.deferral_conflict();
  return result;
}

RunResult execute_with(const RunSpec& spec, ChoiceSource& source, bool with_trace) {
  RecordingSource recording(source);
  RunResult result = run_world(spec, recording, with_trace);
  result.choices = std::move(recording.made);
  result.used = count_deviations(result.choices, result.choices.size());
  return result;
}

RunResult execute(const RunSpec& spec, const std::vector<ChoiceRecord>& prefix, bool with_trace,
                  bool strict, const StepVisitor* visitor, bool sleep_sets) {
  PrefixChoiceSource source(prefix, strict, sleep_sets);
  std::function<bool(SimWorld&)> step_visitor;
  if (visitor) step_visitor = [&](SimWorld& world) { return (*visitor)(world, source); };
  RunResult result = run_world(spec, source, with_trace, std::move(step_visitor));
  result.choices = source.take_made();
  result.used = source.used();
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
    case Verdict::pruned: return "pruned";
  }
  return "?";
}

}  // namespace loopcheck
