// The state cache prunes a visit only when an earlier one covers it: the same state, no more
// deviations spent of any kind, and (pruning by depth) no more steps taken.
#include "model/engines/visited_states.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace loopcheck {
namespace {

TEST(VisitedStates, AVisitThatSpentMoreIsCovered) {
  VisitedStates seen(Pruning::any_depth);
  EXPECT_TRUE(seen.visit(7, Spent(0, 0, 0), 3));
  EXPECT_FALSE(seen.visit(7, Spent(1, 0, 0), 5));  // more preemptions: nothing new can follow
  EXPECT_FALSE(seen.visit(7, Spent(0, 0, 0), 9));
  EXPECT_TRUE(seen.visit(8, Spent(1, 0, 0), 5));   // another state
}

TEST(VisitedStates, AVisitThatSpentLessOfSomethingIsNew) {
  VisitedStates seen(Pruning::any_depth);
  EXPECT_TRUE(seen.visit(7, Spent(1, 0, 0), 3));
  EXPECT_TRUE(seen.visit(7, Spent(0, 1, 0), 3));   // fewer preemptions, more faults: neither covers
  EXPECT_TRUE(seen.visit(7, Spent(0, 0, 0), 3));   // covers both
  EXPECT_FALSE(seen.visit(7, Spent(0, 1, 0), 4));
  EXPECT_FALSE(seen.visit(7, Spent(2, 0, 0), 4));
  EXPECT_EQ(seen.size(), 1u);
}

TEST(VisitedStates, ByDepthAShallowerVisitIsNew) {
  VisitedStates seen(Pruning::same_or_lower_depth);
  EXPECT_TRUE(seen.visit(7, Spent(0, 0, 0), 6));
  EXPECT_FALSE(seen.visit(7, Spent(0, 0, 0), 6));
  EXPECT_FALSE(seen.visit(7, Spent(1, 0, 0), 8));
  EXPECT_TRUE(seen.visit(7, Spent(0, 0, 0), 4));   // more steps left than the first time
  EXPECT_FALSE(seen.visit(7, Spent(0, 0, 0), 5));
  // At any depth the same visits are all covered by the first.
  VisitedStates any(Pruning::any_depth);
  EXPECT_TRUE(any.visit(7, Spent(0, 0, 0), 6));
  EXPECT_FALSE(any.visit(7, Spent(0, 0, 0), 4));
}

// Preemptions left out of covering: a state reached again with fewer of them is not explored
// again, but faults and app actions still count.
TEST(VisitedStates, IgnoringPreemptionsCoversWhateverTheySpent) {
  VisitedStates seen(Pruning::any_depth, Preemptions::ignored);
  EXPECT_TRUE(seen.visit(7, Spent(5, 0, 0), 3));
  EXPECT_FALSE(seen.visit(7, Spent(2, 0, 0), 4));
  EXPECT_FALSE(seen.visit(7, Spent(9, 0, 0), 4));
  EXPECT_FALSE(seen.visit(7, Spent(5, 0, 1), 4));  // more app actions: covered
  EXPECT_TRUE(seen.visit(9, Spent(0, 1, 0), 3));
  EXPECT_TRUE(seen.visit(9, Spent(3, 0, 0), 3));   // fewer faults: new
  VisitedStates counted(Pruning::any_depth, Preemptions::counted);
  EXPECT_TRUE(counted.visit(7, Spent(5, 0, 0), 3));
  EXPECT_TRUE(counted.visit(7, Spent(2, 0, 0), 4));
}

// A visit is kept in 8 bytes: counts and steps past what they hold are refused, never wrapped
// (a wrapped count could cover a visit it does not).
TEST(VisitedStates, CountsPastWhatAVisitHoldsAreRefused) {
  VisitedStates seen(Pruning::any_depth);
  constexpr std::size_t kSteps = std::size_t{1} << StateTable::kStepBits;
  static_assert(kSteps > 10'000'000, "the CLI's --max-depth fits");
  EXPECT_TRUE(seen.visit(7, Spent(4095, 4095, 4095), kSteps - 1));
  EXPECT_FALSE(seen.visit(7, Spent(4095, 4095, 4095), 3));
  EXPECT_THROW(seen.visit(8, Spent(4096, 0, 0), 3), std::length_error);
  EXPECT_THROW(seen.visit(8, Spent(0, 0, 4096), 3), std::length_error);
  EXPECT_THROW(seen.visit(8, Spent(0, 0, 0), kSteps), std::length_error);
}

// Storing::automatic keeps every step's state until the cache holds the size given, and turns
// where_branched then, for good; a size of 0 starts there. The other ways never change.
TEST(VisitedStates, AutomaticStoringTurnsWhereBranchedAtItsSize) {
  VisitedStates seen(Pruning::any_depth, Preemptions::counted, Storing::automatic, 3);
  EXPECT_EQ(seen.storing(), Storing::every_step);
  EXPECT_TRUE(seen.visit(7, Spent(), 1));
  EXPECT_TRUE(seen.visit(8, Spent(), 2));
  EXPECT_FALSE(seen.visit(7, Spent(), 3));  // met again: the cache does not grow
  EXPECT_EQ(seen.storing(), Storing::every_step);
  EXPECT_TRUE(seen.visit(9, Spent(), 3));
  EXPECT_EQ(seen.storing(), Storing::where_branched);
  EXPECT_TRUE(seen.visit(10, Spent(), 4));
  EXPECT_EQ(seen.storing(), Storing::where_branched);
  EXPECT_EQ(VisitedStates(Pruning::any_depth, Preemptions::counted, Storing::automatic, 0).storing(),
            Storing::where_branched);
  VisitedStates between(Pruning::any_depth, Preemptions::counted, Storing::between_batches, 1);
  EXPECT_TRUE(between.visit(7, Spent(), 1));
  EXPECT_TRUE(between.visit(8, Spent(), 2));
  EXPECT_EQ(between.storing(), Storing::between_batches);
}

}  // namespace
}  // namespace loopcheck
