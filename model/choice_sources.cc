#include "model/choice_sources.h"

namespace loopcheck {

std::uint32_t PrefixChoiceSource::choose(std::uint32_t n, ChoiceKind kind) {
  std::uint32_t value = 0;
  std::size_t i = made_.size();
  if (i < prefix_.size()) {
    const ChoiceRecord& want = prefix_[i];
    bool fits = want.value < n && (!strict_ || (want.kind == kind && want.range == n));
    if (fits) {
      value = want.value;
    } else if (!divergence_) {
      divergence_ = "choice " + std::to_string(i + 1) + ": recorded " +
                    std::string(choice_kind_name(want.kind)) + " " + std::to_string(want.value) +
                    "/" + std::to_string(want.range) + " but the run asked " +
                    std::string(choice_kind_name(kind)) + " with " + std::to_string(n) +
                    " options";
    }
  }
  made_.push_back(ChoiceRecord{value, n, kind});
  return value;
}

DeviationCount count_deviations(const std::vector<ChoiceRecord>& choices, std::size_t upto) {
  DeviationCount count;
  for (std::size_t i = 0; i < upto && i < choices.size(); ++i) {
    if (choices[i].value == 0) continue;
    if (is_preemption(choices[i].kind)) ++count.preemptions;
    if (is_fault(choices[i].kind)) ++count.faults;
  }
  return count;
}

}  // namespace loopcheck
