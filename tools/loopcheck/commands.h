// The CLI's subcommands. Each returns the process exit code: 0 success (clean, reproduced,
// every bug found), 1 a finding or a mismatch, 2 bad input (unknown scenario, malformed file),
// 3 incomplete (a budget or a bound ran out before a certificate: schedules, time, steps).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/engines/exhaustive.h"
#include "model/engines/run.h"
#include "model/engines/shared_states.h"

namespace loopcheck::cli {

constexpr int kIncomplete = 3;

// The ranges of explore's numbers: the CLI checks them as it parses, and build_spec and
// check_limits again for options that come another way (merge reads them from the shares' JSON).
struct Range {
  std::int64_t lo;
  std::int64_t hi;
};
constexpr Range kMaxDepthRange{1, 10000000};
constexpr Range kMaxPreemptionsRange{0, 4000};  // the state cache keeps 12 bits of each count
constexpr Range kMaxFaultsRange{0, 100};
constexpr Range kMaxAppActionsRange{0, 100};
constexpr Range kMaxSchedulesRange{1, 1000000000000LL};
constexpr Range kSplitDepthRange{1, 64};
constexpr Range kJobsRange{1, SharedStates::kMaxThreads};

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
  double max_seconds = 0;                    // 0: not given (sampling then stops at 30 s; exhaustive never)
  bool reduce = false;                       // state-fingerprint reduction (exhaustive)
  bool por = false;                          // sleep-set partial-order reduction (exhaustive)
  bool replay = false;                       // every run from a fresh world (no checkpoints)
  bool no_defer = false;                     // --reduce without deferring the environment
  std::string store_states = "auto";  // --reduce: auto | every-step | between-batches | where-branched (Storing)
  bool first = false;                        // skip the shortest-counterexample search
  bool chart = false;
  // Exhaustive only: a share of the tree ("I/N"), the depth the tree is split at, threads.
  std::string shard;
  std::uint32_t split_depth = 16;
  bool split_depth_given = false;  // --split-depth on the command line (it needs --shard)
  std::uint32_t jobs = 1;
  bool json = false;                         // print the result as JSON (for `merge`)
};

// `merge FILE...`: the shares' JSON (explore --shard I/N --json) joined into one certificate.
struct MergeOptions {
  std::vector<std::string> files;
  bool json = false;
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

// Builds the run from the command line; returns an error message for anything unknown.
std::optional<std::string> build_spec(const ExploreOptions& o, RunSpec& spec);
// --max-schedules and --split-depth within their ranges (the bounds are build_spec's).
std::optional<std::string> check_limits(const ExploreOptions& o);
// explore --json: the exhaustive engine's result (a share of it with --shard) as JSON on stdout;
// the exit code is explore's (0 clean, 1 violation, 3 incomplete).
int print_exploration(const ExploreOptions& o, const RunSpec& spec, const ExploreLimits& limits);

int run_list(bool json);
int run_explore(const ExploreOptions& options);
int run_merge(const MergeOptions& options);
int run_replay(const ReplayOptions& options);
int run_one(const RunOptions& options);
int run_hunt(bool json, bool added_only);
int run_bench(bool json, bool added_only);

}  // namespace loopcheck::cli
