// The exhaustive engine's reductions keep what they promise: pruning at any depth gives way to
// pruning by depth as soon as a run is cut off, and leaving preemptions out of covering to
// counting them as soon as their bound binds; a state met again having spent more deviations
// is covered by the first visit; the breadth-first search finds counterexamples no run within
// the same deviations can beat by a step.
#include "model/engines/exhaustive.h"

#include <string>

#include <gtest/gtest.h>

#include "model/engines/stealing.h"
#include "model/engines/test_specs.h"

namespace loopcheck {
namespace {

// "0 violations" is only of the oracles checked: a certificate with some switched off names them,
// and one with all on says nothing of oracles.
TEST(Exhaustive, ACertificateNamesTheOraclesSwitchedOff) {
  RunSpec spec = spec_of("proactor-pause", "bpo-33694");
  for (Oracle o : {Oracle::O2, Oracle::O4, Oracle::O9}) spec.oracles.set(o, false);
  ExploreResult result = explore_exhaustive(spec);
  ASSERT_FALSE(result.counterexample);  // the switch's oracles are all off
  std::string text = certificate(spec, result.stats, false);
  EXPECT_NE(text.find("oracles off: O2, O4, O9"), std::string::npos) << text;
  EXPECT_EQ(certificate(spec_of("proactor-pause"), result.stats, false).find("oracles"), std::string::npos);
}

// A time limit ends the exploration incomplete, one thread or two, reduced or not; never clean.
// proactor-dgram-echo's plain tree (155,079 schedules) takes seconds, far more than the limit.
TEST(Exhaustive, ATimeLimitEndsTheExplorationIncomplete) {
  const std::uint64_t whole = 155079;
  for (bool reduce : {false, true}) {
    ExploreLimits limits;
    limits.max_schedules = 10 * whole;
    limits.max_seconds = 0.01;
    limits.reduce = reduce;
    RunSpec spec = spec_of("proactor-dgram-echo");
    if (reduce) spec = spin_pause_instance(128);  // about 14 s of work, reduced
    for (std::uint32_t jobs : {1u, 2u}) {
      ExploreResult result = jobs == 1 ? explore_exhaustive(spec, limits) : explore_parallel(spec, limits, jobs);
      EXPECT_FALSE(result.stats.complete) << "reduce " << reduce << ", jobs " << jobs;
      EXPECT_FALSE(result.counterexample);
      if (!reduce) {
        EXPECT_LT(result.stats.schedules, whole) << "jobs " << jobs;
      }
    }
  }
}

TEST(Exhaustive, AnyDepthPruningHoldsWhenNoRunIsCutOff) {
  for (const char* name : {"stream-echo", "dgram-echo", "proactor-pause", "stream-sendfile"}) {
    ExploreResult result = explore_exhaustive(spec_of(name), reduced());
    EXPECT_TRUE(result.stats.complete) << name;
    EXPECT_FALSE(result.stats.restarted) << name;
    EXPECT_EQ(result.stats.cut_off, 0u) << name;
    EXPECT_FALSE(result.counterexample) << name;
  }
}

// A step bound that cuts runs short: the pass that pruned at any depth proves nothing, and the
// result is the depth-pruned one, whose cut-offs are reported (so the verdict is incomplete).
TEST(Exhaustive, ACutOffRunStartsTheSearchAgainPruningByDepth) {
  RunSpec spec = spec_of("proactor-pause");
  spec.bounds.max_steps = 30;
  ExploreResult result = explore_exhaustive(spec, reduced());
  EXPECT_TRUE(result.stats.restarted);
  EXPECT_GT(result.stats.cut_off, 0u);
  ExploreLimits plain;
  plain.max_schedules = 5000000;
  ExploreResult unreduced = explore_exhaustive(spec, plain);
  EXPECT_EQ(result.stats.cut_off > 0, unreduced.stats.cut_off > 0);
}

// Deferring the environment while the loop has work: in proactor-pause no callback touches
// the socket the peer writes, so the whole search defers, and it stays clean and complete with
// fewer states than the search that does not.
TEST(Exhaustive, DeferringTheEnvironmentKeepsTheVerdictWithFewerStates) {
  RunSpec spec = spin_pause_instance(8);
  ExploreResult deferred = explore_exhaustive(spec, reduced());
  ExploreLimits undeferred_limits = reduced();
  undeferred_limits.defer_environment = false;
  ExploreResult undeferred = explore_exhaustive(spec, undeferred_limits);
  EXPECT_TRUE(deferred.stats.deferred);
  EXPECT_FALSE(deferred.stats.deferral_conflict);
  EXPECT_FALSE(undeferred.stats.deferred);
  for (const ExploreResult* r : {&deferred, &undeferred}) {
    EXPECT_TRUE(r->stats.complete);
    EXPECT_FALSE(r->counterexample);
  }
  EXPECT_LT(deferred.stats.states * 2, undeferred.stats.states);
}

// Keeping fewer states (Storing): the same verdicts, the switch still found, fewer states kept
// and no fewer runs, since a state not kept is never pruned. `automatic` here turns
// where_branched at 1,000 states, a small part of this search.
TEST(Exhaustive, KeepingFewerStatesKeepsTheVerdict) {
  RunSpec spec = spin_pause_instance(16);
  ExploreLimits every_step = reduced();
  every_step.storing = Storing::every_step;
  ExploreResult every = explore_exhaustive(spec, every_step);
  ASSERT_TRUE(every.stats.complete);
  ASSERT_GT(every.stats.states, 10000u);
  for (Storing storing : {Storing::between_batches, Storing::where_branched, Storing::automatic}) {
    ExploreLimits fewer_kept = reduced();
    fewer_kept.storing = storing;
    fewer_kept.keep_all_below = 1000;
    ExploreResult fewer = explore_exhaustive(spec, fewer_kept);
    std::string what = "storing " + std::to_string(static_cast<int>(storing));
    EXPECT_TRUE(fewer.stats.complete) << what;
    EXPECT_FALSE(fewer.counterexample) << what;
    EXPECT_LT(fewer.stats.states, every.stats.states) << what;
    EXPECT_GE(fewer.stats.schedules, every.stats.schedules) << what;
    ExploreResult found = explore_exhaustive(spin_pause_instance(4, "bpo-33694"), fewer_kept);
    ASSERT_TRUE(found.counterexample) << what;
    EXPECT_EQ(found.counterexample->violation->oracle, Oracle::O9) << what;
  }
}

// Where preemptions branch inside batches (dgram-drain), keeping the states after a branch in
// the batch prunes as every step's states do, where keeping only those between batches runs
// more: the states where_branched leaves out had one way in.
TEST(Exhaustive, KeepingStatesWhereBatchesBranchPrunesAsEveryStep) {
  RunSpec spec = spec_of("dgram-drain");
  spec.params["count"] = 16;
  spec.bounds = Bounds{100000, 100, 0};
  ExploreResult found[3];
  const Storing ways[3] = {Storing::every_step, Storing::where_branched, Storing::between_batches};
  for (int i = 0; i < 3; ++i) {
    ExploreLimits limits = reduced();
    limits.storing = ways[i];
    found[i] = explore_exhaustive(spec, limits);
    ASSERT_TRUE(found[i].stats.complete);
    EXPECT_FALSE(found[i].counterexample);
  }
  EXPECT_EQ(found[1].stats.schedules, found[0].stats.schedules);
  EXPECT_LT(found[1].stats.schedules, found[2].stats.schedules);
  EXPECT_LT(found[1].stats.states, found[0].stats.states);
  EXPECT_GT(found[1].stats.states, found[2].stats.states);
}

// Below its size `automatic` keeps every step's state: the same search as every_step, count for
// count (the catalog's small trees are searched as before).
TEST(Exhaustive, AutomaticStoringIsEveryStepWhileTheCacheIsSmall) {
  RunSpec spec = spin_pause_instance(16);
  ExploreLimits every_step = reduced();
  every_step.storing = Storing::every_step;
  ExploreLimits automatic = reduced();
  automatic.storing = Storing::automatic;
  ExploreResult every = explore_exhaustive(spec, every_step);
  ExploreResult small = explore_exhaustive(spec, automatic);
  ASSERT_LT(every.stats.states, VisitedStates::kKeepAllBelow);
  EXPECT_EQ(small.stats.states, every.stats.states);
  EXPECT_EQ(small.stats.schedules, every.stats.schedules);
  EXPECT_EQ(small.stats.steps, every.stats.steps);
}

// Where the search has passed over a deferred event before the step that turns out to depend
// on it (the app's pause, offered after the peer's send, cancels the read the send would
// finish), deferring cannot be undone there: the search starts again without, and still finds
// the switch.
TEST(Exhaustive, AConflictTooLateToUndoStartsAgainWithoutDeferring) {
  RunSpec spec = spin_pause_instance(4, "bpo-33694");
  ExploreResult result = explore_exhaustive(spec, reduced());
  ASSERT_TRUE(result.stats.deferral_conflict);
  EXPECT_NE(result.stats.deferral_conflict->find("an event of the app's touched fd"), std::string::npos)
      << *result.stats.deferral_conflict;
  EXPECT_FALSE(result.stats.deferred);
  ASSERT_TRUE(result.counterexample);
  EXPECT_EQ(result.counterexample->violation->oracle, Oracle::O9);
}

// Without a binding preemption bound, dgram-drain's states differ mostly in how many
// preemptions led there; a visit that spent fewer covers the rest (VisitedStates), and every
// switch of the scenario is still found.
TEST(Exhaustive, UnboundedPreemptionsStayCleanAndFindTheSwitch) {
  RunSpec spec = spec_of("dgram-drain");
  spec.params["count"] = 8;
  spec.bounds.max_preemptions = 100;
  spec.bounds.max_faults = 0;
  ExploreResult result = explore_exhaustive(spec, reduced());
  EXPECT_TRUE(result.stats.complete);
  EXPECT_FALSE(result.counterexample);
  ExploreLimits plain;
  plain.max_schedules = 5000000;
  EXPECT_FALSE(explore_exhaustive(spec, plain).counterexample);
  set_switch(spec.bugs, *find_bug("dgram-drain"));
  EXPECT_TRUE(explore_exhaustive(spec, reduced()).counterexample);
}

// Preemptions left out of covering (visited_states.h): where their bound never withholds a
// choice, the first pass stands, with fewer runs than counting them, and the switch is found.
TEST(Exhaustive, PreemptionsLeftOutWhereTheirBoundNeverBinds) {
  RunSpec spec = spin_pause_instance(8);
  ExploreResult ignored = explore_exhaustive(spec, reduced());
  ExploreLimits counting = reduced(ExploreLimits::IgnorePreemptions::never);
  ExploreResult counted = explore_exhaustive(spec, counting);
  EXPECT_FALSE(ignored.stats.preemptions_counted);
  EXPECT_TRUE(counted.stats.preemptions_counted);
  for (const ExploreResult* r : {&ignored, &counted}) {
    EXPECT_TRUE(r->stats.complete);
    EXPECT_FALSE(r->counterexample);
  }
  EXPECT_EQ(ignored.stats.states, counted.stats.states);
  EXPECT_LT(ignored.stats.schedules, counted.stats.schedules);
  set_switch(spec.bugs, *find_bug("bpo-33694"));
  EXPECT_TRUE(explore_exhaustive(spec, reduced()).counterexample);
}

// Where the bound binds, the pass that left preemptions out gives up, and the search that
// counts them is the one reported: the same states, the first pass's runs added.
TEST(Exhaustive, ABoundThatBindsStartsAgainCountingPreemptions) {
  RunSpec spec = spec_of("dgram-echo");
  ExploreLimits first = reduced(ExploreLimits::IgnorePreemptions::always);
  ExploreLimits counting = reduced(ExploreLimits::IgnorePreemptions::never);
  ExploreResult restarted = explore_exhaustive(spec, first);
  ExploreResult counted = explore_exhaustive(spec, counting);
  EXPECT_TRUE(restarted.stats.preemptions_counted);
  EXPECT_TRUE(restarted.stats.complete);
  EXPECT_FALSE(restarted.counterexample);
  EXPECT_EQ(restarted.stats.states, counted.stats.states);
  EXPECT_GT(restarted.stats.schedules, counted.stats.schedules);
}

// The state cache's own soundness check: leaving preemptions out must reach every state that
// counting them reaches, on one thread and on two sharing the cache. Without the give-up above,
// it does not (proactor-dgram-drain with one preemption: 49 states of 63).
TEST(Exhaustive, LeavingPreemptionsOutReachesEveryStateCountingThemDoes) {
  for (const char* name : {"stream-echo", "stream-reset", "proactor-dgram-echo", "proactor-dgram-drain"}) {
    for (int preemptions : {1, 2}) {
      RunSpec spec = spec_of(name);
      spec.bounds.max_preemptions = preemptions;
      ExploreLimits first = reduced(ExploreLimits::IgnorePreemptions::always);
      ExploreLimits counting = reduced(ExploreLimits::IgnorePreemptions::never);
      ExploreResult b = explore_exhaustive(spec, counting);
      EXPECT_TRUE(b.stats.complete && !b.counterexample) << name;
      for (unsigned jobs : {1u, 2u}) {
        ExploreResult a = jobs == 1 ? explore_exhaustive(spec, first) : explore_parallel(spec, first, jobs);
        EXPECT_EQ(a.stats.states, b.stats.states)
            << name << " with " << preemptions << " preemption(s), " << jobs << " thread(s)";
        EXPECT_TRUE(a.stats.complete) << name;
        EXPECT_FALSE(a.counterexample) << name;
      }
    }
  }
}

// A first pass given up for the preemption bound is in the stats, and the user is told what it
// cost; a search that counted them from the start, or whose bound never bound, says nothing.
TEST(Exhaustive, AFirstPassGivenUpForThePreemptionBoundIsReported) {
  RunSpec spec = spec_of("proactor-dgram-drain");
  spec.bounds.max_preemptions = 1;  // binds: the pass that leaves preemptions out gives up
  ExploreResult gave_up = explore_exhaustive(spec, reduced(ExploreLimits::IgnorePreemptions::always));
  EXPECT_TRUE(gave_up.stats.complete && gave_up.stats.preemptions_counted);
  EXPECT_GT(gave_up.stats.preemption_pass_given_up, 0u);
  EXPECT_LT(gave_up.stats.preemption_pass_given_up, gave_up.stats.schedules);
  std::string note = preemption_note(spec, gave_up.stats);
  EXPECT_NE(note.find("gave up after " + std::to_string(gave_up.stats.preemption_pass_given_up) + " schedules"),
            std::string::npos)
      << note;
  ExploreResult counted = explore_exhaustive(spec, reduced(ExploreLimits::IgnorePreemptions::never));
  EXPECT_EQ(counted.stats.preemption_pass_given_up, 0u);
  EXPECT_EQ(preemption_note(spec, counted.stats), "");
  spec.bounds.max_preemptions = 4000;  // never binds: the first pass is the only one
  ExploreResult unbound = explore_exhaustive(spec, reduced(ExploreLimits::IgnorePreemptions::always));
  EXPECT_FALSE(unbound.stats.preemptions_counted);
  EXPECT_EQ(unbound.stats.preemption_pass_given_up, 0u);
}

// The shortest counterexample is shortest: within its deviations, no run of fewer steps fails.
TEST(Exhaustive, TheShortestCounterexampleHasNoShorterRival) {
  for (auto [scenario, bug] : {std::pair{"proactor-pause", "bpo-33694"}, std::pair{"dgram-drain", "dgram-drain"},
                               std::pair{"stream-abort-early", "bpo-27223"}}) {
    RunSpec spec = spec_of(scenario, bug);
    ExploreResult first = explore_exhaustive(spec);
    ASSERT_TRUE(first.counterexample) << bug;
    ExploreResult shortest = shortest_counterexample(spec);
    ASSERT_TRUE(shortest.counterexample) << bug;
    const RunResult& best = *shortest.counterexample;
    DeviationCount used = count_deviations(best.choices, best.choices.size());
    EXPECT_LE(used.total(), count_deviations(first.counterexample->choices, first.counterexample->choices.size()).total())
        << bug;
    RunSpec shorter = spec;
    shorter.bounds.max_deviations = used.total();
    shorter.bounds.max_steps = best.steps - 1;
    ExploreLimits all;
    all.max_schedules = 5000000;
    all.stop_at_first = true;
    ExploreResult rival = explore_exhaustive(shorter, all);
    if (!rival.counterexample) {
      EXPECT_TRUE(rival.stats.complete) << bug;
      continue;
    }
    // A run the bound cut is judged at the cut (what holds at any end is checked there): that
    // judgement counts one step less than the same run ending by itself. Let it go on.
    RunResult whole = execute(spec, rival.counterexample->choices, false);
    EXPECT_EQ(whole.verdict, Verdict::violation) << bug;
    EXPECT_GE(whole.steps, best.steps) << bug << ": a run of fewer than " << best.steps << " steps fails too";
  }
}

}  // namespace
}  // namespace loopcheck
