// Threads sharing one state cache prune as one thread's DFS would, except where a zero-time
// cycle could be lost between them: a state on another thread's path (or pinned, on its way to
// another thread), reached by a busy step, is gone on from, not pruned.
#include "model/engines/shared_states.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace loopcheck
