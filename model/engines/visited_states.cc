#include "model/engines/visited_states.h"

#include <stdexcept>
#include <string>

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

bool VisitedStates::first_visit(SimWorld& world, const PrefixChoiceSource& source) {
  if (source.replaying()) return true;
  Spent spent(source.used());
  std::size_t step = world.steps();
  // The path: the replayed prefix is the previous run's path (same choices, same states),
  // so only what follows it is written, a step whose state is not kept included: an older
  // run's visit there must not pass for this run's.
  constexpr std::size_t kNone = ~std::size_t{0};
  path_.resize(step + 1, Visit{0, spent, kNone});
  if (!stores(storing_, world)) {
    path_[step] = Visit{0, spent, kNone};
    return true;
  }
  std::uint64_t state = state_of(world, source);
  path_[step] = Visit{state, spent, step};
  return visit(state, spent, step);
}

bool VisitedStates::visit(std::uint64_t state, Spent spent, std::size_t step) {
  if (step >= (std::size_t{1} << Kept::kStepBits)) {
    throw std::length_error("the state cache counts steps in " + std::to_string(Kept::kStepBits) + " bits: a run of " +
                            std::to_string(step) + " steps is beyond it");
  }
  for (int count : {spent.preemptions, spent.faults, spent.app_actions}) {
    if (count < 0 || count >= (1 << Kept::kSpentBits)) {
      throw std::length_error("the state cache counts deviations in " + std::to_string(Kept::kSpentBits) +
                              " bits: " + std::to_string(count) + " is beyond it");
    }
  }
  auto [first, inserted] = first_.try_emplace(state, Kept(spent, step));
  if (inserted) {
    if (switch_at_ != 0 && first_.size() >= switch_at_) {
      storing_ = Storing::where_branched;
      switch_at_ = 0;
    }
    return true;
  }
  bool on_path = false, covered = false;
  auto judge = [&](Spent v_spent, std::size_t v_step) {
    if (v_step < step && v_spent == spent && path_.size() > v_step && path_[v_step].step == v_step &&
        path_[v_step].state == state && path_[v_step].spent == spent) {
      on_path = true;
    } else if (covers(v_spent, spent) && (pruning_ == Pruning::any_depth || v_step <= step)) {
      covered = true;
    }
  };
  judge(first->spent(), first->step());
  if (!more_.empty()) {
    auto more = more_.equal_range(state);
    for (auto m = more.first; m != more.second; ++m) judge(m->second.spent, m->second.step);
  }
  if (on_path) return true;
  if (covered) return false;
  // This visit has spent less of something, or (by depth) come sooner: keep it too, or in
  // place of the first one when it covers that.
  if (covers(spent, first->spent()) && (pruning_ == Pruning::any_depth || step <= first->step())) {
    *first = Kept(spent, step);
  } else {
    more_.emplace(state, Visit{state, spent, step});
  }
  return true;
}

}  // namespace loopcheck
