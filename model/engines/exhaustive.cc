#include "model/engines/exhaustive.h"

#include <chrono>
#include <unordered_map>

#include "model/world/world.h"

namespace loopcheck {
namespace {

// The next prefix in DFS order, or nothing when the tree within bounds is exhausted.
std::optional<std::vector<ChoiceRecord>> next_prefix(const std::vector<ChoiceRecord>& made,
                                                     const Bounds& bounds) {
  DeviationCount used = count_deviations(made, made.size());
  for (std::size_t i = made.size(); i-- > 0;) {
    const ChoiceRecord& c = made[i];
    // Undo choice i's own deviation before asking whether a bigger value fits.
    if (c.value != 0) used.add(c.kind, -1);
    if (c.value + 1 >= c.range) continue;
    if (!used.fits_one_more(c.kind, bounds)) continue;
    std::vector<ChoiceRecord> prefix(made.begin(), made.begin() + static_cast<long>(i));
    prefix.push_back(ChoiceRecord{c.value + 1, c.range, c.kind});
    return prefix;
  }
  return std::nullopt;
}

// How many records the first `depth` branching choices (range > 1) of a run take: the key of
// its subtree in a sharded exploration. A run with fewer branching choices is keyed by all.
std::size_t split_index(const std::vector<ChoiceRecord>& made, std::uint32_t depth) {
  std::uint32_t branching = 0;
  for (std::size_t i = 0; i < made.size(); ++i) {
    if (made[i].range > 1 && ++branching == depth) return i + 1;
  }
  return made.size();
}

// Counts the branching choices of a run as it grows, for a visitor called before every step;
// a run that starts again (shorter) starts the count again.
class BranchingCount {
 public:
  std::uint32_t of(const std::vector<ChoiceRecord>& made) {
    if (made.size() < seen_) seen_ = count_ = 0;
    for (; seen_ < made.size(); ++seen_) count_ += made[seen_].range > 1 ? 1 : 0;
    return count_;
  }

 private:
  std::size_t seen_ = 0;
  std::uint32_t count_ = 0;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

// The fingerprint cache. Only lookups, never iteration, so hashing order cannot steer a run.
class VisitedStates {
 public:
  // Called before each step; false = this state (with these deviations spent) was explored
  // from the same or a lower depth already. States on the replayed prefix are skipped: they
  // are the earlier runs' own states, whose subtrees are being explored right now.
  //
  // A state that comes back on the run's own path is not pruned: the key holds the clock and
  // the deviations spent, so the run came back to it at the same instant with no bounded
  // choice made since, which is a zero-time livelock; the world judges it (O4) if the run goes
  // on. Pruning there would hide it, where a DFS must see its back edge (gh-155888's spin).
  bool first_visit(SimWorld& world, const PrefixChoiceSource& source, std::size_t prefix_size) {
    const std::vector<ChoiceRecord>& made = source.made();
    if (made.size() < prefix_size) return true;
    DeviationCount used = count_deviations(made, made.size());
    std::uint64_t key = world.fingerprint() ^ source.sleep_digest();
    key ^= (static_cast<std::uint64_t>(used.preemptions) + 1) * 0x9E3779B97F4A7C15ULL;
    key ^= (static_cast<std::uint64_t>(used.faults) + 1) * 0xC2B2AE3D27D4EB4FULL;
    key ^= (static_cast<std::uint64_t>(used.app_actions) + 1) * 0x165667B19E3779F9ULL;
    std::size_t step = world.steps();
    // The path's keys: the replayed prefix is the previous run's path (same choices, same
    // states), so only what follows it is written.
    path_.resize(step + 1);
    path_[step] = key;
    auto [it, inserted] = depth_.try_emplace(key, step);
    if (inserted) return true;
    if (it->second < step && path_[it->second] == key) return true;  // back on its own path
    if (it->second <= step) return false;
    it->second = step;
    return true;
  }
  std::size_t size() const { return depth_.size(); }

 private:
  std::unordered_map<std::uint64_t, std::size_t> depth_;
  std::vector<std::uint64_t> path_;  // key at each step of the current run
};

void ExploreResult::account(const RunResult& run) {
  ++stats.schedules;
  stats.steps += run.steps;
  if (run.choices.size() > stats.max_depth) stats.max_depth = run.choices.size();
  if (run.verdict == Verdict::pruned) ++stats.pruned;
  if (run.verdict == Verdict::cut_off) {
    ++stats.cut_off;
    if (!first_cut_off) first_cut_off = run;
  }
}

ExploreResult explore_exhaustive(const RunSpec& spec, const ExploreLimits& limits,
                                 const ProgressFn& progress) {
  auto start = std::chrono::steady_clock::now();
  ExploreResult result;
  std::vector<ChoiceRecord> prefix;
  VisitedStates visited;
  // Sharded: every share walks the same sequence of subtrees. A subtree another share owns
  // costs one probe, cut as soon as its key is known, to find where the next one starts; the
  // key must be the same in every share, so nothing is pruned before it is complete (the state
  // cache differs between shares; the sleep sets, a function of the path, do not).
  const bool sharded = limits.shards > 1 || limits.claim;
  std::uint64_t subtree = 0;
  std::uint64_t decided = ~std::uint64_t{0};  // the subtree `claim` was last asked about
  ExploreLimits::Claim mine = ExploreLimits::Claim::take;
  auto claim = [&] {
    if (decided == subtree) return mine;
    decided = subtree;
    if (limits.claim) return mine = limits.claim(subtree);
    return mine = subtree % limits.shards == limits.shard ? ExploreLimits::Claim::take : ExploreLimits::Claim::skip;
  };
  BranchingCount branching;
  auto keyed = [&](const PrefixChoiceSource& source) {
    return !sharded || branching.of(source.made()) >= limits.split_depth;
  };
  StepVisitor visitor = [&](SimWorld& world, const PrefixChoiceSource& source) {
    if (limits.por && source.redundant()) return false;  // an interleaving already explored
    if (!keyed(source)) return true;
    return !limits.reduce || visited.first_visit(world, source, prefix.size());
  };
  StepVisitor probe = [&](SimWorld&, const PrefixChoiceSource& source) {
    if (limits.por && source.redundant()) return false;
    return !keyed(source);
  };
  bool reducing = limits.reduce || limits.por;
  for (;;) {
    if (result.stats.schedules >= limits.max_schedules) break;
    ExploreLimits::Claim claimed = sharded ? claim() : ExploreLimits::Claim::take;
    if (claimed == ExploreLimits::Claim::stop) break;  // another thread found a violation before
    if (claimed == ExploreLimits::Claim::skip) {
      RunResult skimmed = execute(spec, prefix, false, false, &probe, limits.por);
      std::vector<ChoiceRecord> key(skimmed.choices.begin(),
                                    skimmed.choices.begin() + static_cast<long>(split_index(skimmed.choices, limits.split_depth)));
      auto next = next_prefix(key, spec.bounds);
      if (!next) {
        result.stats.complete = true;
        break;
      }
      prefix = std::move(*next);
      ++subtree;
      continue;
    }
    RunResult run = execute(spec, prefix, false, false, reducing || sharded ? &visitor : nullptr, limits.por);
    result.account(run);
    if (run.verdict == Verdict::cut_off && result.stats.cut_off == 1) result.first_cut_off_subtree = subtree;
    auto next = next_prefix(run.choices, spec.bounds);
    bool new_subtree = next && next->size() <= split_index(run.choices, limits.split_depth);
    if (run.verdict == Verdict::violation && !result.counterexample) {
      result.counterexample = std::move(run);
      result.counterexample_subtree = subtree;
      if (limits.found) limits.found(subtree);
      if (limits.stop_at_first) break;
    }
    if (progress && (result.stats.schedules & 1023) == 0) {
      result.stats.seconds = seconds_since(start);
      progress(result.stats);
    }
    if (!next) {
      result.stats.complete = true;
      break;
    }
    if (new_subtree) ++subtree;
    prefix = std::move(*next);
  }
  result.stats.seconds = seconds_since(start);
  result.stats.states = visited.size();
  return result;
}

ExploreResult shortest_counterexample(const RunSpec& spec, const ExploreLimits& limits) {
  ExploreResult total;
  int max_level = spec.bounds.max_preemptions + spec.bounds.max_faults + spec.bounds.max_app_actions;
  for (int level = 0; level <= max_level; ++level) {
    RunSpec leveled = spec;
    leveled.bounds.max_deviations = level;
    // Walk the level's whole tree, keeping the violation with the fewest steps. Pruning a state
    // already seen at the same or a lower depth keeps the shortest counterexample: whatever
    // follows the later visit also follows the earlier one, no later.
    auto start = std::chrono::steady_clock::now();
    std::vector<ChoiceRecord> prefix;
    std::optional<RunResult> best;
    bool level_complete = false;
    VisitedStates visited;
    StepVisitor visitor = [&](SimWorld& world, const PrefixChoiceSource& source) {
      return visited.first_visit(world, source, prefix.size());
    };
    for (;;) {
      if (total.stats.schedules >= limits.max_schedules) break;
      RunResult run = execute(leveled, prefix, false, false, &visitor);
      total.account(run);
      if (run.verdict == Verdict::violation && (!best || run.steps < best->steps)) best = run;
      auto next = next_prefix(run.choices, leveled.bounds);
      if (!next) {
        level_complete = true;
        break;
      }
      prefix = std::move(*next);
    }
    total.stats.seconds += seconds_since(start);
    // A level cut short by the schedule budget proves nothing about shorter ones.
    total.stats.complete = level_complete;
    if (best) {
      total.counterexample = std::move(best);
      return total;
    }
    if (!level_complete) return total;
  }
  return total;
}

std::string certificate(const RunSpec& spec, const ExploreStats& stats, bool violation) {
  std::string bounds = std::to_string(spec.bounds.max_steps) + " steps, " +
                       std::to_string(spec.bounds.max_preemptions) + " preemption(s), " +
                       std::to_string(spec.bounds.max_faults) + " fault(s), " +
                       std::to_string(spec.bounds.max_app_actions) + " app action(s)";
  // A timer's delay is a window, and the certificate covers every delay in it (AppTimer); a
  // time that is still one value is named as such.
  std::string timing = describe_timing(spec.params);
  if (!timing.empty()) bounds += ", " + timing;
  std::string counts = std::to_string(stats.schedules) + " explored, " +
                       std::string(violation ? "a violation found" : "0 violations");
  if (stats.cut_off) counts += ", " + std::to_string(stats.cut_off) + " cut off by the step bound";
  if (stats.pruned) {
    counts += " (" + std::to_string(stats.pruned) + " ended early: already-explored state or interleaving)";
  }
  if (!stats.complete && !violation) {
    return "INCOMPLETE: stopped after " + counts + " (bounds " + bounds + ")";
  }
  return "all schedules up to " + bounds + ": " + counts;
}

}  // namespace loopcheck
