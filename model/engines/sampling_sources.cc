#include "model/engines/sampling_sources.h"

#include <algorithm>
#include <utility>

namespace loopcheck {

std::uint64_t run_seed(std::uint64_t seed, std::uint64_t run) {
  std::mt19937_64 mix(seed ^ (run * 0x9E3779B97F4A7C15ULL));
  return mix();
}

RandomChoiceSource::RandomChoiceSource(std::uint64_t seed, const Bounds& bounds)
    : rng_(seed), bounds_(bounds) {}

std::uint32_t RandomChoiceSource::choose(std::uint32_t n, ChoiceKind kind) {
  if (is_preemption(kind)) {
    if (used_.preemptions >= bounds_.max_preemptions || below(4) != 0) return 0;
    ++used_.preemptions;
    return 1 + below(n - 1);
  }
  if (is_fault(kind)) {
    if (used_.faults >= bounds_.max_faults || below(8) != 0) return 0;
    ++used_.faults;
    return 1 + below(n - 1);
  }
  if (is_app_action(kind)) {
    if (used_.app_actions >= bounds_.max_app_actions || below(4) != 0) return 0;
    ++used_.app_actions;
    return 1 + below(n - 1);
  }
  return below(n);
}

PctChoiceSource::PctChoiceSource(std::uint64_t seed, const Bounds& bounds, int depth,
                                 std::uint32_t expected_decisions)
    : rng_(seed), fallback_(seed ^ 0x5bd1e995ULL, bounds), bounds_(bounds) {
  std::uint32_t span = std::max<std::uint32_t>(expected_decisions, 1);
  for (int i = 1; i < depth; ++i) {
    change_points_.emplace_back(1 + static_cast<std::uint32_t>(rng_() % span), static_cast<std::uint64_t>(i));
  }
  std::sort(change_points_.begin(), change_points_.end());
}

// Initial priorities are above every lowered one (lowered priorities are 1..depth-1).
std::uint64_t PctChoiceSource::priority_of(std::uint32_t id) {
  auto it = priority_.find(id);
  if (it != priority_.end()) return it->second;
  std::uint64_t p = (rng_() >> 8) + 1024;
  priority_.emplace(id, p);
  return p;
}

std::uint32_t PctChoiceSource::choose(std::uint32_t n, ChoiceKind kind) {
  return fallback_.choose(n, kind);
}

std::uint32_t PctChoiceSource::choose_among(const std::uint32_t* ids, std::uint32_t n, ChoiceKind kind) {
  auto highest = [&] {
    std::uint32_t best = 0;
    for (std::uint32_t i = 1; i < n; ++i) {
      if (priority_of(ids[i]) > priority_of(ids[best])) best = i;
    }
    return best;
  };
  ++step_;
  std::uint32_t best = highest();
  // At a change point the actor about to run drops below every initial priority.
  while (!change_points_.empty() && change_points_.front().first <= step_) {
    priority_[ids[best]] = change_points_.front().second;
    change_points_.erase(change_points_.begin());
    best = highest();
  }
  // A preemption (anything but the loop while it has work) stays within the bound.
  if (kind == ChoiceKind::preempt && best != 0) {
    if (preemptions_ >= bounds_.max_preemptions) return 0;
    ++preemptions_;
  }
  return best;
}

}  // namespace loopcheck
