// The CLI's subcommands. Each returns the process exit code: 0 success (clean, reproduced,
// every bug found), 1 a finding or a mismatch, 2 bad input (unknown scenario, malformed file),
// 3 incomplete (a budget or a bound ran out before a certificate: schedules, time, steps).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace loopcheck::cli {

constexpr int kIncomplete = 3;

struct ExploreOptions {
  std::string scenario;
  std::vector<std::string> bugs;
  std::vector<std::string> params;           // name=value
  std::vector<std::string> disabled_oracles; // O1..O10
  std::int64_t max_depth = 0;                // max steps per run; 0 = scenario default
  std::int64_t max_preemptions = -1;
  std::int64_t max_faults = -1;
  std::int64_t max_app_actions = -1;
  std::uint64_t max_schedules = 500000;
  std::string save;                          // reproducer path; empty = a fresh name in save_dir
  std::string save_dir = ".";                // where a default-named reproducer goes
  std::string engine = "exhaustive";         // exhaustive | random | pct
  std::uint64_t seed = 1;
  double max_seconds = 30;                   // sampling engines only
  bool reduce = false;                       // state-fingerprint reduction (exhaustive)
  bool por = false;                          // sleep-set partial-order reduction (exhaustive)
  bool first = false;                        // skip the shortest-counterexample search
  bool chart = false;
};

// One schedule, traced: the default choices, or the given ones ("1,0,2").
struct RunOptions {
  ExploreOptions run;
  std::string choices;
};

struct ReplayOptions {
  std::string file;
  bool quiet = false;
  bool chart = false;
};

int run_list(bool json);
int run_explore(const ExploreOptions& options);
int run_replay(const ReplayOptions& options);
int run_one(const RunOptions& options);
int run_hunt(bool json, bool added_only);
int run_bench(bool json, bool added_only);

}  // namespace loopcheck::cli
