// The sampling engines: random and PCT. Each run draws its choices from a source seeded by
// (seed, run index), so any run, and so any failure, is reproducible from the seed alone; the
// failing run's recorded choices make an ordinary reproducer.
#pragma once

#include <cstdint>

#include "model/engines/exhaustive.h"

namespace loopcheck {

enum class Engine { exhaustive, random, pct };

std::string_view engine_name(Engine engine);
bool parse_engine(std::string_view name, Engine& out);

struct SampleOptions {
  Engine engine = Engine::random;
  std::uint64_t seed = 1;
  std::uint64_t max_runs = 20000;
  double max_seconds = 30;
  int pct_depth = 3;  // PCT's bug depth d: d - 1 priority change points per run
};

ExploreResult explore_sampling(const RunSpec& spec, const SampleOptions& options,
                               const ProgressFn& progress = {});

}  // namespace loopcheck
