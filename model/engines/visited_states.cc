#include "model/engines/visited_states.h"

#include "model/world/world.h"

namespace loopcheck {

std::uint64_t state_of(SimWorld& world, const PrefixChoiceSource& source) {
  return world.fingerprint() ^ source.sleep_digest();
}

bool VisitedStates::first_visit(SimWorld& world, const PrefixChoiceSource& source, std::size_t prefix_size) {
  if (source.made().size() < prefix_size) return true;
  std::uint64_t state = state_of(world, source);
  Spent spent(source.used());
  std::size_t step = world.steps();
  // The path: the replayed prefix is the previous run's path (same choices, same states),
  // so only what follows it is written.
  path_.resize(step + 1, Visit{0, spent, 0});
  path_[step] = Visit{state, spent, step};
  return visit(state, spent, step);
}

bool VisitedStates::visit(std::uint64_t state, Spent spent, std::size_t step) {
  auto [it, inserted] = first_.try_emplace(state, Visit{state, spent, step});
  if (inserted) return true;
  bool on_path = false, covered = false;
  auto judge = [&](const Visit& v) {
    if (v.step < step && v.spent == spent && path_.size() > v.step && path_[v.step].state == state &&
        path_[v.step].spent == spent) {
      on_path = true;
    } else if (v.spent.covers(spent) && (pruning_ == Pruning::any_depth || v.step <= step)) {
      covered = true;
    }
  };
  judge(it->second);
  if (!more_.empty()) {
    auto more = more_.equal_range(state);
    for (auto m = more.first; m != more.second; ++m) judge(m->second);
  }
  if (on_path) return true;
  if (covered) return false;
  // This visit has spent less of something, or (by depth) come sooner: keep it too, or in
  // place of the first one when it covers that.
  Visit now{state, spent, step};
  if (spent.covers(it->second.spent) && (pruning_ == Pruning::any_depth || step <= it->second.step)) {
    it->second = now;
  } else {
    more_.emplace(state, now);
  }
  return true;
}

}  // namespace loopcheck
