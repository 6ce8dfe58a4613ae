// One exploration split into shares that run apart and join into the one certificate. The
// shares are ExploreLimits::shard of shards: the same subtrees in the same DFS order, dealt
// round robin, so together they explore exactly the tree one run explores (plain DFS, or with
// sleep sets); merged, a clean certificate is the single run's, and a violation is the one the
// single run meets first. With the state cache (--reduce) each share prunes against its own
// states only, with every reduction one run has (explore_exhaustive): the verdict is as sound,
// the counts are larger than one run's, since states reached from several shares' subtrees are
// explored in each.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/engines/exhaustive.h"

namespace loopcheck {

// "I/N" with 0 <= I < N <= kMaxShards; the error names what is wrong.
constexpr std::uint32_t kMaxShards = 100000;
std::optional<std::string> parse_shard(const std::string& text, std::uint32_t& shard, std::uint32_t& shards);

// Joins the shares' results: counts summed, complete only if every share is (and, with the
// environment deferred, only if every share still deferred at its end), the counterexample
// (and first cut-off run) earliest in DFS order. `parts` holds every share once.
ExploreResult merge_shards(std::vector<ExploreResult> parts);

}  // namespace loopcheck
