// A TLS run replays byte for byte: the same schedule puts the same bytes on the wire, handshake
// and records alike, because every endpoint's randomness comes from its seed and its clock from
// the world. (Without the deterministic random provider the ClientHello differs from its 11th
// byte on; the engine's own tests show that.)
#include "model/world/tls_peer.h"

#include <gtest/gtest.h>

#include "model/apps/app_stream.h"
#include "model/engines/choice_sources.h"
#include "model/engines/exhaustive.h"
#include "model/scenarios/registry.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

// Writes a greeting once the handshake is done and closes when it is echoed.
class Greeter final : public AppStream {
 public:
  using AppStream::AppStream;
  void data_received(BytesView data) override {
    AppStream::data_received(data);
    if (received_ == 5) transport_->close();
  }

 private:
  void on_made() override { (void)transport_->write("hello"); }
  void fingerprint_app(StateHasher&) const override {}
};

struct Wire {
  Bytes sent, received, plain_received;
  RunEnd end;
};

Wire run_echo(std::uint64_t peer_seed) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  SimWorld world(config, choices);
  auto [app_fd, peer_fd] = app_peer_pair(world);
  TlsPeer::Script script;
  script.echo = true;
  script.seed = peer_seed;
  auto& peer = world.own(std::make_unique<TlsPeer>(world.kernel(), peer_fd, "tls peer", script));
  world.add_source(peer);
  auto& app = world.own(std::make_unique<Greeter>(world));
  world.ssl_transport(app_fd, app, &peer, &peer.plaintext(), SslSetup{});
  RunEnd end = world.run(400);
  return Wire{peer.sent(), peer.received(), peer.plaintext().received(), end};
}

TEST(TlsReplay, TheSameScheduleGivesTheSameBytesOnTheWire) {
  Wire first = run_echo(2);
  Wire second = run_echo(2);
  EXPECT_EQ(first.end, RunEnd::quiescent);
  EXPECT_EQ(first.plain_received, "hello");
  EXPECT_GT(first.sent.size(), 100u) << "a handshake and records went out";
  EXPECT_EQ(first.sent, second.sent);
  EXPECT_EQ(first.received, second.received);
}

// The comparison above could not pass by accident: another seed changes the peer's bytes.
TEST(TlsReplay, AnotherSeedGivesOtherBytes) {
  Wire one = run_echo(2);
  Wire other = run_echo(3);
  EXPECT_EQ(other.plain_received, "hello");
  EXPECT_NE(one.sent, other.sent);
}

// The certificate configuration and a server that sends session tickets after the handshake
// (records a TLS 1.3 client reads and drops) are certified like the PSK default, both transports.
TEST(TlsEchoConfigurations, CertificatesAndTicketsAreCleanToo) {
  for (const char* name : {"tls-echo", "tls-echo-proactor"}) {
    for (auto [certs, tickets] : {std::pair{1, 0}, {0, 2}, {1, 2}}) {
      const Scenario* scenario = find_scenario(name);
      ASSERT_NE(scenario, nullptr);
      RunSpec spec = RunSpec::defaults(*scenario);
      spec.params["certs"] = certs;
      spec.params["tickets"] = tickets;
      ExploreResult result = explore_exhaustive(spec);
      EXPECT_FALSE(result.counterexample) << name << " certs=" << certs << " tickets=" << tickets;
      EXPECT_TRUE(result.stats.complete);
      EXPECT_GT(result.stats.schedules, 1u);
    }
  }
}

}  // namespace
}  // namespace loopcheck
