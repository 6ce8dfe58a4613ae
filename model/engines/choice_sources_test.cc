// PrefixChoiceSource keeps the choices made and the prefix still to follow in one buffer, so a
// run on a prefix copies nothing; these pin what a run sees of it: the prefix's values, the
// deferred options it carries, and a rewind that lets the prefix stand for the choices before
// the mark.
#include "model/engines/choice_sources.h"

#include <gtest/gtest.h>

#include <vector>

namespace loopcheck {
namespace {

std::vector<std::uint32_t> values(std::span<const ChoiceRecord> records) {
  std::vector<std::uint32_t> out;
  for (const ChoiceRecord& r : records) out.push_back(r.value);
  return out;
}

TEST(PrefixChoiceSource, FollowsThePrefixThenTakesZeroAndHandsItsChoicesOver) {
  PrefixChoiceSource source({ChoiceRecord{1, 2, ChoiceKind::deliver}, ChoiceRecord{2, 3, ChoiceKind::deliver}});
  EXPECT_TRUE(source.replaying());
  EXPECT_EQ(source.choose(2, ChoiceKind::deliver), 1u);
  EXPECT_EQ(source.choose(3, ChoiceKind::deliver), 2u);
  EXPECT_FALSE(source.replaying());
  EXPECT_EQ(source.choose(4, ChoiceKind::deliver), 0u);
  EXPECT_EQ(values(source.made()), (std::vector<std::uint32_t>{1, 2, 0}));
  std::vector<ChoiceRecord> made = source.take_made();
  ASSERT_EQ(made.size(), 3u);
  EXPECT_EQ(made[2].range, 4u);
  EXPECT_TRUE(source.made().empty());
}

// A run that ends before its prefix does hands over only what it chose, not the prefix's rest.
TEST(PrefixChoiceSource, HandsOverOnlyWhatWasChosen) {
  PrefixChoiceSource source({ChoiceRecord{1, 2, ChoiceKind::deliver}, ChoiceRecord{1, 2, ChoiceKind::deliver}});
  EXPECT_EQ(source.choose(2, ChoiceKind::deliver), 1u);
  EXPECT_EQ(values(source.take_made()), (std::vector<std::uint32_t>{1}));
}

// A value that does not fit what the run asks is not taken; the next choice still reads the
// prefix's next record.
TEST(PrefixChoiceSource, AValueThatDoesNotFitIsZeroAndThePrefixGoesOn) {
  PrefixChoiceSource source({ChoiceRecord{5, 6, ChoiceKind::deliver}, ChoiceRecord{1, 2, ChoiceKind::deliver}});
  EXPECT_EQ(source.choose(2, ChoiceKind::deliver), 0u);
  EXPECT_EQ(source.choose(2, ChoiceKind::deliver), 1u);
  EXPECT_EQ(values(source.made()), (std::vector<std::uint32_t>{0, 1}));
}

// The options deferred here, less those the prefix's record says were undone at this state.
TEST(PrefixChoiceSource, MarksDeferredOptionsAsThePrefixRecordAllows) {
  ChoiceOption options[3];
  options[1].deferred = true;
  options[2].deferred = true;
  ChoiceRecord kept{0, 3, ChoiceKind::deliver};
  kept.skip = 0b010;  // option 2's deferral was undone
  PrefixChoiceSource source({kept});
  EXPECT_EQ(source.choose_option(options, 3, ChoiceKind::deliver), 0u);
  EXPECT_EQ(source.made()[0].skip, 0b010u);
  // Past the prefix every deferred option is marked.
  EXPECT_EQ(source.choose_option(options, 3, ChoiceKind::deliver), 0u);
  EXPECT_EQ(source.made()[1].skip, 0b110u);
}

// After a rewind to a mark, the prefix's records before it are the choices made before it.
TEST(PrefixChoiceSource, RewindKeepsThePrefixBeforeTheMarkAsMade) {
  PrefixChoiceSource source({ChoiceRecord{1, 2, ChoiceKind::app_action}});
  EXPECT_EQ(source.choose(2, ChoiceKind::app_action), 1u);
  PrefixChoiceSource::Mark mark = source.mark();
  EXPECT_EQ(source.choose(3, ChoiceKind::deliver), 0u);
  std::vector<ChoiceRecord> next = source.take_made();
  next.back().value = 2;
  source.rewind(mark, std::move(next));
  EXPECT_TRUE(source.replaying());
  EXPECT_EQ(source.used().app_actions, 1);
  EXPECT_EQ(source.choose(3, ChoiceKind::deliver), 2u);
  EXPECT_FALSE(source.replaying());
  EXPECT_EQ(values(source.made()), (std::vector<std::uint32_t>{1, 2}));
}

}  // namespace
}  // namespace loopcheck
