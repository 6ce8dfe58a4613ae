// The state cache that the threads of one reduced search share (explore --jobs with --reduce,
// stealing.h): one table that threads read and insert into without a lock, and a counting
// filter of the states on the threads' current paths.
//
// Why no lock. Most visits are a probe that finds the state new (insert it) or covered by its
// first visit. Under 64 striped locks (commits 2457d03 to 26d4a5f) two threads spent 1.33 times
// one thread's CPU on the same search, 7% of it in the locks, whose cache lines moved between
// the cores, and 5% in page faults as 64 small tables grew (docs/PERFORMANCE.md). Here an
// entry is claimed with one compare-and-swap of its key, its first visit written once after; only
// a visit that neither its first visit covers nor is on the path takes a lock (rare: with one
// kind of deviation there is none). The table doubles at three-quarters full with every
// thread stopped outside it (each marks when it is inside; the one that doubles waits for
// none to be), as one thread's table does, on huge pages.
//
// Why the filter. One thread's DFS may prune a state seen before because that visit's future
// is explored, or is being explored below on the same path. A zero-time cycle (gh-155888's
// spin) is found only by a run that comes back to a state on its own path (VisitedStates). With
// threads, the earlier visit may be another thread's, still under way: pruning there could
// leave the cycle to no one, each thread stopping where the other's path crossed its own. So a
// covered state is not pruned while it is on any other thread's path with the same deviations
// spent, if the step into it could be a step of such a cycle (SimWorld::last_step_busy: the
// clock stood still, no bounded choice, the loop not idle; every step of a zero-time livelock is
// one); the run goes on, as it would on its own path. Once no path holds it, every way on from
// it has been taken, or pruned under the same rule, as in one thread's DFS. A cycle is lost only
// if a run stops on it, and a run that stops on it either came in by a step of the cycle (busy:
// it goes on while another thread is still there) or from outside, where the thread that holds
// the state goes round it. Going on from every state on another path, busy or not, made two
// threads chase each other down the same subtrees (docs/PERFORMANCE.md).
//
// The filter counts by slot (a hash of the state and the deviations), so a collision only makes
// a thread go on where it could have stopped: never a state pruned that should not be. A thread
// counts a state before it looks it up (its insert or write of the visit releases the count to
// every thread that reads the visit, with acquire, or under a stripe's lock), and
// work handed to another thread carries its path's states counted (pin) until that work is done,
// so no state leaves every path while its future is still to be explored.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/engines/visited_states.h"
#include "model/engines/zeroed_array.h"

namespace loopcheck {

class SharedStates {
 public:
  static constexpr std::size_t kSlotBits = 15;
  static constexpr std::size_t kSlots = std::size_t{1} << kSlotBits;
  // The most threads one table takes (explore --jobs stops there too).
  static constexpr unsigned kMaxThreads = 256;

  // `threads`: how many VisitedStates views there will be, numbered from 0 (1 to kMaxThreads).
  SharedStates(Pruning pruning, Preemptions preemptions, unsigned threads);
  SharedStates(const SharedStates&) = delete;
  SharedStates& operator=(const SharedStates&) = delete;

  // StateTable::visit's answer for `thread`'s visit, by the same rule (CoverRule).
  StateTable::Seen visit(unsigned thread, std::uint64_t state, Spent spent, std::size_t step,
                         const std::vector<StateTable::Visit>& path);
  // The states kept: exact once the threads are done, close while they run.
  std::size_t size() const;

  // The filter. Each thread counts its own path's states in a row of its own, which only it
  // writes (no locked instruction on a step); pins, rare, go in a row all may write.
  static std::size_t slot_of(std::uint64_t state, const Spent& spent);
  using Cell = std::atomic<std::uint32_t>;
  Cell* row(unsigned thread) { return paths_[thread].get(); }
  static void count(Cell* row, std::size_t slot, int n) {
    Cell& cell = row[slot];
    cell.store(cell.load(std::memory_order_relaxed) + static_cast<std::uint32_t>(n), std::memory_order_release);
  }
  void pin(const std::vector<std::size_t>& slots, int n) {
    for (std::size_t slot : slots) pinned_[slot].fetch_add(static_cast<std::uint32_t>(n));
  }
  // Whether a thread other than `thread` has the slot on its path, or it is pinned. The rows
  // are read before the pins: a thread pins a state before it leaves it (release, acquire), so
  // a reader that sees it gone from that thread's row also sees the pin.
  bool elsewhere(unsigned thread, std::size_t slot) const;

 private:
  using Visit = StateTable::Visit;
  using Seen = StateTable::Seen;
  using Kept = StateTable::Kept;
  // An entry of the table: the state (0: empty) and its first visit's Kept bits with two marks of their own,
  // written only once the key is in (kWritten; until then a reader waits: the writer is
  // between two stores) and whether `more` has visits of the state (kMore).
  struct Entry {
    std::uint64_t key;
    std::uint64_t word;
  };
  static constexpr std::uint64_t kWritten = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kMore = std::uint64_t{1} << 62;
  static_assert(StateTable::kFreeBits >= 2, "Kept leaves SharedStates two bits");
  // Per thread, on a cache line of its own: only it writes there.
  struct alignas(64) Own {
    std::atomic<bool> inside{false};   // in the table (growth waits for no thread to be)
    std::atomic<std::size_t> fresh{0};  // states it inserted
    std::size_t unchecked = 0;          // inserted since it last checked the table's load
  };
  // The visits that are not a state's first, and what takes their lock (kStripes of them).
  struct alignas(64) Stripe {
    std::mutex lock;
    std::unordered_multimap<std::uint64_t, Visit> more;
  };
  static constexpr std::size_t kStripes = 64;
  // Every this many of a thread's inserts it sums the counts and doubles a table past 3/4;
  // the table starts at 8 times this per thread, so with every thread unchecked it is never
  // more than 7/8 full.
  static constexpr std::size_t kCheckEvery = 256;

  void enter(Own& own);
  void leave(Own& own) { own.inside.store(false, std::memory_order_seq_cst); }
  // Where the probe for `key` starts: the top bits of its multiplicative hash.
  std::size_t home(std::uint64_t key) const { return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }
  // The entry of `key`, claimed with `word` if it was empty; the bool says whether it was.
  std::pair<Entry*, bool> find_or_claim(std::uint64_t key, std::uint64_t word);
  // The word of an entry, once written.
  static std::uint64_t word_of(Entry& entry);
  // A visit its first visit does not settle, under its stripe's lock.
  Seen visit_more(Entry& entry, const Visit& now, const std::vector<Visit>& path);
  void grow_if_full(Own& own);

  CoverRule rule_;
  ZeroedArray<Entry> entries_;  // read inside, replaced only while no thread is
  unsigned shift_ = 64;        // 64 - log2(entries)
  std::atomic<std::size_t> capacity_;  // entries_.size(), for a thread outside to read
  alignas(64) std::atomic<bool> growing_{false};
  std::unique_ptr<Own[]> own_;
  unsigned threads_;
  std::unique_ptr<Stripe[]> stripes_;
  std::mutex zero_lock_;  // state 0, the empty entry's key, kept apart as one thread's table
  StateTable zero_;

  using Row = std::unique_ptr<Cell[]>;
  static Row zero_row();
  std::vector<Row> paths_;  // by thread
  Row pinned_;
};

}  // namespace loopcheck
