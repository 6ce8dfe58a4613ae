// The state cache that the threads of one reduced search share (explore --jobs with --reduce,
// stealing.h): one table under striped locks, and a counting filter of the states on the
// threads' current paths.
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
// counts a state before it looks it up (the lock orders the two for every other thread), and
// work handed to another thread carries its path's states counted (pin) until that work is done,
// so no state leaves every path while its future is still to be explored.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "model/engines/visited_states.h"

namespace loopcheck {

class SharedStates {
 public:
  static constexpr std::size_t kSlotBits = 15;
  static constexpr std::size_t kSlots = std::size_t{1} << kSlotBits;

  // `threads`: how many VisitedStates views there will be, numbered from 0.
  SharedStates(Pruning pruning, Preemptions preemptions, unsigned threads);
  SharedStates(const SharedStates&) = delete;
  SharedStates& operator=(const SharedStates&) = delete;

  // StateTable::visit under the lock of the state's stripe.
  StateTable::Seen visit(std::uint64_t state, Spent spent, std::size_t step,
                         const std::vector<StateTable::Visit>& path);
  // The states kept, summed over the stripes: exact once the threads are done, close while
  // they run.
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
  static constexpr std::size_t kStripes = 64;
  // A cache line each, so that two threads in two stripes do not share one.
  struct alignas(64) Stripe {
    std::mutex lock;
    std::unique_ptr<StateTable> table;
    std::atomic<std::size_t> size{0};  // table->size(), readable without the lock
  };
  std::unique_ptr<Stripe[]> stripes_;
  using Row = std::unique_ptr<Cell[]>;
  static Row zero_row();
  std::vector<Row> paths_;  // by thread
  Row pinned_;
};

}  // namespace loopcheck
