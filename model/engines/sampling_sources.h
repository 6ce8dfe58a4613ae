// Choice sources for the sampling engines. Both are seeded and deterministic: the same seed and
// run index give the same choices on every machine (std::mt19937_64 is fully specified, and we
// map its output to a range ourselves rather than through a library distribution).
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "model/engines/choice_sources.h"
#include "model/world/scenario.h"

namespace loopcheck {

// Uniform over the unbounded choices; deviations (preemptions, faults) are rarer and never
// exceed the bounds, so random runs spend their budget where exhaustive runs do.
class RandomChoiceSource final : public ChoiceSource {
 public:
  RandomChoiceSource(std::uint64_t seed, const Bounds& bounds);
  std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override;

 private:
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(rng_() % n); }
  std::mt19937_64 rng_;
  Bounds bounds_;
  DeviationCount used_;
};

// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010), over the world's actors:
// each actor gets a random priority when first seen, the highest-priority option always runs,
// and at depth-1 random change points the running actor drops below everyone else. A bug of
// depth d is found with probability at least 1/(k * steps^(d-1)).
class PctChoiceSource final : public ChoiceSource {
 public:
  // expected_decisions: how many scheduling choices a run makes (measured on the default run);
  // the change points are drawn among them.
  PctChoiceSource(std::uint64_t seed, const Bounds& bounds, int depth, std::uint32_t expected_decisions);
  std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override;
  std::uint32_t choose_among(const std::uint32_t* ids, std::uint32_t n, ChoiceKind kind) override;

 private:
  std::uint64_t priority_of(std::uint32_t id);
  std::mt19937_64 rng_;
  RandomChoiceSource fallback_;
  std::map<std::uint32_t, std::uint64_t> priority_;
  // (decision index, the low priority the running actor gets there), sorted by index; the
  // priorities 1..depth-1 are assigned to the points at random, as PCT requires.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> change_points_;
  std::uint32_t step_ = 0;
  Bounds bounds_;
  int preemptions_ = 0;
};

// Mixes a seed and a run index into one well-spread seed.
std::uint64_t run_seed(std::uint64_t seed, std::uint64_t run);

}  // namespace loopcheck
