// The shares of an exploration, merged, are the single run: the same schedules, cut-offs and
// steps when clean, the same first counterexample when not. (--jobs alone: stealing_test.cc.)
#include "model/engines/shards.h"

#include <gtest/gtest.h>

#include "model/engines/stealing.h"
#include "model/engines/test_specs.h"

namespace loopcheck {
namespace {

ExploreResult in_shares(const RunSpec& spec, std::uint32_t shares, ExploreLimits limits = {}) {
  std::vector<ExploreResult> parts;
  for (std::uint32_t i = 0; i < shares; ++i) {
    limits.shard = i;
    limits.shards = shares;
    parts.push_back(explore_exhaustive(spec, limits));
  }
  return merge_shards(std::move(parts));
}

void expect_same_tree(const ExploreResult& single, const ExploreResult& merged) {
  EXPECT_EQ(merged.stats.schedules, single.stats.schedules);
  EXPECT_EQ(merged.stats.cut_off, single.stats.cut_off);
  EXPECT_EQ(merged.stats.steps, single.stats.steps);
  EXPECT_EQ(merged.stats.max_depth, single.stats.max_depth);
  EXPECT_EQ(merged.stats.complete, single.stats.complete);
}

TEST(Shards, FourSharesMergeIntoTheSingleRun) {
  RunSpec spec = spec_of("stream-sendfile");
  ExploreResult single = explore_exhaustive(spec);
  ASSERT_TRUE(single.stats.complete);
  for (std::uint32_t depth : {1u, 3u, 8u, 40u}) {
    ExploreLimits limits;
    limits.split_depth = depth;
    expect_same_tree(single, in_shares(spec, 4, limits));
  }
}

TEST(Shards, EachShareExploresOnlyItsOwn) {
  RunSpec spec = spec_of("proactor-pause");
  ExploreResult single = explore_exhaustive(spec);
  ExploreLimits limits;
  limits.shards = 4;
  std::uint64_t sum = 0;
  for (std::uint32_t i = 0; i < 4; ++i) {
    limits.shard = i;
    ExploreResult part = explore_exhaustive(spec, limits);
    EXPECT_LT(part.stats.schedules, single.stats.schedules) << "share " << i << " explored the whole tree";
    sum += part.stats.schedules;
  }
  EXPECT_EQ(sum, single.stats.schedules);
}

TEST(Shards, SleepSetsSplitAsWell) {
  RunSpec spec = spec_of("stream-echo");
  ExploreLimits limits;
  limits.por = true;
  expect_same_tree(explore_exhaustive(spec, limits), in_shares(spec, 3, limits));
}

TEST(Shards, TheMergedCounterexampleIsTheSingleRunsFirst) {
  RunSpec spec = spec_of("stream-sendfile-abort", "sendfile-close-hang");
  ExploreResult single = explore_exhaustive(spec);
  ASSERT_TRUE(single.counterexample);
  ExploreResult merged = in_shares(spec, 4);
  ASSERT_TRUE(merged.counterexample);
  ASSERT_EQ(merged.counterexample->choices.size(), single.counterexample->choices.size());
  for (std::size_t i = 0; i < single.counterexample->choices.size(); ++i) {
    EXPECT_EQ(merged.counterexample->choices[i].value, single.counterexample->choices[i].value) << "choice " << i;
  }
}

// With the state cache, shares and threads keep every reduction one run has: pruning at any
// depth, preemptions left out of covering, the environment deferred. (They used to prune by
// depth only, never defer, and count preemptions: proactor-pause chunks=32 took 273 s on two
// threads instead of 0.25 s on one.) The verdict is the single run's; the switch is found.
TEST(Shards, ReducedSharesAndThreadsKeepEveryReduction) {
  RunSpec spec = spin_pause_instance(8);
  ExploreResult single = explore_exhaustive(spec, reduced());
  ExploreResult merged = in_shares(spec, 4, reduced());
  ExploreResult threads = explore_parallel(spec, reduced(), 2);
  for (const ExploreResult* r : {&single, &merged, &threads}) {
    EXPECT_TRUE(r->stats.complete);
    EXPECT_FALSE(r->counterexample);
    EXPECT_TRUE(r->stats.deferred);
    EXPECT_FALSE(r->stats.preemptions_counted);
  }
  // Each share explores the states its subtrees reach, most of the single run's here.
  EXPECT_LT(merged.stats.states, 5 * single.stats.states);
  set_switch(spec.bugs, *find_bug("bpo-33694"));
  EXPECT_TRUE(in_shares(spec, 4, reduced()).counterexample);
  EXPECT_TRUE(explore_parallel(spec, reduced(), 2).counterexample);
}

// A share that starts again (a cut-off run, a preemption bound that binds) walks the same
// subtrees, so none is lost or doubled; threads start the next pass together.
TEST(Shards, SharesAndThreadsStartAgainOverTheirOwnSubtrees) {
  RunSpec cut = spec_of("proactor-pause");
  cut.bounds.max_steps = 30;
  ExploreLimits plain;
  plain.max_schedules = 5000000;
  ExploreResult unreduced = explore_exhaustive(cut, plain);
  ASSERT_GT(unreduced.stats.cut_off, 0u);
  for (const ExploreResult& r : {in_shares(cut, 3, reduced()), explore_parallel(cut, reduced(), 2)}) {
    EXPECT_TRUE(r.stats.restarted);
    EXPECT_GT(r.stats.cut_off, 0u);
    EXPECT_TRUE(r.stats.complete);
  }
  RunSpec binds = spec_of("dgram-echo");
  ExploreLimits first = reduced(ExploreLimits::IgnorePreemptions::always);
  ExploreLimits counting = reduced(ExploreLimits::IgnorePreemptions::never);
  ExploreResult counted = explore_exhaustive(binds, counting);
  for (const ExploreResult& r : {in_shares(binds, 3, first), explore_parallel(binds, first, 2)}) {
    EXPECT_TRUE(r.stats.preemptions_counted);
    EXPECT_TRUE(r.stats.complete);
    EXPECT_FALSE(r.counterexample);
    EXPECT_GT(r.stats.schedules, counted.stats.schedules);  // the pass that gave up is counted
  }
}

// proactor-dgram-echo meets a deferral conflict: one run starts again without deferring; so
// does each share; threads stop together and all start again without. Clean either way.
TEST(Shards, ADeferralConflictIsGivenUpByEveryShare) {
  RunSpec spec = spec_of("proactor-dgram-echo");
  ExploreResult single = explore_exhaustive(spec, reduced());
  ASSERT_TRUE(single.stats.deferral_conflict);
  ASSERT_FALSE(single.stats.deferred);
  for (const ExploreResult& r : {in_shares(spec, 4, reduced()), explore_parallel(spec, reduced(), 2)}) {
    EXPECT_TRUE(r.stats.complete);
    EXPECT_FALSE(r.counterexample);
    EXPECT_FALSE(r.stats.deferred);
    EXPECT_TRUE(r.stats.deferral_conflict);
  }
}

// Shares that disagree on deferring explored parts of two different trees: not a whole.
TEST(Shards, SharesThatDeferredAndSharesThatGaveItUpAreNoCertificate) {
  std::vector<ExploreResult> parts(3);
  for (ExploreResult& part : parts) {
    part.stats.complete = true;
    part.stats.deferred = true;
    part.stats.schedules = 10;
  }
  parts[1].stats.deferred = false;
  parts[1].stats.deferral_conflict = "an event of the peer's touched fd 3";
  ExploreResult merged = merge_shards(parts);
  EXPECT_FALSE(merged.stats.complete);
  ASSERT_TRUE(merged.stats.deferral_conflict);
  EXPECT_NE(merged.stats.deferral_conflict->find("--no-defer"), std::string::npos);
  parts[0].stats.deferred = parts[2].stats.deferred = false;
  EXPECT_TRUE(merge_shards(parts).stats.complete);
}

TEST(Shards, BadShareSpecsAreNamed) {
  std::uint32_t shard = 0, shards = 0;
  EXPECT_FALSE(parse_shard("2/4", shard, shards));
  EXPECT_EQ(shard, 2u);
  EXPECT_EQ(shards, 4u);
  for (const char* bad : {"4/4", "1", "a/4", "1/0", "-1/4", "1/4x", "/4", "1/999999999"}) {
    EXPECT_TRUE(parse_shard(bad, shard, shards)) << bad;
  }
}

}  // namespace
}  // namespace loopcheck
