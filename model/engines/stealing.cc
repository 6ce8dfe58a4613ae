#include "model/engines/stealing.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "model/engines/checkpoints.h"
#include "model/engines/shared_states.h"
#include "model/engines/work_pool.h"

namespace loopcheck {
namespace {

// Gives the shallowest choice of `next` from `floor` on that has a value left to the pool, with
// its values left; the thread keeps what is below that choice. Not the last choice: that one
// is the thread's next run. Returns the thread's floor from now on. A choice passed over for
// want of a value within the bounds is under every floor after this, so no later
// advance_prefix looks at it again: `preemptions_bound`, if given, is set as advance_prefix
// sets it, when the preemption bound withheld one of its values (Preemptions::ignored).
std::size_t hand_over(const std::vector<ChoiceRecord>& next, std::size_t floor, const VisitedStates& visited,
                      SharedStates& shared, WorkPool& pool, const Bounds& bounds, bool* preemptions_bound) {
  DeviationCount used = count_deviations(next, floor);
  for (std::size_t j = floor; j + 1 < next.size(); ++j) {
    const ChoiceRecord& c = next[j];
    if (c.value != 0) used.add(c.kind);
    if (c.value + 1 >= c.range) continue;  // no value left: no need to copy the prefix to ask
    std::vector<ChoiceRecord> given(next.begin(), next.begin() + static_cast<long>(j) + 1);
    if (!advance_prefix(given, used, bounds, preemptions_bound, j)) continue;  // none within the bounds
    // The states before choice j are this thread's path's, and the receiver's once it replays.
    Work work{std::move(given), j, visited.path_slots_before(j)};
    shared.pin(work.pinned, +1);
    pool.give(std::move(work));
    return j + 1;
  }
  return floor;
}

// What one thread of a pass did.
struct ThreadPart {
  ExploreResult result;
  GaveUp gave_up = GaveUp::no;
  std::exception_ptr error;  // what the thread threw: thrown again after the join
};

// The shared parts of one pass.
struct Pass {
  SharedStates& shared;
  WorkPool& pool;
  ScheduleBudget& budget;
  EarliestViolation& earliest;
  PassProgress& progress;
};

void explore_thread(const RunSpec& spec, const ExploreLimits& limits, Pruning pruning, Preemptions preemptions,
                    Pass pass, unsigned thread, ThreadPart& out) {
  SharedStates& shared = pass.shared;
  WorkPool& pool = pass.pool;
  // Without pruning the threads keep one DFS's order (EarliestViolation); with it the first
  // violation any thread meets stops them all, as which states were pruned varies anyway.
  const bool in_dfs_order = !limits.reduce;
  VisitedStates visited(shared, thread, limits.storing, limits.keep_all_below);
  ScheduleBudget::Share share(pass.budget);
  StepVisitor visitor = [&](SimWorld& world, const PrefixChoiceSource& source) {
    if (limits.por && source.redundant()) return false;  // an interleaving already explored
    return !limits.reduce || visited.first_visit(world, source);
  };
  const bool reducing = limits.reduce || limits.por;  // else no visitor: one call less a step
  DfsRuns runs(spec, limits.por, limits.checkpoints, limits.reduce ? &visited.storing() : nullptr);
  ExploreResult& result = out.result;
  ExploreStats unreported;  // since this thread last added to the pass's progress
  bool had_work = false;
  while (std::optional<Work> work = pool.take(had_work)) {
    had_work = true;
    if (in_dfs_order && pass.earliest.past(work->prefix)) {  // after a violation: not needed
      shared.pin(work->pinned, -1);
      continue;
    }
    std::vector<ChoiceRecord> prefix = std::move(work->prefix);
    std::size_t floor = work->floor;
    // The first run of handed-over work replays a prefix this thread did not run: its states go
    // on the path (VisitedStates::record_replayed).
    bool first = true;
    while (!pool.stopped()) {
      ScheduleBudget::Share::Answer budget_says = share.take();
      if (budget_says == ScheduleBudget::Share::Answer::out_of_time) {
        pool.stop();  // incomplete
        break;
      }
      if (budget_says == ScheduleBudget::Share::Answer::spent) {
        // What is left keeps its way there pinned: this thread's path leaves the filter now.
        Work rest{std::move(prefix), floor, std::move(work->pinned)};
        if (!first) {
          std::vector<std::size_t> held = visited.path_slots_before(rest.prefix.size() - 1);
          shared.pin(held, +1);
          shared.pin(rest.pinned, -1);
          rest.pinned = std::move(held);
        }
        pool.leave(std::move(rest));
        return;
      }
      visited.record_replayed(first);
      RunResult run = runs.run(std::move(prefix), reducing ? &visitor : nullptr, first);
      visited.record_replayed(false);
      first = false;
      result.account(run);
      ++unreported.schedules;
      unreported.steps += run.steps;
      unreported.max_depth = std::max(unreported.max_depth, run.choices.size());
      pass.progress.ran(unreported);
      if (run.verdict == Verdict::cut_off) keep_earliest(result.first_cut_off, run);
      if (run.deferral_conflict) {
        result.stats.deferral_conflict = run.deferral_conflict;
        out.gave_up = GaveUp::deferral;
        pool.stop();
        break;
      }
      if (run.verdict == Verdict::cut_off && pruning == Pruning::any_depth) {
        out.gave_up = GaveUp::cut_off;
        pool.stop();
        break;
      }
      if (run.verdict == Verdict::violation) {
        keep_earliest(result.counterexample, run);
        if (limits.stop_at_first && !in_dfs_order) {
          pool.stop();
          break;
        }
        if (limits.stop_at_first) pass.earliest.offer(run.choices);
      }
      std::vector<ChoiceRecord> next = std::move(run.choices);
      bool preemptions_bound = false;
      bool more = advance_prefix(next, run.used, spec.bounds, &preemptions_bound, floor);
      if (preemptions_bound && preemptions == Preemptions::ignored) {
        out.gave_up = GaveUp::preemption_bound;
        pool.stop();
        break;
      }
      if (!more) break;  // this work is done
      if (in_dfs_order && pass.earliest.past(next)) break;  // the rest comes after a violation
      if (pool.wanted()) {
        floor = hand_over(next, floor, visited, shared, pool, spec.bounds, &preemptions_bound);
        if (preemptions_bound && preemptions == Preemptions::ignored) {
          out.gave_up = GaveUp::preemption_bound;
          pool.stop();
          break;
        }
      }
      prefix = std::move(next);
    }
    shared.pin(work->pinned, -1);
  }
}

// One pass on `jobs` threads over one shared cache.
ExploreResult stealing_pass(const RunSpec& spec, const ExploreLimits& limits, const ProgressFn& report, Pruning pruning,
                            Preemptions preemptions, std::uint32_t jobs, GaveUp& gave_up) {
  auto start = std::chrono::steady_clock::now();
  SharedStates shared(pruning, preemptions, jobs);
  WorkPool pool(Work{});
  ScheduleBudget budget(limits);
  EarliestViolation earliest;
  PassProgress progress(report);
  std::vector<ThreadPart> parts(jobs);
  std::vector<std::thread> threads;
  threads.reserve(jobs);
  for (std::uint32_t i = 0; i < jobs; ++i) {
    threads.emplace_back([&, i] {
      try {
        explore_thread(spec, limits, pruning, preemptions, Pass{shared, pool, budget, earliest, progress}, i, parts[i]);
      } catch (...) {
        parts[i].error = std::current_exception();
        pool.stop();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const ThreadPart& part : parts) {
    if (part.error) std::rethrow_exception(part.error);
  }
  ExploreResult total;
  for (const ThreadPart& part : parts) {
    const ExploreStats& s = part.result.stats;
    total.stats.schedules += s.schedules;
    total.stats.steps += s.steps;
    total.stats.cut_off += s.cut_off;
    total.stats.pruned += s.pruned;
    total.stats.max_depth = std::max(total.stats.max_depth, s.max_depth);
    if (part.result.first_cut_off) keep_earliest(total.first_cut_off, *part.result.first_cut_off);
    if (part.result.counterexample) keep_earliest(total.counterexample, *part.result.counterexample);
    if (part.gave_up != GaveUp::no && gave_up == GaveUp::no) {
      gave_up = part.gave_up;
      total.stats.deferral_conflict = s.deferral_conflict;
    }
  }
  // A violation is a run like any other, found whatever the pass's pruning: it stands.
  if (total.counterexample) gave_up = GaveUp::no;
  total.stats.states = shared.size();
  // Stopped at the first violation, the tree was not explored to its end (as in one DFS).
  bool stopped_at_violation = limits.stop_at_first && total.counterexample;
  total.stats.complete = !pool.stopped() && pool.drained() && !stopped_at_violation;
  total.stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return total;
}

}  // namespace

ExploreResult explore_parallel(const RunSpec& spec, const ExploreLimits& given, std::uint32_t jobs,
                               const ProgressFn& progress) {
  const ExploreLimits limits = with_deadline(given);  // one deadline for every pass
  if (jobs <= 1) return explore_exhaustive(spec, limits, progress);
  if (!limits.reduce) {  // one pass, no state pruned: the tree itself, dealt out as it goes
    GaveUp gave_up = GaveUp::no;
    return stealing_pass(spec, limits, progress, Pruning::same_or_lower_depth, Preemptions::counted, jobs, gave_up);
  }
  return explore_in_passes(spec, limits, [&progress, jobs](const RunSpec& pass_spec, const ExploreLimits& rest,
                                                           Pruning pruning, Preemptions preemptions, GaveUp& gave_up) {
    return stealing_pass(pass_spec, rest, progress, pruning, preemptions, jobs, gave_up);
  });
}

}  // namespace loopcheck
