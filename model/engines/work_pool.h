// What the threads of one --jobs pass share besides the state cache (shared_states.h): the work
// not yet taken (WorkPool), the schedules left (ScheduleBudget), the earliest violation found
// in DFS order (EarliestViolation) and the counts for a progress report (PassProgress).
// stealing.h has the engine that uses them.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "model/engines/exhaustive.h"

namespace loopcheck {

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

// The schedules a pass may run (max_schedules) and its deadline, taken by the threads in
// batches: one locked instruction per batch, not per run. A thread that finds none left gives
// its work back and leaves (WorkPool::leave), and those that still hold some go on with it, so
// a pass cut short by the budget has run max_schedules in all.
class ScheduleBudget {
 public:
  explicit ScheduleBudget(const ExploreLimits& limits) : left_(limits.max_schedules), limits_(limits) {}
  class Share {
   public:
    explicit Share(ScheduleBudget& budget) : budget_(budget) {}
    ~Share() { budget_.left_.fetch_add(held_); }
    Share(const Share&) = delete;
    Share& operator=(const Share&) = delete;
    enum class Answer { go, spent, out_of_time };
    Answer take() {
      if (!budget_.limits_.in_time()) return Answer::out_of_time;
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
  const ExploreLimits& limits_;  // its deadline
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

}  // namespace loopcheck
