// The state cache prunes a state it has seen before, reached having spent no fewer deviations,
// and never looks at that state's own futures: sound only if the fingerprint, with the
// deviations spent, decides every verdict the bounds leave reachable. This checks it by brute
// force on whole trees. Every run of a plain DFS is taken, a fingerprint before each of its
// steps; each point of the tree (the choices made so far and the step) collects the verdicts
// of the runs through it. Wherever two points share a fingerprint and the first spent no more
// of each deviation than the second, the first must reach every verdict the second reaches.
// A field some verdict reads that the fingerprint leaves out shows up here as two such points
// that differ, but only where some switch makes their verdicts differ: the two holes found by
// reading the oracles (OracleFixture.TheErrorsCounted..., KernelFixture.AResetAfterClose...)
// did not show up here, since none does.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/engines/exhaustive.h"
#include "model/engines/run.h"
#include "model/engines/test_specs.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"
#include "model/world/pending_event.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

// A run's verdict as one bit: pass, cut off, or a violation of one oracle.
std::uint32_t verdict_bit(const RunResult& run) {
  if (run.verdict == Verdict::violation) return 4u << static_cast<std::size_t>(run.violation->oracle);
  return run.verdict == Verdict::pass ? 1u : 2u;
}

std::string verdicts(std::uint32_t bits) {
  std::string out;
  auto add = [&out](const std::string& name) { out += (out.empty() ? "" : ", ") + name; };
  if (bits & 1u) add("pass");
  if (bits & 2u) add("cut off");
  for (std::size_t o = 0; o < kOracleCount; ++o) {
    if (bits & (4u << o)) add("O" + std::to_string(o + 1));
  }
  return "{" + out + "}";
}

bool covers(const DeviationCount& a, const DeviationCount& b) {
  return a.preemptions <= b.preemptions && a.faults <= b.faults && a.app_actions <= b.app_actions;
}

// The points of one fingerprint that spent the same deviations: what all of them reach, and
// what any of them reaches (equal, when the fingerprint decides the future).
struct Reach {
  DeviationCount used;
  std::uint32_t every = ~0u;
  std::uint32_t some = 0;
};

struct TreeCheck {
  std::size_t runs = 0;
  std::size_t points = 0;
  std::size_t merged = 0;  // points that share their fingerprint with another point
  bool done = false;       // the whole tree within bounds was run
  bool cut_off = false;
  std::vector<std::string> failures;
};

TreeCheck check_tree(const RunSpec& spec, std::size_t max_runs) {
  struct Point {
    std::uint64_t fingerprint;
    DeviationCount used;
    std::uint32_t verdicts = 0;
  };
  std::unordered_map<std::uint64_t, Point> points;  // by place in the tree
  std::vector<std::uint64_t> path;                  // the places the current run passed
  TreeCheck check;
  StepVisitor visitor = [&](SimWorld& world, const PrefixChoiceSource& source) {
    std::uint64_t place = 0x9e3779b97f4a7c15ull * (world.steps() + 1);
    for (const ChoiceRecord& c : source.made()) {
      place = (place ^ (std::uint64_t{c.value} << 32 | c.range)) * 0xff51afd7ed558ccdull;
      place ^= place >> 29;
    }
    std::uint64_t fingerprint = world.fingerprint();
    auto [it, fresh] = points.try_emplace(place, Point{fingerprint, source.used()});
    if (!fresh && it->second.fingerprint != fingerprint) check.failures.push_back("a replay hashed differently");
    path.push_back(place);
    return true;
  };
  std::vector<ChoiceRecord> prefix;
  while (check.runs < max_runs) {
    path.clear();
    RunResult run = execute(spec, prefix, false, false, &visitor);
    ++check.runs;
    check.cut_off |= run.verdict == Verdict::cut_off;
    for (std::uint64_t place : path) points[place].verdicts |= verdict_bit(run);
    auto next = next_prefix(run.choices, spec.bounds);
    if (!next) {
      check.done = true;
      break;
    }
    prefix = std::move(*next);
  }
  // Cut short, the last run's points have runs still to come; every other point's runs were
  // all taken (a DFS takes a point's runs one after another).
  if (!check.done) {
    for (std::uint64_t place : path) points.erase(place);
  }
  check.points = points.size();

  std::unordered_map<std::uint64_t, std::vector<Reach>> by_fingerprint;
  for (const auto& entry : points) {
    const auto& point = entry.second;  // a plain name: clang 14 lets no lambda capture a binding
    std::vector<Reach>& reach = by_fingerprint[point.fingerprint];
    auto same = std::find_if(reach.begin(), reach.end(), [&](const Reach& r) {
      return covers(r.used, point.used) && covers(point.used, r.used);
    });
    if (same == reach.end()) same = reach.insert(reach.end(), Reach{point.used});
    same->every &= point.verdicts;
    same->some |= point.verdicts;
  }
  for (const auto& [fingerprint, reach] : by_fingerprint) {
    for (const Reach& a : reach) {
      for (const Reach& b : reach) {
        if (!covers(a.used, b.used) || (b.some & ~a.every) == 0) continue;
        std::ostringstream text;
        text << "fingerprint " << std::hex << fingerprint << std::dec << ": reached with (preemptions "
             << a.used.preemptions << ", faults " << a.used.faults << ", app actions " << a.used.app_actions
             << ") it leads to " << verdicts(a.every) << " on every path, but with (" << b.used.preemptions << ", "
             << b.used.faults << ", " << b.used.app_actions << ") also to " << verdicts(b.some & ~a.every);
        check.failures.push_back(text.str());
      }
    }
  }
  std::unordered_map<std::uint64_t, std::size_t> sharing;
  for (const auto& [place, point] : points) ++sharing[point.fingerprint];
  for (const auto& [fingerprint, n] : sharing) check.merged += n > 1 ? n : 0;
  return check;
}

// Trees of up to this many runs are checked whole; of a larger one, the points whose runs were
// all taken within them (every point off the last run's path).
constexpr std::size_t kMaxRuns = 20000;

constexpr std::size_t kMaxRunsElsewhere = 3000;

void expect_fingerprints_decide_the_future(const RunSpec& spec, const std::string& what,
                                           std::size_t max_runs = kMaxRuns) {
  TreeCheck check = check_tree(spec, max_runs);
  ASSERT_FALSE(check.cut_off) << what << ": a run met the step bound, where the steps left decide too";
  for (const std::string& failure : check.failures) ADD_FAILURE() << what << ": " << failure;
  std::cout << "[ " << what << ": " << check.runs << " runs" << (check.done ? " (the whole tree)" : "") << ", "
            << check.points << " points, " << check.merged << " of them sharing a fingerprint ]\n";
}

// The check itself must catch a fingerprint that leaves out what a verdict reads. A world with
// one event source that acts twice, each time either marking itself or not; the app's
// obligation is kept only if nothing marked. The source hashes how often it acted but, with
// `forget`, not whether it marked: after one action, "marked" and "not marked" are then one
// state with different futures.
class TwoMarks final : public EventSource {
 public:
  TwoMarks(Monitor& monitor, bool forget)
      : monitor_(monitor), forget_(forget), obligation_(monitor.open_obligation("nothing marks")) {}
  void collect(Nanos now, std::vector<PendingEvent>& out) override {
    if (acted_ == 2) return;
    out.push_back(PendingEvent{this, 0, now});  // leave it
    out.push_back(PendingEvent{this, 1, now});  // mark
  }
  void fire(const PendingEvent& event) override {
    marked_ |= event.index == 1;
    if (++acted_ == 2 && !marked_) monitor_.discharge(obligation_);
  }
  std::string describe(const PendingEvent& event) const override { return event.index ? "mark" : "leave"; }
  Component component() const override { return Component::protocol; }
  void fingerprint(StateHasher& h) const override {
    h.value(acted_);
    if (!forget_) h.value(marked_);
  }

 private:
  Monitor& monitor_;
  bool forget_;
  int obligation_;
  int acted_ = 0;
  bool marked_ = false;
};

class TwoMarksScenario final : public Scenario {
 public:
  explicit TwoMarksScenario(bool forget) : forget_(forget) {}
  std::string_view name() const override { return "two-marks"; }
  std::string_view summary() const override { return "a source that acts twice (the check's own test)"; }
  std::string_view family() const override { return "test"; }
  Bounds default_bounds() const override { return {50, 2, 0}; }
  void setup(SimWorld& world, const Params&) const override {
    world.add_source(world.own(std::make_unique<TwoMarks>(world.monitor(), forget_)));
  }

 private:
  bool forget_;
};

TEST(FingerprintFutures, TheCheckCatchesAFingerprintThatLeavesOutWhatAVerdictReads) {
  for (bool forget : {false, true}) {
    TwoMarksScenario scenario(forget);
    RunSpec spec = RunSpec::defaults(scenario);
    TreeCheck check = check_tree(spec, kMaxRuns);
    EXPECT_TRUE(check.done);
    EXPECT_FALSE(check.cut_off);
    EXPECT_EQ(check.failures.empty(), !forget) << (check.failures.empty() ? "" : check.failures.front());
  }
}

class EveryCatalogSwitch : public ::testing::TestWithParam<CatalogEntry> {};

TEST_P(EveryCatalogSwitch, FingerprintsDecideTheFuture) {
  const CatalogEntry& entry = GetParam();
  RunSpec spec = RunSpec::defaults(*find_scenario(entry.scenario));
  set_switch(spec.bugs, entry, true);
  expect_fingerprints_decide_the_future(spec, std::string(entry.id) + " on " + std::string(entry.scenario));
}

// The same for each switch on every other scenario it reaches (its family's, and the TLS
// scenarios over it): the adversary apps reach states no scripted app does (an abort() after a
// socket error, say), over a share of each tree.
TEST_P(EveryCatalogSwitch, FingerprintsDecideTheFutureOnEveryScenarioItReaches) {
  const CatalogEntry& entry = GetParam();
  for (const Scenario* scenario : all_scenarios()) {
    if (scenario->name() == entry.scenario || unreachable_switch(entry, *scenario)) continue;
    RunSpec spec = RunSpec::defaults(*scenario);
    set_switch(spec.bugs, entry, true);
    expect_fingerprints_decide_the_future(spec, std::string(entry.id) + " on " + std::string(scenario->name()),
                                          kMaxRunsElsewhere);
  }
}

INSTANTIATE_TEST_SUITE_P(Catalog, EveryCatalogSwitch, ::testing::ValuesIn(catalog()),
                         [](const auto& info) { return gtest_name(info.param.id); });

}  // namespace
}  // namespace loopcheck
