// explore --jobs: threads that hand each other work, and with --reduce share one state cache.
//
// A thread with nothing to do gets work from one that has: the shallowest choice of that
// thread's current path with values left, given away with those values (Work; what the threads
// share besides the state cache is in work_pool.h). So every share of the work is a contiguous
// range of the DFS, a subtree's, and no thread waits while another has work to give. (--jobs
// used to split the tree's top as --shard does, shards.h: a probe run on every subtree another
// thread took, a thread idle once no subtree was left while another still ran a large one, and
// with --reduce every thread meeting most states again in a cache of its own, the top never
// pruned.)
//
// Without --reduce the result is the single DFS's: the same schedules, steps and cut-off runs
// when clean, and the same first counterexample and first cut-off run (the earliest in DFS
// order; a violation stops only the work that lies after it). With --reduce the threads share
// the state cache (SharedStates), each pruned state explored by whoever met it first, as in one
// DFS, and SharedStates keeps zero-time cycles found; the passes (explore_in_passes: a pass one
// thread gives up is given up by all, and all start the next) and every bound are one run's.
// What varies from run to run there: which thread meets a state first, so the counts of
// schedules and states, and which counterexample comes first when there are several.
#pragma once

#include <cstdint>

#include "model/engines/exhaustive.h"

namespace loopcheck {

// `progress`, if given, is called now and then with the pass's counts so far (schedules, steps,
// depth, seconds), from one thread at a time, as explore_exhaustive's is.
ExploreResult explore_parallel(const RunSpec& spec, const ExploreLimits& limits, std::uint32_t jobs,
                               const ProgressFn& progress = {});

}  // namespace loopcheck
