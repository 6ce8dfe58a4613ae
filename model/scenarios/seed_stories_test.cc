// The seeds' stories end to end in the simulation (README, "The seeds' stories"): each switch
// of a story shows with the oracle the write-up describes, and with every switch off the
// scenario is certified within its bounds.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "model/engines/blame.h"
#include "model/engines/exhaustive.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"

namespace loopcheck {
namespace {

ExploreResult explore(const char* scenario, std::initializer_list<const char*> switches,
                      std::initializer_list<Oracle> off = {}) {
  RunSpec spec = RunSpec::defaults(*find_scenario(scenario));
  for (const char* id : switches) set_switch(spec.bugs, *find_bug(id));
  for (Oracle oracle : off) spec.oracles.set(oracle, false);
  return explore_exhaustive(spec, ExploreLimits{});
}

Oracle found(const ExploreResult& result) { return result.counterexample->violation->oracle; }

// Seed 000: test_start_tls_server_1 on the proactor, the server slow between greeting and
// start_tls. bpo-33694 loses the ClientHello (O9, then the handshake hangs: O4). bpo-33674: the
// ClientHello's completion, polled after the slow step, runs after connection_made deferred the
// handshake, so it reaches the app as plaintext (O2, then the handshake hangs: O4). With both on
// the loss strikes first, at the pause; peeling it off shows bpo-33674 behind it.
TEST(SeedStories, Seed000StartTlsServer) {
  ExploreResult fixed = explore("start-tls-server", {});
  EXPECT_FALSE(fixed.counterexample);
  EXPECT_TRUE(fixed.stats.complete);

  ExploreResult lossy = explore("start-tls-server", {"bpo-33694"});
  ASSERT_TRUE(lossy.counterexample);
  EXPECT_EQ(found(lossy), Oracle::O9);
  EXPECT_NE(lossy.counterexample->violation->message.find("259 bytes"), std::string::npos);
  ExploreResult hang = explore("start-tls-server", {"bpo-33694"}, {Oracle::O9});
  ASSERT_TRUE(hang.counterexample);
  EXPECT_EQ(found(hang), Oracle::O4);

  ExploreResult early = explore("start-tls-server", {"bpo-33674"});
  ASSERT_TRUE(early.counterexample);
  EXPECT_EQ(found(early), Oracle::O2);
  ExploreResult early_hang = explore("start-tls-server", {"bpo-33674"}, {Oracle::O2});
  ASSERT_TRUE(early_hang.counterexample);
  EXPECT_EQ(found(early_hang), Oracle::O4);

  RunSpec both = RunSpec::defaults(*find_scenario("start-tls-server"));
  set_switch(both.bugs, *find_bug("bpo-33694"));
  set_switch(both.bugs, *find_bug("bpo-33674"));
  PeelResult peeled = peel(both, ExploreLimits{});
  ASSERT_EQ(peeled.findings.size(), 2u);
  EXPECT_EQ(peeled.findings[0].counterexample.violation->oracle, Oracle::O9);
  EXPECT_EQ(peeled.findings[0].causes.switches, std::vector<const CatalogEntry*>{find_bug("bpo-33694")});
  EXPECT_EQ(peeled.findings[1].counterexample.violation->oracle, Oracle::O2);
  EXPECT_EQ(peeled.findings[1].causes.switches, std::vector<const CatalogEntry*>{find_bug("bpo-33674")});
}

// Seed 001: the driver's reactor on an SSL socket hangs until the connect timeout (O4), and the
// TypeError that killed its tasks is in futures nobody inspected (O6).
TEST(SeedStories, Seed001Reactor) {
  EXPECT_FALSE(explore("reactor-startup", {}).counterexample);
  ExploreResult hang = explore("reactor-startup", {"reactor-sslsocket"});
  ASSERT_TRUE(hang.counterexample);
  EXPECT_EQ(found(hang), Oracle::O4);
  ExploreResult swallowed = explore("reactor-startup", {"reactor-sslsocket"}, {Oracle::O4});
  ASSERT_TRUE(swallowed.counterexample);
  EXPECT_EQ(found(swallowed), Oracle::O6);
  EXPECT_NE(swallowed.counterexample->violation->message.find("TypeError"), std::string::npos);
}

// Seed 004: close() on an SSL transport whose peer never answers close_notify.
TEST(SeedStories, Seed004CloseNoNotify) {
  EXPECT_FALSE(explore("tls-close-no-notify", {}).counterexample);
  ExploreResult hang = explore("tls-close-no-notify", {"bpo-29406"});
  ASSERT_TRUE(hang.counterexample);
  EXPECT_EQ(found(hang), Oracle::O4);
}

}  // namespace
}  // namespace loopcheck
