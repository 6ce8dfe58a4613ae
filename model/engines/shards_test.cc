// The shares of an exploration, merged, are the single run: the same schedules, cut-offs and
// steps when clean, the same first counterexample when not; and --jobs the same again.
#include "model/engines/shards.h"

#include <gtest/gtest.h>

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

TEST(Shards, JobsGiveTheSingleRunsCertificate) {
  RunSpec spec = spec_of("proactor-pause");
  ExploreResult single = explore_exhaustive(spec);
  ExploreResult parallel = explore_parallel(spec, {}, 2);
  expect_same_tree(single, parallel);
  EXPECT_EQ(certificate(spec, parallel.stats, false), certificate(spec, single.stats, false));
}

// TLS worlds on two threads: each thread's engines take OpenSSL contexts from a pool of the
// thread's own (one shared pool freed a context twice and crashed `explore ssl-adversary --jobs 2`).
TEST(Shards, JobsRunTlsWorldsToo) {
  RunSpec spec = spec_of("ssl-adversary");
  ExploreResult single = explore_exhaustive(spec);
  ExploreResult parallel = explore_parallel(spec, {}, 2);
  expect_same_tree(single, parallel);
  EXPECT_FALSE(parallel.counterexample);
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
