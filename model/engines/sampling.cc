#include "model/engines/sampling.h"

#include <chrono>
#include <memory>

#include "model/engines/sampling_sources.h"

namespace loopcheck {

std::string_view engine_name(Engine engine) {
  switch (engine) {
    case Engine::exhaustive: return "exhaustive";
    case Engine::random: return "random";
    case Engine::pct: return "pct";
  }
  return "?";
}

bool parse_engine(std::string_view name, Engine& out) {
  for (Engine e : {Engine::exhaustive, Engine::random, Engine::pct}) {
    if (engine_name(e) == name) {
      out = e;
      return true;
    }
  }
  return false;
}

ExploreResult explore_sampling(const RunSpec& spec, const SampleOptions& options,
                               const ProgressFn& progress) {
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  ExploreResult result;
  // PCT draws its change points among the scheduling decisions of a typical run.
  std::uint32_t decisions = 0;
  if (options.engine == Engine::pct) {
    for (const ChoiceRecord& c : execute(spec, {}, false).choices) {
      decisions += c.kind == ChoiceKind::preempt || c.kind == ChoiceKind::deliver ? 1 : 0;
    }
  }
  for (std::uint64_t run = 0; run < options.max_runs; ++run) {
    std::uint64_t seed = run_seed(options.seed, run);
    std::unique_ptr<ChoiceSource> source;
    if (options.engine == Engine::pct) {
      source = std::make_unique<PctChoiceSource>(seed, spec.bounds, options.pct_depth, decisions);
    } else {
      source = std::make_unique<RandomChoiceSource>(seed, spec.bounds);
    }
    RunResult outcome = execute_with(spec, *source, false);
    result.account(outcome);
    if (outcome.verdict == Verdict::violation) {
      result.counterexample = std::move(outcome);
      break;
    }
    // The clock after every run (a read is nanoseconds; a run of a large instance can take
    // tens of milliseconds, and 256 of them would overrun the limit many times over).
    result.stats.seconds = elapsed();
    if (progress && (run & 255) == 255) progress(result.stats);
    if (result.stats.seconds > options.max_seconds) break;
  }
  result.stats.seconds = elapsed();
  return result;
}

}  // namespace loopcheck
