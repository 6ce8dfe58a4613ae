#include "model/engines/shards.h"

#include <algorithm>
#include <charconv>
#include <utility>

namespace loopcheck {

std::optional<std::string> parse_shard(const std::string& text, std::uint32_t& shard, std::uint32_t& shards) {
  std::size_t slash = text.find('/');
  auto whole = [](std::string_view s, std::uint32_t& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && !s.empty();
  };
  std::string_view all(text);
  if (slash == std::string::npos || !whole(all.substr(0, slash), shard) || !whole(all.substr(slash + 1), shards)) {
    return "--shard is I/N (this run's share and how many there are), got '" + text + "'";
  }
  if (shards < 1 || shards > kMaxShards) return "--shard: N is 1.." + std::to_string(kMaxShards) + ", got " + text;
  if (shard >= shards) return "--shard: I is 0..N-1, got " + text;
  return std::nullopt;
}

ExploreResult merge_shards(std::vector<ExploreResult> parts) {
  ExploreResult total;
  total.stats.complete = !parts.empty();
  std::size_t deferring = 0;  // shares that explored the tree with the environment deferred
  for (ExploreResult& part : parts) {
    const ExploreStats& s = part.stats;
    deferring += s.deferred ? 1 : 0;
    total.stats.restarted = total.stats.restarted || s.restarted;
    if (!total.stats.deferral_conflict) total.stats.deferral_conflict = s.deferral_conflict;
    total.stats.schedules += s.schedules;
    total.stats.cut_off += s.cut_off;
    total.stats.steps += s.steps;
    total.stats.pruned += s.pruned;
    total.stats.states += s.states;
    total.stats.max_depth = std::max(total.stats.max_depth, s.max_depth);
    total.stats.seconds = std::max(total.stats.seconds, s.seconds);
    total.stats.complete = total.stats.complete && s.complete;
    total.stats.preemptions_counted = total.stats.preemptions_counted || s.preemptions_counted;
    total.stats.preemption_pass_given_up += s.preemption_pass_given_up;
    if (part.counterexample) keep_earliest(total.counterexample, *part.counterexample);
    if (part.first_cut_off) keep_earliest(total.first_cut_off, *part.first_cut_off);
  }
  // Deferring the environment changes the tree (deferral.h): shares that met a conflict and
  // went on without it explored other subtrees than the rest, and together they are not a whole.
  total.stats.deferred = deferring == parts.size() && !parts.empty();
  if (deferring != 0 && deferring != parts.size()) {
    total.stats.complete = false;
    total.stats.deferral_conflict =
        std::to_string(parts.size() - deferring) + " of " + std::to_string(parts.size()) +
        " shares met a deferral conflict and went on without deferring, the others deferred, so together they "
        "do not cover one tree: run every share again with --no-defer (" +
        total.stats.deferral_conflict.value_or("") + ")";
  }
  return total;
}

}  // namespace loopcheck
