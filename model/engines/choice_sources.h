// Choice sources the engines drive a run with. A run's choices are its whole identity: the same
// scenario, parameters, switches and choices give the same trace, byte for byte.
#pragma once

#include <cstdint>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/world/scenario.h"
#include "src/core/choice.h"

namespace loopcheck {

struct ChoiceRecord {
  std::uint32_t value = 0;
  std::uint32_t range = 0;  // n: the value was in [0, n)
  ChoiceKind kind = ChoiceKind::deliver;
  // Bit v: option v was deferred (ChoiceOption::deferred), so a search need not take it there;
  // only the first 32 options are marked. In a prefix, the mask the search keeps for the state
  // (0 once its deferral was undone). Not part of what replays: a reproducer leaves it out.
  std::uint32_t skip = 0;
};

// Splits choices into deviations the engines bound: preemptions and faults.
struct DeviationCount {
  int preemptions = 0;
  int faults = 0;
  int app_actions = 0;
  int total() const { return preemptions + faults + app_actions; }
  // One more choice of this kind, if it were not the default, would still fit the bounds.
  bool fits_one_more(ChoiceKind kind, const Bounds& bounds) const;
  void add(ChoiceKind kind, int n = 1);
};
DeviationCount count_deviations(const std::vector<ChoiceRecord>& choices, std::size_t upto);

// Replays a prefix, then answers 0 ("no deviation", "first option") and records every choice.
// In strict mode a prefix that does not fit the run (value out of range, or a different kind
// asked) is a divergence: it is reported, and the run goes on with 0.
//
// With sleep sets on (the partial-order reduction), scheduling choices also carry a sleep set:
// options already explored at an ancestor and independent of everything taken since. Taking a
// sleeping option repeats an explored interleaving, so the run is marked redundant; past the
// prefix, the default skips sleeping options.
//
// Options the world defers (ChoiceOption::deferred) are marked in the choice's record (skip),
// and next_prefix passes over them; a deferral the world finds unsound at that state is undone
// (undefer_last_option), and the record then has them explored like any other option.
class PrefixChoiceSource final : public ChoiceSource {
 public:
  explicit PrefixChoiceSource(std::vector<ChoiceRecord> prefix, bool strict = false,
                              bool sleep_sets = false)
      : records_(std::move(prefix)), prefix_end_(records_.size()), strict_(strict), sleep_sets_(sleep_sets) {}

  std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override;
  std::uint32_t choose_option(const ChoiceOption* options, std::uint32_t n, ChoiceKind kind) override;
  bool redundant() const { return redundant_; }
  bool undefer_last_option() override;
  // A digest of the current sleep set, so a state cache never mixes different sleep sets.
  std::uint64_t sleep_digest() const;
  std::span<const ChoiceRecord> made() const { return {records_.data(), made_}; }
  // The choices made, handed over without a copy; the source holds none after it, until the
  // next rewind.
  std::vector<ChoiceRecord> take_made();
  // Still on the prefix: the next choice is one an earlier run made (a state it has visited).
  bool replaying() const { return made_ < prefix_end_; }
  // The deviations among made(), kept as they are made: a reduction asks before every step.
  const DeviationCount& used() const { return used_; }
  const std::optional<std::string>& divergence() const { return divergence_; }

  // Where a run stood between two steps, so it can go on from there along another prefix after
  // its world was put back (model/engines/checkpoints.h).
  struct Mark {
    std::size_t made = 0;
    DeviationCount used;
    std::optional<std::string> divergence;
    bool redundant = false;
    std::vector<ChoiceOption> sleeping;
  };
  Mark mark() const { return Mark{made_, used_, divergence_, redundant_, sleeping_}; }
  // Back to `mark`, taken in the last run, to follow `prefix`, whose records up to the mark
  // are that run's, every field alike: they stand for the choices made before it, uncopied.
  void rewind(const Mark& mark, std::vector<ChoiceRecord> prefix);

 private:
  void record(ChoiceRecord made);
  // The choices made, [0, made_), then the rest of the prefix, [made_, prefix_end_): a choice
  // made on the prefix takes its record's place, so a run that follows a prefix copies nothing.
  std::vector<ChoiceRecord> records_;
  std::size_t made_ = 0;
  std::size_t prefix_end_ = 0;
  std::uint32_t prefix_skip_ = 0;  // the skip of the prefix record the last choice replaced
  bool strict_;
  DeviationCount used_;
  std::optional<std::string> divergence_;
  bool sleep_sets_;
  bool redundant_ = false;
  std::vector<ChoiceOption> sleeping_;
  std::size_t last_option_ = ~std::size_t{0};  // the record of the last choose_option
};


}  // namespace loopcheck
