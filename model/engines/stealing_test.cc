// explore --jobs: threads that hand each other work split the tree without losing or repeating
// a run. With no state pruned they give the single DFS's result, whatever was handed over when:
// its schedules, steps and cut-off runs, and its first counterexample and first cut-off run.
#include "model/engines/stealing.h"

#include <atomic>
#include <vector>

#include <gtest/gtest.h>

#include "model/engines/test_specs.h"

namespace loopcheck {
namespace {

void expect_same_tree(const ExploreResult& single, const ExploreResult& parallel, const std::string& what) {
  EXPECT_EQ(parallel.stats.schedules, single.stats.schedules) << what;
  EXPECT_EQ(parallel.stats.cut_off, single.stats.cut_off) << what;
  EXPECT_EQ(parallel.stats.steps, single.stats.steps) << what;
  EXPECT_EQ(parallel.stats.max_depth, single.stats.max_depth) << what;
  EXPECT_EQ(parallel.stats.complete, single.stats.complete) << what;
}

void expect_same_choices(const std::optional<RunResult>& single, const std::optional<RunResult>& parallel,
                         const std::string& what) {
  ASSERT_EQ(parallel.has_value(), single.has_value()) << what;
  if (!single) return;
  ASSERT_EQ(parallel->choices.size(), single->choices.size()) << what;
  for (std::size_t i = 0; i < single->choices.size(); ++i) {
    EXPECT_EQ(parallel->choices[i].value, single->choices[i].value) << what << ", choice " << i;
  }
}

TEST(Stealing, WithNothingPrunedTheThreadsRunTheTreeOnce) {
  for (const char* name : {"stream-echo", "dgram-echo", "proactor-pause", "stream-two-clients"}) {
    RunSpec spec = spec_of(name);
    ExploreLimits limits;
    limits.max_schedules = 10000000;
    ExploreResult one = explore_exhaustive(spec, limits);
    ASSERT_TRUE(one.stats.complete) << name;
    for (std::uint32_t jobs : {2u, 3u, 4u}) {
      ExploreResult many = explore_parallel(spec, limits, jobs);
      expect_same_tree(one, many, std::string(name) + " on " + std::to_string(jobs));
      EXPECT_FALSE(many.counterexample) << name;
      EXPECT_EQ(certificate(spec, many.stats, false), certificate(spec, one.stats, false));
    }
  }
}

// Sleep sets are a function of the path, so the threads prune what one DFS prunes.
TEST(Stealing, SleepSetsPruneWhatOneRunPrunes) {
  RunSpec spec = spec_of("stream-echo");
  ExploreLimits limits;
  limits.por = true;
  ExploreResult one = explore_exhaustive(spec, limits);
  ASSERT_TRUE(one.stats.complete);
  expect_same_tree(one, explore_parallel(spec, limits, 3), "stream-echo --por on 3");
}

// A violation stops only the work after it in DFS order, so the threads report the violation
// the single DFS meets first, every time; searching on (no stop at the first), the whole tree
// too. Several runs each: which thread meets which violation first varies.
TEST(Stealing, TheCounterexampleIsTheSingleRunsFirst) {
  struct Case {
    const char* scenario;
    const char* bug;
  };
  for (Case c : {Case{"proactor-pause", "bpo-33694"}, Case{"stream-sendfile-abort", "sendfile-close-hang"},
                 Case{"dgram-drain", "dgram-drain"}}) {
    RunSpec spec = spec_of(c.scenario, c.bug);
    for (bool stop_at_first : {true, false}) {
      ExploreLimits limits;
      limits.stop_at_first = stop_at_first;
      ExploreResult one = explore_exhaustive(spec, limits);
      ASSERT_TRUE(one.counterexample) << c.bug;
      ASSERT_GT(one.stats.schedules, 1u) << c.bug << ": its first run violates, which tests no order";
      for (int repeat = 0; repeat < 5; ++repeat) {
        for (std::uint32_t jobs : {2u, 3u}) {
          std::string what = std::string(c.bug) + " on " + std::to_string(jobs) + (stop_at_first ? "" : ", all");
          ExploreResult many = explore_parallel(spec, limits, jobs);
          expect_same_choices(one.counterexample, many.counterexample, what);
          EXPECT_EQ(many.stats.complete, one.stats.complete) << what;
          if (stop_at_first) {
            // Every run before the violation was run, as in the single DFS, and perhaps some after.
            EXPECT_GE(many.stats.schedules, one.stats.schedules) << what;
          } else {
            expect_same_tree(one, many, what);
          }
        }
      }
    }
  }
}

// Cut-off runs (the step bound) are counted alike, and the first one reported, a livelock's
// candidate, is the single run's first.
TEST(Stealing, TheFirstCutOffRunIsTheSingleRunsFirst) {
  RunSpec spec = spec_of("proactor-pause");
  spec.bounds.max_steps = 30;
  ExploreLimits limits;
  limits.max_schedules = 10000000;
  ExploreResult one = explore_exhaustive(spec, limits);
  ASSERT_GT(one.stats.cut_off, 1u);
  ASSERT_TRUE(one.first_cut_off);
  for (int repeat = 0; repeat < 5; ++repeat) {
    for (std::uint32_t jobs : {2u, 3u}) {
      ExploreResult many = explore_parallel(spec, limits, jobs);
      expect_same_tree(one, many, "on " + std::to_string(jobs));
      expect_same_choices(one.first_cut_off, many.first_cut_off, "on " + std::to_string(jobs));
    }
  }
}

// The threads report their progress as one run does: from one thread at a time, the counts
// never going back, never past the whole.
TEST(Stealing, ProgressIsReportedFromOneThreadAtATime) {
  RunSpec spec = spec_of("stream-echo");  // 61,666 schedules
  std::vector<ExploreStats> reports;
  std::atomic<int> inside{0};
  bool overlapped = false;
  ProgressFn progress = [&](const ExploreStats& s) {
    if (inside.fetch_add(1) != 0) overlapped = true;
    reports.push_back(s);
    inside.fetch_sub(1);
  };
  ExploreResult result = explore_parallel(spec, {}, 3, progress);
  ASSERT_TRUE(result.stats.complete);
  EXPECT_FALSE(overlapped);
  ASSERT_GE(reports.size(), 10u);
  for (std::size_t i = 0; i < reports.size(); ++i) {
    EXPECT_LE(reports[i].schedules, result.stats.schedules);
    EXPECT_LE(reports[i].max_depth, result.stats.max_depth);
    if (i > 0) {
      EXPECT_GT(reports[i].schedules, reports[i - 1].schedules);
    }
  }
}

// With --reduce a violation stops every thread, and what was found replays to it.
TEST(Stealing, AViolationStopsTheReducedThreadsAndReplays) {
  RunSpec spec = spec_of("proactor-pause", "bpo-33694");
  ExploreLimits limits;
  limits.reduce = true;
  ExploreResult result = explore_parallel(spec, limits, 2);
  ASSERT_TRUE(result.counterexample);
  EXPECT_FALSE(result.stats.complete);
  RunResult again = execute(spec, result.counterexample->choices, false, true);
  EXPECT_TRUE(again.violation);
}

// TLS worlds on two threads: each thread's engines take OpenSSL contexts from a pool of the
// thread's own (one shared pool freed a context twice and crashed `explore ssl-adversary --jobs 2`).
TEST(Stealing, TlsWorldsToo) {
  RunSpec spec = spec_of("ssl-adversary");
  ExploreResult single = explore_exhaustive(spec);
  ExploreResult parallel = explore_parallel(spec, {}, 2);
  expect_same_tree(single, parallel, "ssl-adversary");
  EXPECT_FALSE(parallel.counterexample);
}

// --max-schedules is the whole exploration's budget, not each thread's.
TEST(Stealing, ThreadsShareTheScheduleBudget) {
  ExploreLimits limits;
  limits.max_schedules = 500;
  for (bool reduce : {false, true}) {
    limits.reduce = reduce;
    for (std::uint32_t jobs : {2u, 3u}) {
      ExploreResult parallel = explore_parallel(spec_of("stream-two-clients"), limits, jobs);
      EXPECT_EQ(parallel.stats.schedules, 500u) << "reduce=" << reduce << " jobs=" << jobs;
      EXPECT_FALSE(parallel.stats.complete);
    }
  }
}

}  // namespace
}  // namespace loopcheck
