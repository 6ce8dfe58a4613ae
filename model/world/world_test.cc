// The world driver's own judgements.
#include "model/world/world.h"

#include <gtest/gtest.h>

#include "model/engines/choice_sources.h"
#include "model/world/peers.h"

namespace loopcheck {
namespace {

// A reader that never reads keeps a level-triggered fd ready forever: the loop spins while the
// clock stands still. That must be reported as a hang (O4), not as a long run. Every step it
// spins by is one last_step_busy() names.
TEST(SimWorld, ZeroTimeLivelockIsAHang) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  SimWorld world(config, choices);
  auto [app_fd, peer_fd] = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  ASSERT_TRUE(world.kernel().send(peer_fd, "never read").ok());
  (void)world.loop().add_reader(app_fd, Tag{nullptr, "lazy_reader"}, [] {});
  std::vector<bool> busy;
  world.set_visitor([&](SimWorld& w) {
    busy.push_back(w.last_step_busy());
    return true;
  });
  EXPECT_EQ(world.run(400), RunEnd::violation);
  ASSERT_TRUE(world.monitor().violated());
  EXPECT_EQ(world.monitor().violation()->oracle, Oracle::O4);
  EXPECT_NE(world.monitor().violation()->message.find("zero-time livelock"), std::string::npos);
  // No step before the first boundary; the first step hands the data to the socket while the
  // loop waits in its poller: not busy. From then on the loop polls, finds the fd ready and
  // runs the reader, at one instant.
  ASSERT_GT(busy.size(), 64u);
  EXPECT_FALSE(busy[0]);
  EXPECT_FALSE(busy[1]);
  for (std::size_t i = 2; i < busy.size(); ++i) EXPECT_TRUE(busy[i]) << "boundary " << i;
}

// A peer that retries at the same instant while the loop waits in its poller (a sender that
// meets EAGAIN and tries again at once) brings the same state back, but the loop is not the
// one spinning: only an unfair schedule repeats that forever. Cut off, not a hang.
TEST(SimWorld, AnEnvironmentGoingRoundWhileTheLoopIsIdleIsOnlyCutOff) {
  struct Retrier final : ScriptedPeer {
    using ScriptedPeer::ScriptedPeer;
    int action_count() const override { return 1; }
    bool can(int) const override { return true; }
    void act(int) override {}
    const char* action_name(int) const override { return "retry"; }
    void fingerprint_more(StateHasher&) const override {}
  };
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  config.oracles.set(Oracle::O5, false);
  SimWorld world(config, choices);
  auto [app_fd, peer_fd] = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  (void)app_fd;
  world.add_source(world.own(std::make_unique<Retrier>(world.kernel(), peer_fd, "retrier")));
  std::size_t busy = 0;
  world.set_visitor([&](SimWorld& w) {
    busy += w.last_step_busy() ? 1 : 0;
    return true;
  });
  EXPECT_EQ(world.run(400), RunEnd::step_bound);
  EXPECT_FALSE(world.monitor().violated()) << world.monitor().violation()->message;
  EXPECT_EQ(busy, 0u);  // no step of it could be one of a zero-time livelock
}

// A run busy at one instant whose state keeps changing might still end: only cut off.
TEST(SimWorld, ABusyRunWhoseStateKeepsChangingIsOnlyCutOff) {
  struct Counter final : Fingerprinted {
    std::uint64_t n = 0;
    void fingerprint(StateHasher& h) const override { h.value(n); }
  };
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  config.oracles.set(Oracle::O5, false);
  SimWorld world(config, choices);
  Counter& counter = world.own(std::make_unique<Counter>());
  std::function<void()> spin = [&] {
    ++counter.n;
    world.loop().call_soon(Tag{nullptr, "spin"}, spin);
  };
  spin();
  EXPECT_EQ(world.run(400), RunEnd::step_bound);
  EXPECT_FALSE(world.monitor().violated());
}

// A long run whose clock keeps moving is only cut off: liveness is not judged on it.
TEST(SimWorld, ALongRunWithTimeMovingIsOnlyCutOff) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  SimWorld world(config, choices);
  std::function<void()> tick = [&] { world.loop().call_later(kMillisecond, Tag{nullptr, "tick"}, tick); };
  tick();
  EXPECT_EQ(world.run(400), RunEnd::step_bound);
  EXPECT_FALSE(world.monitor().violated());
}

// A peer the world owns but was never asked to register never acts: the run would pass having
// tested nothing. The world refuses to start, naming the peer's type.
TEST(SimWorld, AnOwnedPeerThatWasNeverRegisteredIsASetupError) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  SimWorld world(config, choices);
  auto [app_fd, peer_fd] = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  world.own(std::make_unique<EchoPeer>(world.kernel(), peer_fd, "forgotten peer"));
  try {
    world.run(400);
    FAIL() << "the world ran with an unregistered peer";
  } catch (const SetupError& e) {
    EXPECT_NE(std::string(e.what()).find("loopcheck::EchoPeer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("add_source"), std::string::npos) << e.what();
  }
  (void)app_fd;
}

TEST(SimWorld, ARegisteredPeerRuns) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  config.oracles.set(Oracle::O5, false);  // the app's end stays open: no transport here
  SimWorld world(config, choices);
  auto [app_fd, peer_fd] = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  world.add_source(world.own(std::make_unique<EchoPeer>(world.kernel(), peer_fd, "peer")));
  EXPECT_NO_THROW(world.run(400));
  (void)app_fd;
}

}  // namespace
}  // namespace loopcheck
