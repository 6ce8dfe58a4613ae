#include "model/engines/visited_states.h"

#include <stdexcept>
#include <string>

#include "model/engines/shared_states.h"
#include "model/world/world.h"

namespace loopcheck {

std::uint64_t state_of(SimWorld& world, const PrefixChoiceSource& source) {
  return world.fingerprint() ^ source.sleep_digest();
}

bool stores(Storing storing, SimWorld& world) {
  switch (storing) {
    case Storing::every_step:
      return true;
    case Storing::between_batches:
      return !world.loop().in_iteration();
    case Storing::where_branched:
      return !world.loop().in_iteration() || world.branched_in_batch();
    case Storing::automatic:
      break;
  }
  throw std::logic_error("Storing::automatic is resolved by VisitedStates::storing()");
}

namespace {

// What Storing::automatic starts as: every_step, unless it is to keep no state that way at all.
Storing first_storing(Storing storing, std::size_t keep_all_below) {
  if (storing != Storing::automatic) return storing;
  return keep_all_below == 0 ? Storing::where_branched : Storing::every_step;
}

}  // namespace

VisitedStates::VisitedStates(Pruning pruning, Preemptions preemptions, Storing storing, std::size_t keep_all_below)
    : own_(std::make_unique<StateTable>(pruning, preemptions)),
      storing_(first_storing(storing, keep_all_below)),
      switch_at_(storing == Storing::automatic ? keep_all_below : 0) {}

VisitedStates::VisitedStates(SharedStates& shared, unsigned thread, Storing storing, std::size_t keep_all_below)
    : shared_(&shared),
      storing_(first_storing(storing, keep_all_below)),
      switch_at_(storing == Storing::automatic ? keep_all_below : 0),
      thread_(thread),
      row_(shared.row(thread)) {}

// A shared table's filter gives this path back: its states are no longer being explored here.
VisitedStates::~VisitedStates() {
  if (shared_) {
    for (std::size_t step = 0; step < path_.size(); ++step) count_on_path(step, -1);
  }
}

std::size_t VisitedStates::size() const { return shared_ ? shared_->size() : own_->size(); }

void VisitedStates::count_on_path(std::size_t step, int n) {
  if (!shared_ || path_[step].step != step) return;  // not shared, or no state kept there
  SharedStates::count(row_, SharedStates::slot_of(path_[step].state, path_[step].spent), n);
}

void VisitedStates::set_path(std::size_t step, const Visit& visit, std::size_t made) {
  constexpr std::size_t kNone = ~std::size_t{0};
  for (std::size_t later = step + 1; later < path_.size(); ++later) count_on_path(later, -1);
  path_.resize(step + 1, Visit{0, visit.spent, kNone});
  path_made_.resize(step + 1, 0);
  path_made_[step] = made;
  if (path_[step] == visit) return;  // the same visit again (a run that resumed there)
  count_on_path(step, -1);
  path_[step] = visit;
  count_on_path(step, +1);
}

bool VisitedStates::elsewhere(std::uint64_t state, const Spent& spent) const {
  return shared_->elsewhere(thread_, SharedStates::slot_of(state, spent));
}

std::vector<std::size_t> VisitedStates::path_slots_before(std::size_t choices) const {
  std::vector<std::size_t> slots;
  for (std::size_t step = 0; step < path_.size() && path_made_[step] <= choices; ++step) {
    if (path_[step].step == step) slots.push_back(SharedStates::slot_of(path_[step].state, path_[step].spent));
  }
  return slots;
}

bool VisitedStates::first_visit(SimWorld& world, const PrefixChoiceSource& source) {
  bool replaying = source.replaying();
  if (replaying && !record_replayed_) return true;
  Spent spent(source.used());
  std::size_t step = world.steps();
  // The path: the replayed prefix is the previous run's path (same choices, same states),
  // so only what follows it is written, a step whose state is not kept included: an older
  // run's visit there must not pass for this run's.
  constexpr std::size_t kNone = ~std::size_t{0};
  if (!stores(storing_, world)) {
    set_path(step, Visit{0, spent, kNone}, source.made().size());
    return true;
  }
  std::uint64_t state = state_of(world, source);
  if (replaying) {
    set_path(step, Visit{state, spent, step}, source.made().size());
    return true;
  }
  return path_step(state, spent, step, source.made().size(), world.last_step_busy());
}

bool VisitedStates::path_step(std::uint64_t state, Spent spent, std::size_t step, std::size_t made, bool busy) {
  set_path(step, Visit{state, spent, step}, made);
  return judge(state, spent, step, busy);
}

void VisitedStates::checked(Spent spent, std::size_t step) const {
  if (step >= (std::size_t{1} << StateTable::kStepBits)) {
    throw std::length_error("the state cache counts steps in " + std::to_string(StateTable::kStepBits) +
                            " bits: a run of " + std::to_string(step) + " steps is beyond it");
  }
  for (int count : {spent.preemptions, spent.faults, spent.app_actions}) {
    if (count < 0 || count >= (1 << StateTable::kSpentBits)) {
      throw std::length_error("the state cache counts deviations in " + std::to_string(StateTable::kSpentBits) +
                              " bits: " + std::to_string(count) + " is beyond it");
    }
  }
}

bool VisitedStates::visit(std::uint64_t state, Spent spent, std::size_t step) {
  return judge(state, spent, step, true);
}

bool VisitedStates::judge(std::uint64_t state, Spent spent, std::size_t step, bool busy) {
  checked(spent, step);
  using Seen = StateTable::Seen;
  Seen seen = shared_ ? shared_->visit(thread_, state, spent, step, path_) : own_->visit(state, spent, step, path_);
  // Shared, the size is a sum over the threads' counts: asked every so many new states.
  constexpr std::size_t kShareAskEvery = 256;
  if (seen == Seen::fresh && switch_at_ != 0 && (!shared_ || ++fresh_ % kShareAskEvery == 0) &&
      size() >= switch_at_) {
    storing_ = Storing::where_branched;
    switch_at_ = 0;
  }
  // Covered, but maybe by a visit another thread is still exploring on, and reached by a step
  // that a zero-time cycle could take: go on (shared_states.h).
  if (seen == Seen::covered && shared_ && busy && elsewhere(state, spent)) return true;
  return seen != Seen::covered;
}

CoverRule::Seen CoverRule::relate(const Visit& kept, const Visit& now, const std::vector<Visit>& path) const {
  if (kept.step < now.step && kept.spent == now.spent && path.size() > kept.step && path[kept.step] == kept) {
    return Seen::on_path;
  }
  if (covers(kept.spent, now.spent) && (pruning_ == Pruning::any_depth || kept.step <= now.step)) return Seen::covered;
  return Seen::kept;
}

StateTable::Seen StateTable::visit(std::uint64_t state, Spent spent, std::size_t step, const std::vector<Visit>& path) {
  auto [first, inserted] = first_.try_emplace(state, Kept(spent, step));
  if (inserted) return Seen::fresh;
  Visit now{state, spent, step};
  Seen seen = rule_.relate(first->visit(state), now, path);
  if (!more_.empty()) {
    auto more = more_.equal_range(state);
    for (auto m = more.first; m != more.second; ++m) seen = CoverRule::either(seen, rule_.relate(m->second, now, path));
  }
  if (seen != Seen::kept) return seen;
  // This visit has spent less of something, or (by depth) come sooner: keep it too, or in
  // place of the first one when it covers that.
  if (rule_.replaces(now, first->visit(state))) {
    *first = Kept(spent, step);
  } else {
    more_.emplace(state, now);
  }
  return Seen::kept;
}

}  // namespace loopcheck
