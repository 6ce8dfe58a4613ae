#include "model/engines/shrink.h"

#include "model/world/scenario.h"

namespace loopcheck {
namespace {

// "datagram fd 3: ..." -> "datagram fd 3": what failed, without how.
std::string subject_of(const std::string& message) { return message.substr(0, message.find(':')); }

struct Shrinker {
  ShrinkResult best;
  Oracle oracle;
  std::string subject;
  int max_attempts;

  // Runs the candidate and keeps it if it fails the same way and is no bigger.
  bool try_candidate(const RunSpec& spec, const std::vector<ChoiceRecord>& prefix) {
    if (best.attempts >= max_attempts) return false;
    ++best.attempts;
    RunResult run = execute(spec, prefix, false);
    if (run.verdict != Verdict::violation || run.violation->oracle != oracle) return false;
    if (subject_of(run.violation->message) != subject) return false;  // the same failure, not another
    if (!smaller(spec, run)) return false;
    best.spec = spec;
    best.run = std::move(run);
    return true;
  }

  static long weight(const RunSpec& spec, const RunResult& run) {
    DeviationCount d = count_deviations(run.choices, run.choices.size());
    long w = 1000000L * d.total() + 1000L * static_cast<long>(run.steps);
    for (const auto& [key, value] : spec.params) w += static_cast<long>(value);
    return w;
  }
  bool smaller(const RunSpec& spec, const RunResult& run) const {
    return weight(spec, run) < weight(best.spec, best.run);
  }

  bool pass_over_choices() {
    bool changed = false;
    for (std::size_t i = best.run.choices.size(); i-- > 0;) {
      if (i >= best.run.choices.size() || best.run.choices[i].value == 0) continue;
      std::vector<ChoiceRecord> prefix = best.run.choices;
      prefix.resize(i + 1);
      prefix[i].value = 0;
      if (try_candidate(best.spec, prefix)) {
        changed = true;
        continue;
      }
      if (best.run.choices[i].value > 1) {
        prefix[i].value = best.run.choices[i].value - 1;
        changed |= try_candidate(best.spec, prefix);
      }
    }
    return changed;
  }

  bool pass_over_params() {
    bool changed = false;
    for (const auto& [key, value] : RunSpec(best.spec).params) {
      // Only sizes shrink: fewer retries or shorter timeouts would make the fixed code fail too.
      if (value <= 1 || !is_size_param(key)) continue;
      RunSpec smaller_spec = best.spec;
      smaller_spec.params[key] = value / 2;
      // Only parameters the scenario takes: a reproducer must replay (proactor-pause's chunks=K
      // ignores bytes and chunk, so halving them still fails, but no one may give both).
      Params checked;
      if (merge_params(*best.spec.scenario, smaller_spec.params, checked)) continue;
      changed |= try_candidate(smaller_spec, best.run.choices);
    }
    return changed;
  }
};

}  // namespace

ShrinkResult shrink(const RunSpec& spec, const RunResult& failing, int max_attempts) {
  Shrinker shrinker{ShrinkResult{spec, failing, 0}, failing.violation->oracle,
                    subject_of(failing.violation->message), max_attempts};
  // The failing run may come from any source: re-run its choices so `best` is a prefix run.
  RunResult again = execute(spec, failing.choices, false);
  bool reproduces = again.verdict == Verdict::violation && again.violation->oracle == shrinker.oracle &&
                    subject_of(again.violation->message) == shrinker.subject;
  if (!reproduces) return shrinker.best;  // cannot shrink what does not replay: keep it as found
  shrinker.best.run = std::move(again);
  while (shrinker.pass_over_choices() || shrinker.pass_over_params()) {
  }
  return shrinker.best;
}

}  // namespace loopcheck
