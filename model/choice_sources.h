// Choice sources the engines drive a run with. A run's choices are its whole identity: the same
// scenario, parameters, switches and choices give the same trace, byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/core/choice.h"

namespace loopcheck {

struct ChoiceRecord {
  std::uint32_t value = 0;
  std::uint32_t range = 0;  // n: the value was in [0, n)
  ChoiceKind kind = ChoiceKind::deliver;
};

// Replays a prefix, then answers 0 ("no deviation", "first option") and records every choice.
// In strict mode a prefix that does not fit the run (value out of range, or a different kind
// asked) is a divergence: it is reported, and the run goes on with 0.
class PrefixChoiceSource final : public ChoiceSource {
 public:
  explicit PrefixChoiceSource(std::vector<ChoiceRecord> prefix, bool strict = false)
      : prefix_(std::move(prefix)), strict_(strict) {}

  std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override;
  const std::vector<ChoiceRecord>& made() const { return made_; }
  const std::optional<std::string>& divergence() const { return divergence_; }

 private:
  std::vector<ChoiceRecord> prefix_;
  bool strict_;
  std::vector<ChoiceRecord> made_;
  std::optional<std::string> divergence_;
};

// Splits choices into deviations the engines bound: preemptions and faults.
struct DeviationCount {
  int preemptions = 0;
  int faults = 0;
};
DeviationCount count_deviations(const std::vector<ChoiceRecord>& choices, std::size_t upto);

}  // namespace loopcheck
