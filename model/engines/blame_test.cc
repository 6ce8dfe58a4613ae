// Blame and peel: a counterexample names only the switches it needs, and a switch that hides
// behind another is found once that one is off.
#include "model/engines/blame.h"

#include <gtest/gtest.h>

#include "model/engines/test_specs.h"

namespace loopcheck {
namespace {

using Entries = std::vector<const CatalogEntry*>;

TEST(Blame, NamesTheSwitchTheScheduleNeedsAndNotTheOneThatPlaysNoPart) {
  RunSpec spec = spec_of("start-tls-server", "bpo-33694");
  set_switch(spec.bugs, *find_bug("gh-109051"));  // start_tls on a paused transport: not here
  ExploreResult found = explore_exhaustive(spec);
  ASSERT_TRUE(found.counterexample);
  EXPECT_EQ(switches_on(spec), (Entries{find_bug("bpo-33694"), find_bug("gh-109051")}));
  EXPECT_EQ(blame(spec, *found.counterexample).switches, Entries{find_bug("bpo-33694")});

  PeelResult peeled = peel(spec, ExploreLimits{});
  ASSERT_EQ(peeled.findings.size(), 1u);
  EXPECT_EQ(peeled.findings[0].causes.switches, Entries{find_bug("bpo-33694")});
  EXPECT_FALSE(peeled.last.counterexample) << "gh-109051 alone breaks nothing in this scenario";
  EXPECT_TRUE(peeled.last.stats.complete);
  EXPECT_EQ(switches_on(peeled.last_spec), Entries{find_bug("gh-109051")});
}

// What explore reports: the shown counterexample's cause, the switch with no part in it, and
// the round explored with the cause off, where the hidden switch shows.
TEST(Blame, BlameAndPeelFindsTheSwitchHiddenBehindTheFirst) {
  RunSpec spec = spec_of("start-tls-server", "bpo-33694");
  set_switch(spec.bugs, *find_bug("bpo-33674"));
  ExploreResult found = shortest_counterexample(spec);
  ASSERT_TRUE(found.counterexample);
  Peeling peeling = blame_and_peel(spec, *found.counterexample, ExploreLimits{});
  EXPECT_EQ(peeling.shown.switches, Entries{find_bug("bpo-33694")});
  EXPECT_EQ(peeling.idle, Entries{find_bug("bpo-33674")});
  ASSERT_TRUE(peeling.rest);
  ASSERT_EQ(peeling.rest->findings.size(), 1u);
  EXPECT_EQ(peeling.rest->findings[0].causes.switches, Entries{find_bug("bpo-33674")});
  EXPECT_EQ(peeling.rest->findings[0].counterexample.violation->oracle, Oracle::O2);
}

// A switch nobody turned on is never blamed; a run of the fixed code has nothing to blame.
TEST(Blame, WithNoSwitchOnThereIsNothingToBlame) {
  RunSpec spec = spec_of("start-tls-server", "bpo-33694");
  ExploreResult found = explore_exhaustive(spec);
  ASSERT_TRUE(found.counterexample);
  RunSpec fixed = spec_of("start-tls-server");
  EXPECT_TRUE(blame(fixed, *found.counterexample).switches.empty());
  PeelResult peeled = peel(fixed, ExploreLimits{});
  EXPECT_TRUE(peeled.findings.empty());
  EXPECT_FALSE(peeled.last.counterexample);
}

}  // namespace
}  // namespace loopcheck
