#include "model/engines/shards.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <thread>
#include <utility>

#include "model/engines/stealing.h"

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
    if (part.counterexample &&
        (!total.counterexample || part.counterexample_subtree < total.counterexample_subtree)) {
      total.counterexample = std::move(part.counterexample);
      total.counterexample_subtree = part.counterexample_subtree;
    }
    if (part.first_cut_off &&
        (!total.first_cut_off || part.first_cut_off_subtree < total.first_cut_off_subtree)) {
      total.first_cut_off = std::move(part.first_cut_off);
      total.first_cut_off_subtree = part.first_cut_off_subtree;
    }
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

// The threads walk the same subtrees in the same order; the first to reach one takes it (a
// subtree is reached only after every earlier one was taken, so `next` is the one to take).
// Which thread explores what varies from run to run; what is explored does not, so the sums
// are the single run's. A violation stops every thread at the subtrees after it; those before
// it are finished, so the earliest violation is the single run's first. A thread that must give
// up deferring the environment stops them all, and they start again without (its tree differs).
ExploreResult explore_parallel(const RunSpec& spec, const ExploreLimits& limits, std::uint32_t jobs) {
  if (jobs <= 1) return explore_exhaustive(spec, limits);
  if (limits.reduce) return explore_stealing(spec, limits, jobs);
  ExploreLimits shared = with_deadline(limits);  // one deadline for every thread and round
  shared.shards = 1;
  ExploreStats spent;  // a round given up for a deferral conflict
  std::optional<std::string> conflict;
  std::atomic<std::uint64_t> left{limits.max_schedules};  // for all threads and rounds
  shared.take_schedule = [&left, in_time = shared.take_schedule] {
    if (in_time && !in_time()) return false;
    std::uint64_t now = left.load();
    while (now > 0 && !left.compare_exchange_weak(now, now - 1)) {
    }
    return now > 0;
  };
  for (;;) {
    std::atomic<std::uint64_t> next{0};
    std::atomic<std::uint64_t> stop_after{~std::uint64_t{0}};
    std::atomic<bool> undeferring{false};
    shared.claim = [&](std::uint64_t subtree) {
      if (subtree > stop_after.load() || undeferring.load()) return ExploreLimits::Claim::stop;
      std::uint64_t expected = subtree;
      return next.compare_exchange_strong(expected, subtree + 1) ? ExploreLimits::Claim::take
                                                                  : ExploreLimits::Claim::skip;
    };
    shared.found = [&](std::uint64_t subtree) {
      std::uint64_t seen = stop_after.load();
      while (subtree < seen && !stop_after.compare_exchange_weak(seen, subtree)) {
      }
    };
    std::vector<ExploreResult> parts(jobs);
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (std::uint32_t i = 0; i < jobs; ++i) {
      threads.emplace_back([&, i] {
        parts[i] = explore_exhaustive(spec, shared);
        if (parts[i].stats.deferred && parts[i].stats.deferral_conflict) undeferring = true;
      });
    }
    for (std::thread& t : threads) t.join();
    if (undeferring) {
      for (const ExploreResult& part : parts) {
        if (part.stats.deferred && part.stats.deferral_conflict && !conflict) conflict = part.stats.deferral_conflict;
        spent.schedules += part.stats.schedules;
        spent.steps += part.stats.steps;
        spent.seconds = std::max(spent.seconds, part.stats.seconds);
      }
      shared.defer_environment = false;
      continue;
    }
    ExploreResult total = merge_shards(std::move(parts));
    total.stats.schedules += spent.schedules;
    total.stats.steps += spent.steps;
    total.stats.seconds += spent.seconds;
    if (conflict) total.stats.deferral_conflict = conflict;
    return total;
  }
}

}  // namespace loopcheck
