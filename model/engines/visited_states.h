// The exhaustive engine's state cache: which states a search has explored, and whether a run
// that reaches one again may stop there.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "model/engines/choice_sources.h"
#include "model/engines/digest_map.h"

namespace loopcheck {

class SimWorld;

// Two ways to prune a state seen before:
//  - same_or_lower_depth: only when it was first explored from the same or a lower depth, so it
//    had at least as many steps left then as now. Always sound.
//  - any_depth: whenever it was seen. The state and the deviations spent decide everything
//    that can happen next except how many steps are left before the step bound, and a state is
//    explored from its first visit on, so a cache without depths is a graph search that visits
//    every state reachable within the deviation bounds, as long as the step bound never cut a
//    run short. A pass that meets a cut-off therefore proves nothing, and the engine starts
//    again with same_or_lower_depth (explore_exhaustive).
enum class Pruning { any_depth, same_or_lower_depth };

// Whether the preemptions a visit spent decide what it covers:
//  - counted: a visit covers another only having spent no more preemptions. Always sound.
//  - ignored: preemptions are left out of covering. A preemption bound that never withholds a
//    choice changes nothing a run can do, so then the state (with the faults and app actions
//    spent) decides its future alone; the visit that spent more preemptions lost no way on.
//    The search must watch that: a pass that ignores them gives up the moment the bound (or
//    the bound on all deviations, which preemptions count towards) withholds a choice that would
//    fit had no preemption been spent, and the engine starts again counting them
//    (explore_exhaustive). With a small bound that moment comes early (dgram-echo, bound 2:
//    after 100 runs, then 213 counting them), which is why only larger bounds try it; with one
//    that never binds (the SPIN comparisons, --max-preemptions 100), a state is no longer
//    explored again for each time it is reached with fewer preemptions than before.
enum class Preemptions { counted, ignored };

// Which boundaries' states the cache keeps (explore --store-states). Keeping fewer is always
// sound, whichever are left out and whenever that is decided: a state not kept is never pruned,
// so whatever follows it is explored each time it is reached, and every state kept is still
// explored from its first visit on. The trade: a state not kept costs neither a fingerprint nor
// a probe of the table (a cache miss once the table outgrows the caches), but a second way into
// it runs on to the next state kept.
//  - every_step: every boundary.
//  - between_batches: none where the loop is between two callbacks of one batch. Such a state
//    has mostly one way in, the callback before it (proactor-pause, 96 chunks, 2 pauses: 1.19
//    million states kept instead of 2.50, 3.4% more runs, 0.74 of the time); where preemptions
//    branch inside batches (dgram-drain, stream-echo) runs grow by more than the probes save.
//  - where_branched: between batches, and inside a batch once a choice made in it went another
//    way than its first (SimWorld::branched_in_batch). A second way into a state inside a batch
//    from the batch's start needs two paths that part within it, and one of them parts by such
//    a choice before the state: the states that have more than one way in are mostly kept, the
//    one-way ones mostly not (proactor-pause, 128 chunks: 2.77 million states kept instead of
//    5.75, 1.5% more runs, 0.75 of the time; dgram-drain: every_step's runs). Ways in that part
//    before the batch began are missed (stream-echo: up to 1.17 times the runs).
//  - automatic (the default): every_step until the cache holds `keep_all_below` states, then
//    where_branched: small searches, where a run costs more than a kept state, are every_step's
//    run for run, and large ones keep about half as many states.
//    docs/PERFORMANCE.md, "States kept between batches" and the section after it.
enum class Storing { every_step, between_batches, where_branched, automatic };
// Whether the state at this boundary is looked up in the cache and kept there, by a rule other
// than `automatic` (which VisitedStates::storing() resolves).
bool stores(Storing storing, SimWorld& world);

// The deviations a run has spent so far. A state reached having spent no more of every kind
// than another visit of it is covered by that visit: every way on that is left to it, within
// the bounds, was left to the other too.
struct Spent {
  int preemptions = 0;
  int faults = 0;
  int app_actions = 0;
  Spent() = default;
  Spent(int p, int f, int a) : preemptions(p), faults(f), app_actions(a) {}
  explicit Spent(const DeviationCount& used)
      : preemptions(used.preemptions), faults(used.faults), app_actions(used.app_actions) {}
  bool covers(const Spent& o) const {
    return preemptions <= o.preemptions && faults <= o.faults && app_actions <= o.app_actions;
  }
  bool operator==(const Spent& o) const { return covers(o) && o.covers(*this); }
};

// What decides a state's future apart from the deviations spent: the world and the sleep set.
std::uint64_t state_of(SimWorld& world, const PrefixChoiceSource& source);

// Whether a visit kept covers a new visit of its state, or is that visit again on the new one's
// own path: the one rule StateTable and SharedStates judge by.
class CoverRule {
 public:
  struct Visit {
    std::uint64_t state;
    Spent spent;
    std::size_t step;
    bool operator==(const Visit& o) const { return state == o.state && spent == o.spent && step == o.step; }
  };
  enum class Seen {
    fresh,    // never seen: kept
    on_path,  // on the visiting run's own path, the same deviations spent (a zero-time cycle?)
    covered,  // an earlier visit covers it
    kept,     // seen, but this visit spent less of something or came sooner: kept too
  };
  CoverRule(Pruning pruning, Preemptions preemptions) : pruning_(pruning), preemptions_(preemptions) {}
  // What the kept visit says of `now`: on_path, covered, or kept (neither). `path`: the
  // visiting run's visit at each step; one whose `step` is not its index is none.
  Seen relate(const Visit& kept, const Visit& now, const std::vector<Visit>& path) const;
  // What several kept visits say together: on the path before covered, covered before kept.
  static Seen either(Seen a, Seen b) {
    if (a == Seen::on_path || b == Seen::on_path) return Seen::on_path;
    return a == Seen::covered || b == Seen::covered ? Seen::covered : Seen::kept;
  }
  // Whether `now`, seen and kept, covers `first` and so may take its place.
  bool replaces(const Visit& now, const Visit& first) const {
    return covers(now.spent, first.spent) && (pruning_ == Pruning::any_depth || now.step <= first.step);
  }

 private:
  // `a` covers `b`, with or without their preemptions.
  bool covers(const Spent& a, const Spent& b) const {
    return a.faults <= b.faults && a.app_actions <= b.app_actions &&
           (preemptions_ == Preemptions::ignored || a.preemptions <= b.preemptions);
  }
  Pruning pruning_;
  Preemptions preemptions_;
};

// The explored states and their visits, without a path: whether a visit is new, covered by an
// earlier one, or the same state again on the visiting run's own path. Not thread-safe
// (SharedStates keeps its own table, by the same rule).
class StateTable {
 public:
  using Visit = CoverRule::Visit;
  using Seen = CoverRule::Seen;
  // A visit as a table keeps it (Kept): each deviation count below 2^12 (the CLI's bounds stop
  // at 4000 preemptions and 100 of the rest), the step below 2^26 (its --max-depth at 10^7),
  // and two bits left for SharedStates' marks. VisitedStates::visit checks.
  static constexpr int kSpentBits = 12;
  static constexpr int kStepBits = 26;
  static constexpr int kFreeBits = 64 - 3 * kSpentBits - kStepBits;
  // A visit in 8 bytes without its state (the key it is kept under), so a table's slot is 16
  // (the table is most of a large search's memory). The free bits stay zero.
  class Kept {
   public:
    Kept() = default;
    explicit Kept(std::uint64_t bits) : bits_(bits & kMask) {}
    Kept(Spent spent, std::size_t step)
        : bits_(field(spent.preemptions, 0) | field(spent.faults, 1) | field(spent.app_actions, 2) |
                static_cast<std::uint64_t>(step) << (3 * kSpentBits)) {}
    Spent spent() const { return Spent(count(0), count(1), count(2)); }
    std::size_t step() const { return static_cast<std::size_t>(bits_ >> (3 * kSpentBits)); }
    Visit visit(std::uint64_t state) const { return Visit{state, spent(), step()}; }
    std::uint64_t bits() const { return bits_; }
    static constexpr std::uint64_t kMask = (std::uint64_t{1} << (64 - kFreeBits)) - 1;

   private:
    static std::uint64_t field(int value, int index) {
      return static_cast<std::uint64_t>(value) << (index * kSpentBits);
    }
    int count(int index) const {
      return static_cast<int>(bits_ >> (index * kSpentBits) & ((std::uint64_t{1} << kSpentBits) - 1));
    }
    std::uint64_t bits_ = 0;
  };
  StateTable(Pruning pruning, Preemptions preemptions) : rule_(pruning, preemptions) {}
  Seen visit(std::uint64_t state, Spent spent, std::size_t step, const std::vector<Visit>& path);
  std::size_t size() const { return first_.size(); }

 private:
  CoverRule rule_;
  DigestMap<Kept> first_;                               // state -> its first (or best) visit
  std::unordered_multimap<std::uint64_t, Visit> more_;  // visits none of the others covers
};

class SharedStates;

// The cache of explored states as one search (or one thread of it) sees it: the table and the
// current run's path. Only lookups, never iteration, so hashing order cannot steer a run.
class VisitedStates {
 public:
  // Storing::automatic keeps every step's state until the cache holds this many, and only
  // where_branched's from then on. Every scenario at its own bounds keeps far fewer (5,718 at
  // most), so the catalog and hunt search as every_step does; SPIN-sized instances keep millions.
  static constexpr std::size_t kKeepAllBelow = std::size_t{1} << 19;
  explicit VisitedStates(Pruning pruning, Preemptions preemptions = Preemptions::counted,
                         Storing storing = Storing::every_step, std::size_t keep_all_below = kKeepAllBelow);
  // One thread's view of a table the threads of one search share (shared_states.h). Its path
  // is counted in the table's filter of paths, so that no other thread prunes a state this
  // thread is still exploring on: see SharedStates for why that keeps zero-time cycles found.
  VisitedStates(SharedStates& shared, unsigned thread, Storing storing, std::size_t keep_all_below = kKeepAllBelow);
  ~VisitedStates();
  VisitedStates(const VisitedStates&) = delete;
  VisitedStates& operator=(const VisitedStates&) = delete;

  // Called before each step; false = this state was explored already, having spent no more
  // deviations of any kind (see Pruning for the depth). States on the replayed prefix are
  // skipped: they are the earlier runs' own states, whose subtrees are being explored now.
  //
  // A state that comes back on the run's own path with the same deviations spent is not
  // pruned: no bounded choice was made since, which may be a zero-time livelock; the world
  // judges it (O4) if the run goes on. Pruning there would hide it, where a DFS must see its
  // back edge (gh-155888's spin). A state the cache does not keep (Storing) is new every time.
  bool first_visit(SimWorld& world, const PrefixChoiceSource& source);
  // The same for a search that keeps its own path (breadth first): true = a new state.
  bool visit(std::uint64_t state, Spent spent, std::size_t step);
  // first_visit past the prefix, once the world has told what it knows: the state kept at
  // `step`, reached having made `made` choices, by a step a zero-time cycle could take or not
  // (SimWorld::last_step_busy).
  bool path_step(std::uint64_t state, Spent spent, std::size_t step, std::size_t made, bool busy);

  // The next run replays a prefix no earlier run of this search made (a shared search's thread
  // starting on work another gave it): its states are put on the path as it replays them, so
  // that the path is the run's whole path. Off again after one run (first_visit does not know
  // when a run ends: the engine calls it with false).
  void record_replayed(bool on) { record_replayed_ = on; }
  // Shared: the filter slots of the path's kept states that no choice from the `choices`-th on
  // decided (the path a thread hands over with work, which SharedStates::pin keeps counted).
  std::vector<std::size_t> path_slots_before(std::size_t choices) const;

  std::size_t size() const;
  // Which boundaries' states are kept now: never `automatic`, which starts as every_step and
  // turns where_branched as the cache grows. Read at every boundary (CheckpointedRuns too).
  const Storing& storing() const { return storing_; }

 private:
  using Visit = StateTable::Visit;
  // path_[step] = `visit`, the path cut after it; a shared table's filter is told.
  void set_path(std::size_t step, const Visit& visit, std::size_t made);
  void count_on_path(std::size_t step, int n);
  // Shared: on another thread's path (or pinned), as far as the filter can tell.
  bool elsewhere(std::uint64_t state, const Spent& spent) const;
  // visit(), told whether the step into the state could be one of a zero-time cycle
  // (SimWorld::last_step_busy; true when not known).
  bool judge(std::uint64_t state, Spent spent, std::size_t step, bool busy);
  void checked(Spent spent, std::size_t step) const;

  std::unique_ptr<StateTable> own_;
  SharedStates* shared_ = nullptr;
  Storing storing_;
  std::size_t switch_at_;  // automatic: the size at which storing_ turns where_branched; 0: never
  // The current run's visit at each step; one whose `step` is not its index is none (a step
  // whose state was not kept, or filler); and how many choices were made before each step.
  std::vector<Visit> path_;
  std::vector<std::size_t> path_made_;
  bool record_replayed_ = false;
  unsigned thread_ = 0;                      // shared: this view's row in the filter
  std::atomic<std::uint32_t>* row_ = nullptr;  // that row
  std::size_t fresh_ = 0;                    // shared: states this view added
};

}  // namespace loopcheck
