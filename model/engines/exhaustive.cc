#include "model/engines/exhaustive.h"

#include <algorithm>
#include <chrono>

#include "model/engines/checkpoints.h"
#include "model/engines/visited_states.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

// How many records the first `depth` branching choices (range > 1) of a run take: the key of
// its subtree in a sharded exploration. A run with fewer branching choices is keyed by all.
std::size_t split_index(const std::vector<ChoiceRecord>& made, std::uint32_t depth) {
  std::uint32_t branching = 0;
  for (std::size_t i = 0; i < made.size(); ++i) {
    if (made[i].range > 1 && ++branching == depth) return i + 1;
  }
  return made.size();
}

// Counts the branching choices of a run as it grows, for a visitor called before every step.
// A run that starts again from an earlier point (replayed from the start, or resumed from a
// saved world) is told where (`from`): the counts up to there still hold.
class BranchingCount {
 public:
  std::uint32_t of(std::span<const ChoiceRecord> made) {
    if (made.size() + 1 < upto_.size()) upto_.resize(made.size() + 1);
    for (std::size_t i = upto_.size() - 1; i < made.size(); ++i) upto_.push_back(upto_.back() + (made[i].range > 1 ? 1 : 0));
    return upto_.back();
  }
  void from(std::size_t choices) {
    if (choices + 1 < upto_.size()) upto_.resize(choices + 1);
  }

 private:
  std::vector<std::uint32_t> upto_{0};  // upto_[k]: branching choices among the first k
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

bool advance_prefix(std::vector<ChoiceRecord>& made, DeviationCount used, const Bounds& bounds,
                    bool* preemptions_bound, std::size_t floor) {
  for (std::size_t i = made.size(); i-- > floor;) {
    const ChoiceRecord& c = made[i];
    // Undo choice i's own deviation before asking whether a bigger value fits.
    if (c.value != 0) used.add(c.kind, -1);
    std::uint32_t value = c.value + 1;
    while (value < c.range && value < 32 && ((c.skip >> value) & 1)) ++value;  // deferred there
    if (value >= c.range) continue;
    if (!used.fits_one_more(c.kind, bounds)) {
      if (preemptions_bound && used.preemptions > 0) {
        DeviationCount without = used;
        without.preemptions = 0;
        if (without.fits_one_more(c.kind, bounds)) *preemptions_bound = true;
      }
      continue;
    }
    made.resize(i + 1);
    made[i].value = value;
    return true;
  }
  made.clear();
  return false;
}

bool after_in_dfs(const std::vector<ChoiceRecord>& a, const std::vector<ChoiceRecord>& b) {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i].value != b[i].value) return a[i].value > b[i].value;
  }
  return false;
}

void keep_earliest(std::optional<RunResult>& kept, const RunResult& run) {
  if (!kept || after_in_dfs(kept->choices, run.choices)) kept = run;
}

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

namespace {

// One DFS over the tree. With any_depth pruning, the pass gives up at its first cut-off run;
// with the environment deferred, at its first conflict (deferral.h); with preemptions ignored,
// the first time their bound withholds a choice: its pruning, or its deferring, is then not
// known to be sound.
ExploreResult explore_pass(const RunSpec& spec, const ExploreLimits& limits, const ProgressFn& progress,
                           Pruning pruning, Preemptions preemptions, GaveUp& gave_up) {
  auto start = std::chrono::steady_clock::now();
  ExploreResult result;
  std::vector<ChoiceRecord> prefix;
  VisitedStates visited(pruning, preemptions, limits.storing, limits.keep_all_below);
  // Sharded: every share walks the same sequence of subtrees. A subtree another share owns
  // costs one probe, cut as soon as its key is known, to find where the next one starts; the
  // key must be the same in every share, so nothing is pruned before it is complete (the state
  // cache differs between shares; the sleep sets, a function of the path, do not).
  const bool sharded = limits.shards > 1;
  std::uint64_t subtree = 0;
  BranchingCount branching;
  auto keyed = [&](const PrefixChoiceSource& source) {
    return !sharded || branching.of(source.made()) >= limits.split_depth;
  };
  StepVisitor visitor = [&](SimWorld& world, const PrefixChoiceSource& source) {
    if (limits.por && source.redundant()) return false;  // an interleaving already explored
    if (!keyed(source)) return true;
    return !limits.reduce || visited.first_visit(world, source);
  };
  StepVisitor probe = [&](SimWorld&, const PrefixChoiceSource& source) {
    if (limits.por && source.redundant()) return false;
    return !keyed(source);
  };
  bool reducing = limits.reduce || limits.por;
  // Every run keeps the choices before the prefix's last one, and (in a sharded pass) their
  // branching count: every prefix here is the last run's choices with its last one changed,
  // and the loop below sets the next one before it reads it again, so the run may have it.
  DfsRuns runs(spec, limits.por, limits.checkpoints, limits.reduce ? &visited.storing() : nullptr);
  auto run_one = [&](const StepVisitor* step_visitor) {
    branching.from(prefix.empty() ? 0 : prefix.size() - 1);
    return runs.run(std::move(prefix), step_visitor);
  };
  for (;;) {
    if (result.stats.schedules >= limits.max_schedules) break;
    if (sharded && subtree % limits.shards != limits.shard) {  // another share's
      RunResult skimmed = run_one(&probe);
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
    if (!limits.in_time()) break;
    RunResult run = run_one(reducing || sharded ? &visitor : nullptr);
    result.account(run);
    if (run.deferral_conflict) {
      result.stats.deferral_conflict = run.deferral_conflict;
      gave_up = GaveUp::deferral;
      break;
    }
    if (run.verdict == Verdict::cut_off && pruning == Pruning::any_depth) {
      gave_up = GaveUp::cut_off;
      break;
    }
    std::size_t key_size = split_index(run.choices, limits.split_depth);
    bool counterexample = run.verdict == Verdict::violation && !result.counterexample;
    std::vector<ChoiceRecord> next = counterexample ? run.choices : std::move(run.choices);
    bool preemptions_bound = false;
    bool more = advance_prefix(next, run.used, spec.bounds, &preemptions_bound);
    bool new_subtree = more && next.size() <= key_size;
    if (counterexample) {
      result.counterexample = std::move(run);
      if (limits.stop_at_first) break;
    }
    if (preemptions_bound && preemptions == Preemptions::ignored) {
      gave_up = GaveUp::preemption_bound;
      break;
    }
    if (progress && (result.stats.schedules & 1023) == 0) {
      result.stats.seconds = seconds_since(start);
      progress(result.stats);
    }
    if (!more) {
      result.stats.complete = true;
      break;
    }
    if (new_subtree) ++subtree;
    prefix = std::move(next);
  }
  result.stats.seconds = seconds_since(start);
  result.stats.states = visited.size();
  return result;
}

}  // namespace

std::optional<std::vector<ChoiceRecord>> next_prefix(const std::vector<ChoiceRecord>& made, const Bounds& bounds) {
  std::vector<ChoiceRecord> next = made;
  if (!advance_prefix(next, count_deviations(made, made.size()), bounds)) return std::nullopt;
  return next;
}

ExploreLimits with_deadline(const ExploreLimits& given) {
  ExploreLimits limits = given;
  if (given.max_seconds <= 0) return limits;
  // The clock is read once a schedule: nanoseconds against a run's microseconds.
  limits.deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                           std::chrono::duration<double>(given.max_seconds));
  limits.max_seconds = 0;
  return limits;
}

// A reduced exploration first prunes at any depth, with the environment deferred while the
// loop has work. If the step bound cuts a run short, pruning at any depth proves nothing and
// the next pass prunes by depth (see Pruning); if a step depends on what was deferred,
// deferring proves nothing and the next pass does not defer; if the preemption bound
// withholds a choice, leaving preemptions out of covering proves nothing and the next pass
// counts them (see Preemptions). Each pass has the budget that is left.
//
// A share does the same over its own subtrees: what is pruned and how preemptions are covered
// never changes which subtrees there are (nothing is pruned before a subtree's key is complete),
// so a share can start again alone. Deferring does change the tree: a share that gives it up
// goes on without, and merge_shards finds out whether every share did.
ExploreResult explore_exhaustive(const RunSpec& spec, const ExploreLimits& given, const ProgressFn& progress) {
  const ExploreLimits limits = with_deadline(given);  // one deadline for every pass
  if (!limits.reduce) {
    GaveUp gave_up = GaveUp::no;
    return explore_pass(spec, limits, progress, Pruning::same_or_lower_depth, Preemptions::counted, gave_up);
  }
  return explore_in_passes(spec, limits, [&](const RunSpec& pass_spec, const ExploreLimits& rest, Pruning pruning,
                                             Preemptions preemptions, GaveUp& gave_up) {
    return explore_pass(pass_spec, rest, progress, pruning, preemptions, gave_up);
  });
}

ExploreResult explore_in_passes(const RunSpec& spec, const ExploreLimits& limits, const ReducedPass& run_pass) {
  RunSpec pass_spec = spec;
  pass_spec.defer_environment = limits.defer_environment;
  Pruning pruning = Pruning::any_depth;
  // A bound of a few preemptions (the scenarios' defaults) binds within the first hundred runs
  // or so, and a pass that ignored them would be spent for nothing: the cache counts them from
  // the start there. Either way is sound; this only picks the likelier to be faster.
  constexpr int kSmallPreemptionBound = 8;
  using Ignore = ExploreLimits::IgnorePreemptions;
  bool ignore = limits.ignore_preemptions == Ignore::always ||
                (limits.ignore_preemptions == Ignore::above_small_bound &&
                 spec.bounds.max_preemptions > kSmallPreemptionBound);
  Preemptions preemptions = ignore ? Preemptions::ignored : Preemptions::counted;
  ExploreLimits rest = limits;
  ExploreStats spent;  // the passes that gave up
  std::uint64_t preemption_pass = 0;  // the schedules of the one given up for the bound
  std::optional<std::string> conflict;
  for (;;) {
    GaveUp gave_up = GaveUp::no;
    ExploreResult pass = run_pass(pass_spec, rest, pruning, preemptions, gave_up);
    if (gave_up == GaveUp::no) {
      pass.stats.schedules += spent.schedules;
      pass.stats.steps += spent.steps;
      pass.stats.seconds += spent.seconds;
      pass.stats.restarted = pruning != Pruning::any_depth;
      pass.stats.preemptions_counted = preemptions == Preemptions::counted;
      pass.stats.preemption_pass_given_up = preemption_pass;
      pass.stats.deferred = pass_spec.defer_environment;
      pass.stats.deferral_conflict = conflict;
      return pass;
    }
    spent.schedules += pass.stats.schedules;
    spent.steps += pass.stats.steps;
    spent.seconds += pass.stats.seconds;
    rest.max_schedules = limits.max_schedules - std::min(limits.max_schedules, spent.schedules);
    if (gave_up == GaveUp::cut_off) pruning = Pruning::same_or_lower_depth;
    if (gave_up == GaveUp::preemption_bound) {
      preemptions = Preemptions::counted;
      preemption_pass = pass.stats.schedules;
    }
    if (gave_up == GaveUp::deferral) {
      conflict = pass.stats.deferral_conflict;
      pass_spec.defer_environment = false;
    }
  }
}

namespace {

// What one level of the shortest search found.
struct LevelSearch {
  std::optional<RunResult> violation;
  bool complete = false;     // every state within the level's bounds was expanded
  int most_deviations = 0;   // the most deviations any state of the level spent
};

// Breadth-first search over states, one step per level: the first violation met has the fewest
// steps of all within the bounds. There is no saved state to branch from, so a state is its
// choice prefix; expanding it replays the prefix and takes each way its next step can go (every
// combination of the choices made within that step), stopping each run right after that step.
// A state already queued, having spent no more deviations, is not queued again: whatever
// follows the later visit also follows the earlier one, no later.
LevelSearch breadth_first(const RunSpec& spec, const ExploreLimits& limits, ExploreResult& total) {
  LevelSearch out;
  VisitedStates seen(Pruning::any_depth);  // states come in order of depth
  // Every state queued, with the one it was reached from, for the back-edge check below. Only
  // the frontier keeps its choices.
  struct Node {
    std::uint64_t state;
    Spent spent;
    std::size_t parent;
    std::vector<ChoiceRecord> prefix;
  };
  constexpr std::size_t kRoot = ~std::size_t{0};
  std::vector<Node> nodes;
  std::vector<std::size_t> frontier, next;
  std::size_t expanding = kRoot;
  // A state met again on its own path, with no deviation spent since, may be a zero-time
  // livelock: as in a DFS, the search goes on around that cycle, for the world to judge (O4).
  auto on_own_path = [&](std::uint64_t state, const Spent& spent) {
    for (std::size_t at = expanding; at != kRoot; at = nodes[at].parent) {
      if (nodes[at].state == state && nodes[at].spent == spent) return true;
    }
    return false;
  };
  std::size_t depth = 0;  // the steps every state of the frontier has taken
  bool cut_off = false;   // a run met the step bound before its step's end
  StepVisitor stop_after = [&](SimWorld& world, const PrefixChoiceSource& source) {
    if (world.steps() <= depth) return true;
    out.most_deviations = std::max(out.most_deviations, source.used().total());
    std::uint64_t state = state_of(world, source);
    Spent spent(source.used());
    if (seen.visit(state, spent, world.steps()) || on_own_path(state, spent)) {
      next.push_back(nodes.size());
      nodes.push_back(Node{state, spent, expanding, {source.made().begin(), source.made().end()}});
    }
    return false;
  };
  frontier.push_back(kRoot);
  while (!frontier.empty() && depth < spec.bounds.max_steps) {
    next.clear();
    for (std::size_t node : frontier) {
      expanding = node;
      std::vector<ChoiceRecord> state = node == kRoot ? std::vector<ChoiceRecord>{} : std::move(nodes[node].prefix);
      std::vector<ChoiceRecord> prefix = state;
      for (;;) {
        if (total.stats.schedules >= limits.max_schedules) return out;
        RunResult run = execute(spec, prefix, false, false, &stop_after);
        total.account(run);
        if (run.verdict == Verdict::violation) {
          out.violation = std::move(run);
          return out;
        }
        if (run.verdict == Verdict::cut_off) cut_off = true;
        // The next way this step can go: a later choice than the state's own prefix.
        auto bumped = next_prefix(run.choices, spec.bounds);
        if (!bumped || bumped->size() <= state.size()) break;
        prefix = std::move(*bumped);
      }
    }
    std::swap(frontier, next);
    ++depth;
  }
  // States the step bound left unexpanded: a longer counterexample may hide behind them.
  out.complete = frontier.empty() && !cut_off;
  return out;
}

}  // namespace

// Iterative deepening on deviations, each level searched breadth first: the fewest deviations,
// then the fewest steps. A level whose states never spent all it allows adds nothing over the
// last one, and neither would any level above it.
ExploreResult shortest_counterexample(const RunSpec& spec, const ExploreLimits& limits) {
  ExploreResult total;
  int max_level = spec.bounds.max_preemptions + spec.bounds.max_faults + spec.bounds.max_app_actions;
  for (int level = 0; level <= max_level; ++level) {
    RunSpec leveled = spec;
    leveled.bounds.max_deviations = level;
    auto start = std::chrono::steady_clock::now();
    LevelSearch found = breadth_first(leveled, limits, total);
    total.stats.seconds += seconds_since(start);
    // A level cut short by the schedule budget or the step bound proves nothing about shorter ones.
    total.stats.complete = found.complete;
    if (found.violation) {
      total.counterexample = std::move(found.violation);
      return total;
    }
    if (!found.complete || found.most_deviations < level) return total;
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
  std::string timing = spec.scenario ? spec.scenario->timing(spec.params) : describe_timing(spec.params);
  if (!timing.empty()) bounds += ", " + timing;
  // A certificate with oracles switched off says so: "0 violations" is only of those checked.
  std::string off;
  for (std::size_t i = 0; i < kOracleCount; ++i) {
    auto o = static_cast<Oracle>(i);
    if (!spec.oracles.on(o)) off += (off.empty() ? "" : ", ") + std::string(oracle_id(o));
  }
  if (!off.empty()) bounds += ", oracles off: " + off;
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

std::string preemption_note(const RunSpec& spec, const ExploreStats& stats) {
  if (stats.preemption_pass_given_up == 0) return "";
  return "the first pass, which left preemptions out of the state cache, gave up after " +
         std::to_string(stats.preemption_pass_given_up) + " schedules when the bound of " +
         std::to_string(spec.bounds.max_preemptions) +
         " preemption(s) withheld a choice; the search ran again counting them (both passes are counted). "
         "With --jobs or --shard it can bind where one search on one thread does not; a bound no run reaches never does.";
}

}  // namespace loopcheck
