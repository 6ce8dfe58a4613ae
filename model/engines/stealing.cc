#include "model/engines/stealing.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "model/engines/checkpoints.h"
#include "model/engines/shared_states.h"

namespace loopcheck {
namespace {

// Work one thread hands another: a prefix whose last choice (`floor`) took its next value, the
// receiver owning that choice's later values and everything below; and the filter slots of the
// states on the way there, pinned (SharedStates) until the work is done.
struct Work {
  std::vector<ChoiceRecord> prefix;
  std::size_t floor = 0;
  std::vector<std::size_t> pinned;
};

// The work not yet taken, and the threads that wait for it. The search is over when every
// thread waits and none is left; or when a thread stops it.
class WorkPool {
 public:
  explicit WorkPool(Work root) { items_.push_back(std::move(root)); }

  void give(Work work) {
    std::lock_guard<std::mutex> hold(lock_);
    items_.push_back(std::move(work));
    update_wanted();
    ready_.notify_one();
  }
  // The next work for a thread whose own (if it had any) is done; nullopt: nothing is left, or
  // the search was stopped.
  std::optional<Work> take(bool had_work) {
    std::unique_lock<std::mutex> hold(lock_);
    if (had_work) --busy_;
    for (;;) {
      if (stopped()) return std::nullopt;
      if (!items_.empty()) {
        Work work = std::move(items_.front());
        items_.pop_front();
        ++busy_;
        update_wanted();
        return work;
      }
      if (busy_ == 0) {
        ready_.notify_all();
        return std::nullopt;
      }
      ++idle_;
      update_wanted();
      ready_.wait(hold);
      --idle_;
    }
  }
  // A thread waits with nothing queued for it: read by the busy ones after every run.
  bool wanted() const { return wanted_.load(std::memory_order_relaxed); }
  void stop() {
    std::lock_guard<std::mutex> hold(lock_);
    stopped_.store(true);
    ready_.notify_all();
  }
  bool stopped() const { return stopped_.load(std::memory_order_relaxed); }
  // A thread with no schedules left gives its work back, unfinished, and leaves: a thread that
  // still holds some takes it on.
  void leave(Work unfinished) {
    std::lock_guard<std::mutex> hold(lock_);
    items_.push_back(std::move(unfinished));
    --busy_;
    update_wanted();
    ready_.notify_all();
  }
  // No work was left untaken: with stopped() false, the whole tree was explored.
  bool drained() {
    std::lock_guard<std::mutex> hold(lock_);
    return items_.empty();
  }

 private:
  void update_wanted() { wanted_.store(idle_ > items_.size(), std::memory_order_relaxed); }
  std::mutex lock_;
  std::condition_variable ready_;
  std::deque<Work> items_;
  std::size_t busy_ = 0;  // threads with work
  std::size_t idle_ = 0;  // threads waiting for it
  std::atomic<bool> wanted_{false};
  std::atomic<bool> stopped_{false};  // read without the lock by the busy threads
};

// Gives the shallowest choice of `next` from `floor` on that has a value left to the pool, with
// its values left; the thread keeps what is below that choice. Not the last choice: that one
// is the thread's next run. Returns the thread's floor from now on.
std::size_t hand_over(const std::vector<ChoiceRecord>& next, std::size_t floor, const VisitedStates& visited,
                      SharedStates& shared, WorkPool& pool, const Bounds& bounds) {
  DeviationCount used = count_deviations(next, floor);
  for (std::size_t j = floor; j + 1 < next.size(); ++j) {
    const ChoiceRecord& c = next[j];
    if (c.value != 0) used.add(c.kind);
    if (c.value + 1 >= c.range) continue;  // no value left: no need to copy the prefix to ask
    std::vector<ChoiceRecord> given(next.begin(), next.begin() + static_cast<long>(j) + 1);
    if (!advance_prefix(given, used, bounds, nullptr, j)) continue;  // none within the bounds
    // The states before choice j are this thread's path's, and the receiver's once it replays.
    Work work{std::move(given), j, visited.path_slots_before(j)};
    shared.pin(work.pinned, +1);
    pool.give(std::move(work));
    return j + 1;
  }
  return floor;
}

// The schedules a pass may run (max_schedules) and its deadline, taken by the threads in
// batches: one locked instruction per batch, not per run. A thread that finds none left gives
// its work back and leaves (WorkPool::leave), and those that still hold some go on with it, so
// a pass cut short by the budget has run max_schedules in all.
class ScheduleBudget {
 public:
  explicit ScheduleBudget(const ExploreLimits& limits) : left_(limits.max_schedules), in_time_(limits.take_schedule) {}
  class Share {
   public:
    explicit Share(ScheduleBudget& budget) : budget_(budget) {}
    ~Share() { budget_.left_.fetch_add(held_); }
    Share(const Share&) = delete;
    Share& operator=(const Share&) = delete;
    enum class Answer { go, spent, out_of_time };
    Answer take() {
      if (budget_.in_time_ && !budget_.in_time_()) return Answer::out_of_time;
      if (held_ == 0) held_ = budget_.grab();
      if (held_ == 0) return Answer::spent;
      --held_;
      return Answer::go;
    }

   private:
    ScheduleBudget& budget_;
    std::uint64_t held_ = 0;
  };

 private:
  static constexpr std::uint64_t kBatch = 64;
  std::uint64_t grab() {
    std::uint64_t now = left_.load();
    std::uint64_t take = 0;
    do {
      take = std::min(now, kBatch);
    } while (take > 0 && !left_.compare_exchange_weak(now, now - take));
    return take;
  }
  std::atomic<std::uint64_t> left_;
  std::function<bool()> in_time_;
};

// Without --reduce a violation stops only the work that lies after it in DFS order (each
// thread's work is a contiguous range of the DFS and runs in that order): every run before it
// is still run, so the earliest violation of all is found, the single run's first.
class EarliestViolation {
 public:
  void offer(const std::vector<ChoiceRecord>& choices) {
    std::lock_guard<std::mutex> hold(lock_);
    if (!any_.load(std::memory_order_relaxed) || after_in_dfs(earliest_, choices)) earliest_ = choices;
    any_.store(true, std::memory_order_release);
  }
  // Every run that starts with `prefix` (its last choice taking that value or a later one)
  // comes after the earliest violation offered: none of them can come first.
  bool past(const std::vector<ChoiceRecord>& prefix) {
    if (!any_.load(std::memory_order_acquire)) return false;
    std::lock_guard<std::mutex> hold(lock_);
    return after_in_dfs(prefix, earliest_);
  }

 private:
  std::mutex lock_;
  std::vector<ChoiceRecord> earliest_;
  std::atomic<bool> any_{false};  // read without the lock after every run
};

// A pass's progress for a report (explore's line on a terminal): each thread adds its counts
// every kEvery runs of its own, not every run (a shared line written per run costs more than
// the report is worth), and the thread that adds them reports, one at a time.
class PassProgress {
 public:
  explicit PassProgress(const ProgressFn& report) : report_(report), start_(std::chrono::steady_clock::now()) {}
  static constexpr std::uint64_t kEvery = 1024;
  // After each run: `made` is what this thread ran since it last added its counts.
  void ran(ExploreStats& made) {
    if (!report_ || made.schedules < kEvery) return;
    schedules_.fetch_add(made.schedules);
    steps_.fetch_add(made.steps);
    std::size_t depth = max_depth_.load();
    while (made.max_depth > depth && !max_depth_.compare_exchange_weak(depth, made.max_depth)) {
    }
    made = ExploreStats{};
    std::unique_lock<std::mutex> one(reporting_, std::try_to_lock);
    if (!one) return;  // another thread reports now
    ExploreStats now;  // read under the lock: each report counts at least what the one before did
    now.schedules = schedules_.load();
    now.steps = steps_.load();
    now.max_depth = max_depth_.load();
    now.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    report_(now);
  }

 private:
  const ProgressFn& report_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<std::uint64_t> schedules_{0};
  std::atomic<std::uint64_t> steps_{0};
  std::atomic<std::size_t> max_depth_{0};
  std::mutex reporting_;
};

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
  const bool pruning_any = limits.reduce || limits.por;  // else no visitor: one call less a step
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
      RunResult run = runs.run(std::move(prefix), pruning_any ? &visitor : nullptr, first);
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
      if (pool.wanted()) floor = hand_over(next, floor, visited, shared, pool, spec.bounds);
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
