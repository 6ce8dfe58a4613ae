#include "model/engines/choice_sources.h"

#include <algorithm>
#include <utility>

#include "model/world/state_fingerprint.h"  // header-only xxHash

namespace loopcheck {

std::uint32_t PrefixChoiceSource::choose(std::uint32_t n, ChoiceKind kind) {
  std::uint32_t value = 0;
  std::size_t i = made_;
  if (i < prefix_end_) {
    const ChoiceRecord& want = records_[i];
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
  record(ChoiceRecord{value, n, kind});
  return value;
}

void PrefixChoiceSource::rewind(const Mark& mark, std::vector<ChoiceRecord> prefix) {
  records_ = std::move(prefix);
  prefix_end_ = records_.size();
  made_ = std::min(mark.made, prefix_end_);
  used_ = mark.used;
  divergence_ = mark.divergence;
  redundant_ = mark.redundant;
  sleeping_ = mark.sleeping;
}

std::vector<ChoiceRecord> PrefixChoiceSource::take_made() {
  records_.resize(made_);
  std::vector<ChoiceRecord> made = std::move(records_);
  records_.clear();
  made_ = 0;
  prefix_end_ = 0;
  return made;
}

void PrefixChoiceSource::record(ChoiceRecord made) {
  if (made.value != 0) used_.add(made.kind);
  if (made_ < records_.size()) {
    prefix_skip_ = records_[made_].skip;
    records_[made_] = made;
  } else {
    records_.push_back(made);
  }
  ++made_;
}

std::uint32_t PrefixChoiceSource::choose_option(const ChoiceOption* options, std::uint32_t n,
                                                ChoiceKind kind) {
  // The options a search may leave out here: those the world defers, unless the prefix says
  // their deferral was undone at this state (its record's skip, carried by next_prefix).
  auto mark_deferred = [&] {
    std::uint32_t skip = 0;
    for (std::uint32_t i = 0; i < n && i < 32; ++i) skip |= options[i].deferred ? 1u << i : 0u;
    std::size_t at = made_ - 1;
    if (at < prefix_end_) skip &= prefix_skip_;
    records_[at].skip = skip;
    last_option_ = at;
  };
  if (!sleep_sets_) {
    std::uint32_t value = choose(n, kind);
    mark_deferred();
    return value;
  }
  auto asleep = [&](const ChoiceOption& o) {
    for (const ChoiceOption& s : sleeping_) {
      if (s.actor == o.actor) return true;
    }
    return false;
  };
  std::uint32_t value = 0;
  if (replaying()) {
    value = choose(n, kind);
  } else {
    // Past the prefix: the first option that is awake (and within the deviation bounds the
    // engine enforces through backtracking: value 0 is always allowed).
    while (value < n && asleep(options[value])) ++value;
    if (value == n || (value > 0 && kind == ChoiceKind::preempt)) value = 0;
    record(ChoiceRecord{value, n, kind});
  }
  mark_deferred();
  const ChoiceOption& taken = options[value];
  if (asleep(taken)) redundant_ = true;
  // Options before `taken` were explored first (DFS order): they sleep in this subtree, with
  // the old sleepers, as long as they are independent of what was taken.
  std::vector<ChoiceOption> next;
  for (const ChoiceOption& s : sleeping_) {
    if (independent(s, taken)) next.push_back(s);
  }
  // A deferred option was never taken here: it is not known to be explored, so it cannot sleep.
  std::uint32_t skipped = records_[made_ - 1].skip;
  for (std::uint32_t i = 0; i < value; ++i) {
    bool left_out = i < 32 && ((skipped >> i) & 1);
    if (!left_out && !asleep(options[i]) && independent(options[i], taken)) next.push_back(options[i]);
  }
  sleeping_ = std::move(next);
  return value;
}

bool PrefixChoiceSource::undefer_last_option() {
  if (last_option_ >= made_) return false;
  ChoiceRecord& record = records_[last_option_];
  std::uint32_t below = record.value >= 32 ? ~0u : (1u << record.value) - 1;
  if (record.skip & below) return false;  // a deferred option before the one taken was passed over
  record.skip = 0;
  return true;
}

std::uint64_t PrefixChoiceSource::sleep_digest() const {
  if (sleeping_.empty()) return 0;
  std::vector<std::uint32_t> actors;
  for (const ChoiceOption& s : sleeping_) actors.push_back(s.actor);
  std::sort(actors.begin(), actors.end());
  return XXH3_64bits(actors.data(), actors.size() * sizeof(std::uint32_t));
}

void DeviationCount::add(ChoiceKind kind, int n) {
  if (is_preemption(kind)) preemptions += n;
  if (is_fault(kind)) faults += n;
  if (is_app_action(kind)) app_actions += n;
}

bool DeviationCount::fits_one_more(ChoiceKind kind, const Bounds& bounds) const {
  if (!is_bounded(kind)) return true;
  if (is_preemption(kind) && preemptions + 1 > bounds.max_preemptions) return false;
  if (is_fault(kind) && faults + 1 > bounds.max_faults) return false;
  if (is_app_action(kind) && app_actions + 1 > bounds.max_app_actions) return false;
  return total() + 1 <= bounds.max_deviations;
}

DeviationCount count_deviations(const std::vector<ChoiceRecord>& choices, std::size_t upto) {
  DeviationCount count;
  for (std::size_t i = 0; i < upto && i < choices.size(); ++i) {
    if (choices[i].value == 0) continue;
    count.add(choices[i].kind);
  }
  return count;
}

}  // namespace loopcheck
