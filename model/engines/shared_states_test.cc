// Threads sharing one state cache prune as one thread's DFS would, except where a zero-time
// cycle could be lost between them: a state on another thread's path (or pinned, on its way to
// another thread), reached by a busy step, is gone on from, not pruned.
#include "model/engines/shared_states.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <thread>
#include <vector>

namespace loopcheck {
namespace {

constexpr std::uint64_t kState = 0x5eed;

TEST(SharedStates, AStateOnAnotherThreadsPathIsGoneOnFromAfterABusyStep) {
  SharedStates shared(Pruning::any_depth, Preemptions::counted, 2);
  VisitedStates a(shared, 0, Storing::every_step), b(shared, 1, Storing::every_step);
  EXPECT_TRUE(a.path_step(1, Spent(), 0, 0, false));
  EXPECT_TRUE(a.path_step(kState, Spent(), 1, 0, true));  // on a's path now
  EXPECT_EQ(shared.size(), 2u);
  EXPECT_TRUE(b.path_step(2, Spent(), 0, 0, false));
  EXPECT_TRUE(b.path_step(kState, Spent(), 1, 0, true));   // busy: a cycle could go through it
  EXPECT_TRUE(b.path_step(3, Spent(), 0, 0, false));       // b starts again elsewhere
  EXPECT_FALSE(b.path_step(kState, Spent(), 1, 0, false)); // not busy: pruned, as by one thread
  EXPECT_FALSE(b.path_step(kState, Spent(1, 0, 0), 1, 0, true));  // spent more: not the same cycle
  // Once a's path has moved on, the state is explored: pruned whatever the step.
  EXPECT_TRUE(a.path_step(4, Spent(), 0, 0, false));
  EXPECT_FALSE(b.path_step(kState, Spent(), 1, 0, true));
}

TEST(SharedStates, APinnedStateIsGoneOnFromUntilItsWorkIsDone) {
  SharedStates shared(Pruning::any_depth, Preemptions::counted, 2);
  VisitedStates a(shared, 0, Storing::every_step), b(shared, 1, Storing::every_step);
  EXPECT_TRUE(a.path_step(kState, Spent(), 0, 0, true));  // before any choice
  EXPECT_TRUE(a.path_step(7, Spent(), 1, 1, true));       // after the first
  EXPECT_TRUE(a.path_step(9, Spent(), 2, 2, true));       // after the second
  // a hands over its second choice's other values: the path before that choice is pinned.
  std::vector<std::size_t> pinned = a.path_slots_before(1);
  ASSERT_EQ(pinned.size(), 2u);
  EXPECT_EQ(pinned[0], SharedStates::slot_of(kState, Spent()));
  EXPECT_EQ(pinned[1], SharedStates::slot_of(7, Spent()));
  EXPECT_EQ(a.path_slots_before(0).size(), 1u);
  shared.pin(pinned, +1);
  EXPECT_TRUE(a.path_step(8, Spent(), 0, 0, false));  // a's path leaves kState
  EXPECT_TRUE(b.path_step(kState, Spent(), 3, 0, true));
  shared.pin(pinned, -1);
  EXPECT_FALSE(b.path_step(kState, Spent(), 3, 0, true));
}

// A thread's own path is no other thread's: going round its own cycle is the own-path rule's
// (same deviations), and a state it left is pruned.
TEST(SharedStates, AThreadsOwnPathDoesNotCountAsAnothers) {
  SharedStates shared(Pruning::any_depth, Preemptions::counted, 2);
  VisitedStates a(shared, 0, Storing::every_step);
  EXPECT_TRUE(a.path_step(kState, Spent(), 0, 0, true));
  EXPECT_TRUE(a.path_step(kState, Spent(), 1, 0, true));   // back on its own path: go on
  EXPECT_FALSE(a.path_step(kState, Spent(1, 0, 0), 2, 1, true));  // spent more since: pruned
}

// The table answers as one thread's StateTable does, visit for visit, on the ways a visit can
// go: new, covered by the first visit, on its own path, kept beside the first (spent less of
// one kind, more of another), kept in the first's place (spent less of all), on the path by a
// visit kept beside a first that covers it, state 0.
TEST(SharedStates, AnswersAsOneThreadsTableDoes) {
  using Seen = StateTable::Seen;
  using Visit = StateTable::Visit;
  for (Pruning pruning : {Pruning::any_depth, Pruning::same_or_lower_depth}) {
    SharedStates shared(pruning, Preemptions::counted, 1);
    StateTable one(pruning, Preemptions::counted);
    std::vector<Visit> path(3, Visit{0, Spent(), ~std::size_t{0}});
    path[0] = Visit{77, Spent(0, 1, 0), 0};
    path[1] = Visit{kState, Spent(0, 1, 0), 1};
    struct Step {
      std::uint64_t state;
      Spent spent;
      std::size_t step;
    };
    const Step steps[] = {
        {kState, Spent(0, 1, 0), 1}, {kState, Spent(0, 1, 0), 2}, {kState, Spent(0, 1, 1), 2},
        {kState, Spent(1, 0, 0), 2}, {kState, Spent(1, 0, 0), 5}, {kState, Spent(0, 0, 0), 4},
        {kState, Spent(0, 2, 0), 0}, {kState, Spent(2, 0, 0), 3}, {0, Spent(), 3}, {0, Spent(), 4},
        {0, Spent(0, 0, 0), 1},
        // A visit beside the first that is on the path, the first replaced by one that covers
        // the next visit: on the path wins over covered.
        {77, Spent(1, 0, 0), 0}, {77, Spent(0, 1, 0), 0}, {77, Spent(0, 0, 0), 0}, {77, Spent(0, 1, 0), 3},
    };
    std::vector<Seen> kinds;
    for (const Step& s : steps) {
      Seen expected = one.visit(s.state, s.spent, s.step, path);
      EXPECT_EQ(shared.visit(0, s.state, s.spent, s.step, path), expected) << "visit " << kinds.size();
      kinds.push_back(expected);
    }
    EXPECT_EQ(kinds.back(), Seen::on_path);
    EXPECT_EQ(shared.size(), one.size());
    for (Seen kind : {Seen::fresh, Seen::on_path, Seen::covered, Seen::kept}) {
      EXPECT_NE(std::find(kinds.begin(), kinds.end(), kind), kinds.end());
    }
  }
}

TEST(SharedStates, ThreadCountsOutsideOneTo256AreRefused) {
  EXPECT_THROW(SharedStates(Pruning::any_depth, Preemptions::counted, 0), std::invalid_argument);
  EXPECT_THROW(SharedStates(Pruning::any_depth, Preemptions::counted, 257), std::invalid_argument);
  EXPECT_THROW(SharedStates(Pruning::any_depth, Preemptions::counted, 4'000'000'000u), std::invalid_argument);
  EXPECT_NO_THROW(SharedStates(Pruning::any_depth, Preemptions::counted, 256));
}

// Threads that insert at once, past many doublings of the table, each find every state new
// exactly once between them, and every state is found again afterwards.
TEST(SharedStates, ThreadsInsertingAtOnceFindEachStateNewOnce) {
  constexpr unsigned kThreads = 4;
  constexpr std::uint64_t kStates = 300'000;  // the table starts at 64 Ki entries
  SharedStates shared(Pruning::any_depth, Preemptions::counted, kThreads);
  std::vector<std::uint64_t> fresh(kThreads, 0);
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<StateTable::Visit> path;
      // Every thread visits every state, each from its own end of the range, so they meet.
      for (std::uint64_t i = 0; i < kStates; ++i) {
        std::uint64_t state = (t % 2 == 0 ? i : kStates - 1 - i) * 0x9E3779B97F4A7C15ull + 1;
        if (shared.visit(t, state, Spent(), 1, path) == StateTable::Seen::fresh) ++fresh[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::uint64_t total = 0;
  for (std::uint64_t n : fresh) total += n;
  EXPECT_EQ(total, kStates);
  EXPECT_EQ(shared.size(), kStates);
  std::vector<StateTable::Visit> path;
  for (std::uint64_t i = 0; i < kStates; ++i) {
    ASSERT_EQ(shared.visit(0, i * 0x9E3779B97F4A7C15ull + 1, Spent(), 1, path), StateTable::Seen::covered) << i;
  }
}

}  // namespace
}  // namespace loopcheck
