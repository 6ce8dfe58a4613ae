// Branching from saved worlds changes how fast a DFS goes, never what it finds: the same runs,
// states, counts and counterexamples as replaying every prefix from a fresh world, on every
// scenario whose world can be saved, with and without each reduction, and with every catalog
// switch on.
#include "model/engines/checkpoints.h"

#include <gtest/gtest.h>

#include "model/engines/exhaustive.h"
#include "model/engines/hunt.h"
#include "model/engines/test_specs.h"
#include "model/engines/visited_states.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

std::string describe(const ExploreResult& r) {
  const ExploreStats& s = r.stats;
  std::string out = std::to_string(s.schedules) + " schedules, " + std::to_string(s.steps) + " steps, " +
                    std::to_string(s.states) + " states, " + std::to_string(s.pruned) + " pruned, " +
                    std::to_string(s.cut_off) + " cut off, depth " + std::to_string(s.max_depth) +
                    (s.complete ? ", complete" : "") + (s.restarted ? ", restarted" : "");
  if (r.counterexample) {
    out += ", counterexample of " + std::to_string(r.counterexample->choices.size()) + " choices: " +
           r.counterexample->violation->message;
    for (const ChoiceRecord& c : r.counterexample->choices) out += " " + std::to_string(c.value);
  }
  return out;
}

// The whole exploration both ways: equal in every count and in the counterexample's choices.
void expect_same_exploration(const RunSpec& spec, ExploreLimits limits, const std::string& what) {
  limits.checkpoints = false;
  ExploreResult replayed = explore_exhaustive(spec, limits);
  limits.checkpoints = true;
  ExploreResult resumed = explore_exhaustive(spec, limits);
  EXPECT_EQ(describe(resumed), describe(replayed)) << what;
}

bool restorable(const RunSpec& spec) { return execute(spec, {}, false).restorable; }

TEST(Checkpoints, EveryRestorableScenarioExploresAlikeWithEachReduction) {
  int compared = 0;
  for (const Scenario* scenario : all_scenarios()) {
    RunSpec spec = RunSpec::defaults(*scenario);
    if (!restorable(spec)) continue;
    for (int mode = 0; mode < 4; ++mode) {
      ExploreLimits limits;
      limits.max_schedules = 3000;  // whole trees for most, the same 3,000 runs for the rest
      limits.stop_at_first = false;
      limits.reduce = mode & 1;
      limits.por = mode & 2;
      expect_same_exploration(spec, limits, std::string(scenario->name()) + " mode " + std::to_string(mode));
    }
    ++compared;
  }
  EXPECT_GE(compared, 15);  // the selector and proactor families, adversaries included
}

TEST(Checkpoints, TlsWorldsAreNotSaved) {
  EXPECT_FALSE(restorable(spec_of("tls-pause")));
  EXPECT_FALSE(restorable(spec_of("start-tls-adversary")));
  EXPECT_FALSE(restorable(spec_of("reactor-adversary")));
  EXPECT_TRUE(restorable(spec_of("proactor-pause")));
}

// Each switch's first counterexample, and with a reduction its first too, the same both ways.
TEST(Checkpoints, EverySwitchIsFoundTheSameWay) {
  int compared = 0;
  for (const CatalogEntry& entry : catalog()) {
    RunSpec spec = spec_of(std::string(entry.scenario).c_str(), std::string(entry.id).c_str());
    if (!restorable(spec)) continue;
    ExploreLimits limits;
    limits.max_schedules = 200000;
    limits.reduce = spec.scenario->explore_with_reduction();
    expect_same_exploration(spec, limits, std::string(entry.id));
    ++compared;
  }
  EXPECT_GE(compared, 9);
}

// A step bound that cuts runs short, and the pass that starts again pruning by depth.
TEST(Checkpoints, ACutOffPassAndItsRestartExploreAlike) {
  RunSpec spec = spec_of("proactor-pause");
  spec.bounds.max_steps = 30;
  ExploreLimits limits;
  limits.reduce = true;
  limits.max_schedules = 1000000;
  expect_same_exploration(spec, limits, "proactor-pause, 30 steps");
}

// Not only in DFS order: any prefix after any other gives execute()'s result, field for field.
TEST(Checkpoints, AnyPrefixAfterAnyOtherRunsAsFromAFreshWorld) {
  RunSpec spec = spec_of("stream-two-clients");
  std::vector<std::vector<ChoiceRecord>> prefixes;
  // The runs of a small DFS, then visited backwards, then every other one.
  for (std::vector<ChoiceRecord> prefix;;) {
    RunResult run = execute(spec, prefix, false);
    prefixes.push_back(run.choices);
    std::size_t i = run.choices.size();
    while (i > 0 && run.choices[i - 1].value + 1 >= run.choices[i - 1].range) --i;
    if (i == 0 || prefixes.size() == 40) break;
    prefix.assign(run.choices.begin(), run.choices.begin() + static_cast<long>(i));
    prefix.back().value++;
  }
  std::vector<std::vector<ChoiceRecord>> order(prefixes.rbegin(), prefixes.rend());
  for (std::size_t i = 0; i < prefixes.size(); i += 2) order.push_back(prefixes[i]);
  ASSERT_GT(order.size(), 20u);
  // With room for every saved world, for a few, and for none (every run from a fresh world);
  // saving every boundary of a path, or only some, so that runs go back further and run again.
  for (std::size_t budget : {CheckpointedRuns::kDefaultBudget, std::size_t{64} << 10, std::size_t{0}}) {
    for (std::size_t save_every : {1, 2, 3, 7}) {
      std::string what = "budget " + std::to_string(budget) + ", saving every " + std::to_string(save_every);
      CheckpointedRuns runs(spec, false, nullptr, budget, save_every);
      std::vector<ChoiceRecord> last;
      for (const auto& prefix : order) {
        RunResult fresh = execute(spec, prefix, false);
        // What the caller knows: how far the prefix is the last run's choices.
        std::size_t known = 0;
        while (known < prefix.size() && known < last.size() && prefix[known].value == last[known].value &&
               prefix[known].range == last[known].range && prefix[known].kind == last[known].kind &&
               prefix[known].skip == last[known].skip) {
          ++known;
        }
        RunResult resumed = runs.run(prefix, nullptr, known);
        last = resumed.choices;
        EXPECT_EQ(resumed.verdict, fresh.verdict) << what;
        EXPECT_EQ(resumed.steps, fresh.steps) << what;
        ASSERT_EQ(resumed.choices.size(), fresh.choices.size()) << what;
        for (std::size_t c = 0; c < fresh.choices.size(); ++c) EXPECT_EQ(resumed.choices[c].value, fresh.choices[c].value);
        EXPECT_EQ(resumed.violation.has_value(), fresh.violation.has_value()) << what;
      }
    }
  }
}

// A reduction's visitor sees the same states whichever boundaries were saved: a run that goes
// back to an earlier one runs prefix steps again, unvisited and unhashed (StepVisitor).
TEST(Checkpoints, SavingFewerBoundariesVisitsTheSameStates) {
  for (const char* name : {"proactor-pause", "stream-two-clients", "selector-dgram-adversary"}) {
    RunSpec spec = spec_of(name);
    std::vector<std::uint64_t> seen[2];
    for (int fewer = 0; fewer < 2; ++fewer) {
      const Storing every = Storing::every_step;
      CheckpointedRuns runs(spec, false, &every, CheckpointedRuns::kDefaultBudget, fewer ? 4 : 1);
      StepVisitor visitor = [&](SimWorld& world, const PrefixChoiceSource& source) {
        if (!source.replaying()) seen[fewer].push_back(state_of(world, source));
        return true;
      };
      std::vector<ChoiceRecord> prefix;
      for (int n = 0; n < 300; ++n) {
        RunResult run = runs.run(prefix, &visitor, prefix.empty() ? 0 : prefix.size() - 1);
        auto next = next_prefix(run.choices, spec.bounds);
        if (!next) break;
        prefix = std::move(*next);
      }
    }
    EXPECT_GT(seen[0].size(), 300u) << name;
    EXPECT_EQ(seen[1], seen[0]) << name;
  }
}

// A scenario of a user's that counts in memory its world does not own: a restore cannot take
// the count back, so saved worlds would explore another tree. hunt says so instead of
// certifying either tree; the same scenario without the outside count is certified clean.
int g_meddled = 0;

class Meddler final : public EventSource {
 public:
  void collect(Nanos now, std::vector<PendingEvent>& out) override {
    if (g_meddled < 2) out.push_back(PendingEvent{this, 0, now, now});
  }
  void fire(const PendingEvent&) override { ++g_meddled; }
  std::string describe(const PendingEvent&) const override { return "meddle"; }
  void fingerprint(StateHasher& h) const override { h.value(g_meddled); }
};

class Wrapped final : public Scenario {
 public:
  Wrapped(const Scenario& inner, bool meddle) : inner_(inner), meddle_(meddle) {}
  std::string_view name() const override { return meddle_ ? "meddled" : "wrapped"; }
  std::string_view summary() const override { return inner_.summary(); }
  std::string_view family() const override { return inner_.family(); }
  Params default_params() const override { return inner_.default_params(); }
  Bounds default_bounds() const override { return inner_.default_bounds(); }
  KernelConfig kernel_config(const Params& p) const override { return inner_.kernel_config(p); }
  void setup(SimWorld& world, const Params& params) const override {
    inner_.setup(world, params);
    if (!meddle_) return;
    g_meddled = 0;
    world.add_source(world.own(std::make_unique<Meddler>()));
  }

 private:
  const Scenario& inner_;
  bool meddle_;
};

TEST(Checkpoints, HuntRefusesAScenarioThatKeepsStateOutsideItsWorld) {
  Wrapped meddled(*find_scenario("dgram-echo"), true), wrapped(*find_scenario("dgram-echo"), false);
  std::optional<std::string> differs = state_outside_the_world(meddled);
  ASSERT_TRUE(differs);
  EXPECT_NE(differs->find("kept outside the world"), std::string::npos) << *differs;
  ScenarioHunt refused = certify_scenario(meddled);
  EXPECT_FALSE(refused.clean);
  EXPECT_EQ(refused.verdict, "state outside the world");
  EXPECT_FALSE(state_outside_the_world(wrapped));
  EXPECT_TRUE(certify_scenario(wrapped).clean);
}

}  // namespace
}  // namespace loopcheck
