// explore --jobs with --reduce: threads that share one state cache and hand each other work.
//
// Splitting the tree's top (shards.h) does not suit a reduced search: every share meets most
// states again in a cache of its own, and the top, above the split, is never pruned. Here the
// threads share the cache (SharedStates), and a thread with nothing to do gets work from one
// that has: the shallowest choice of that thread's current path with values left, given away
// with those values (Work). So every share of the work is a subtree's DFS, pruned against every
// state any thread has met.
//
// What is the same as one thread's search: the verdict (each pruned state is explored by
// whoever met it first, as in one DFS, and SharedStates keeps zero-time cycles found), the
// passes (explore_in_passes: a pass that one thread gives up is given up by all, and all start
// the next), and every bound. What is not: which thread meets a state first varies from run to
// run, and so do the counts of schedules and states, and which counterexample comes first when
// there are several.
#pragma once

#include <cstdint>

#include "model/engines/exhaustive.h"

namespace loopcheck {

// Without `reduce` nothing is pruned and every run of the tree is run once: the single run's
// count of schedules exactly (what the tests check the dealing of work by; the CLI's --jobs
// splits a plain DFS instead, shards.h, for its deterministic certificate).
ExploreResult explore_stealing(const RunSpec& spec, const ExploreLimits& limits, std::uint32_t jobs);

}  // namespace loopcheck
