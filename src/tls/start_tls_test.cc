// loop.start_tls in a small simulated world: what it does at once, what it leaves to the next
// turns, and the two catalog fixes that live in it.
#include "src/tls/start_tls.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <tuple>

#include "src/core/choice.h"
#include "src/streams/stream_reader.h"
#include "src/transport/recording_protocols.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

struct StartTlsFixture : ::testing::Test {
  void make_world(const BugSet& bugs = {}, std::size_t send_capacity = 4096) {
    WorldConfig config;
    config.bugs = bugs;
    config.kernel.faults = false;
    config.kernel.stream_send_capacity = send_capacity;
    config.oracles.set(Oracle::O4, false);  // no peer answers the handshake: it stays open
    config.oracles.set(Oracle::O5, false);
    world = std::make_unique<SimWorld>(config, choices);
    std::tie(app_fd, peer_fd) = world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "app", "peer");
  }
  void settle() { world->run(1000); }
  TlsUpgrade upgrade(Transport& plain, Protocol& app, bool server_side) {
    SslOptions options;
    options.server_side = server_side;
    return start_tls(world->loop(), world->bugs(), plain, app, options,
                     world->start_tls_factory(plain, app, nullptr, SslSetup{}),
                     [this](std::optional<Error> error, Transport* transport) {
                       outcome = error ? error->describe() : transport ? "done" : "None";
                     });
  }
  std::string violation() const {
    return world->monitor().violated() ? world->monitor().violation()->message : std::string();
  }

  FirstChoice choices;
  std::unique_ptr<SimWorld> world;
  int app_fd = -1, peer_fd = -1;
  std::optional<std::string> outcome;
};

TEST_F(StartTlsFixture, InstallsTheSslProtocolAtOnceAndStartsItOnTheNextTurn) {
  make_world();
  RecordingProtocol app;
  Transport& plain = world->stream_transport(app_fd, app, nullptr);
  settle();
  TlsUpgrade up = upgrade(plain, app, /*server_side=*/true);
  EXPECT_EQ(&plain.get_protocol(), static_cast<Protocol*>(&up.protocol));
  EXPECT_FALSE(plain.is_reading()) << "paused before anything can reach the SSL protocol";
  EXPECT_EQ(up.protocol.state(), SslState::unwrapped) << "connection_made waits for the next turn";
  world->run(3);  // the next iteration: connection_made, then resume_reading
  EXPECT_EQ(up.protocol.state(), SslState::do_handshake);
  EXPECT_TRUE(plain.is_reading());
  EXPECT_FALSE(outcome);
  settle();  // no client ever speaks: the handshake timeout ends it
  ASSERT_TRUE(outcome);
  EXPECT_NE(outcome->find("longer than 60 seconds"), std::string::npos) << *outcome;
  EXPECT_TRUE(plain.is_closing());
  EXPECT_EQ(violation(), "");
}

TEST_F(StartTlsFixture, AServersStreamReadAheadGoesToTheHandshake) {
  make_world();
  StreamReader reader(world->loop());
  StreamReaderProtocol protocol(reader, [](Transport&) {});
  Transport& plain = world->stream_transport(app_fd, protocol, nullptr);
  ASSERT_TRUE(world->kernel().send(peer_fd, "STARTTLS\r\n\x16\x03\x01").ok());
  settle();
  std::optional<StreamRead> line;
  ASSERT_FALSE(reader.readline([&](StreamRead r) { line = std::move(r); }));
  ASSERT_TRUE(line);
  ASSERT_EQ(reader.buffer().size(), 3u) << "the ClientHello's first bytes came with the line";
  upgrade(plain, protocol, /*server_side=*/true);
  EXPECT_TRUE(reader.buffer().empty()) << "handed to the SSL protocol (gh-142352's fix)";
}

TEST_F(StartTlsFixture, WithGh142352OnTheReadAheadIsLeftInTheStream) {
  BugSet bugs;
  bugs.set(Bug::gh_142352);
  make_world(bugs);
  StreamReader reader(world->loop());
  StreamReaderProtocol protocol(reader, [](Transport&) {});
  Transport& plain = world->stream_transport(app_fd, protocol, nullptr);
  ASSERT_TRUE(world->kernel().send(peer_fd, "STARTTLS\r\n\x16\x03\x01").ok());
  settle();
  ASSERT_FALSE(reader.readline([](StreamRead) {}));
  upgrade(plain, protocol, /*server_side=*/true);
  EXPECT_EQ(reader.buffer().size(), 3u);
}

// The transport paused its protocol for writing before start_tls; the resume_writing it owes
// then goes to the SSL protocol, which must have been told it was paused (O3 watches).
TEST_F(StartTlsFixture, TheSslProtocolInheritsAPauseForWriting) {
  for (bool on : {false, true}) {
    BugSet bugs;
    if (on) bugs.set(Bug::gh_109051);
    make_world(bugs, /*send_capacity=*/8);
    RecordingProtocol app;
    Transport& plain = world->stream_transport(app_fd, app, nullptr);
    settle();
    ASSERT_FALSE(plain.set_write_buffer_limits(4, 1));
    ASSERT_FALSE(plain.write("0123456789abcdefghij"));
    ASSERT_TRUE(plain.protocol_paused());
    upgrade(plain, app, /*server_side=*/true);
    // The peer reads the greeting, so the buffer drains and resume_writing comes.
    for (int i = 0; i < 10 && !world->monitor().violated(); ++i) {
      (void)world->kernel().recv(peer_fd, 100);
      world->run(50);
    }
    EXPECT_FALSE(plain.protocol_paused());
    if (on) {
      EXPECT_NE(violation().find("resume_writing without a pause_writing"), std::string::npos) << violation();
    } else {
      EXPECT_EQ(violation(), "");
    }
  }
}

TEST_F(StartTlsFixture, AFailedHandshakeClosesTheTransportAndReportsTheError) {
  make_world();
  RecordingProtocol app;
  Transport& plain = world->stream_transport(app_fd, app, nullptr);
  settle();
  upgrade(plain, app, /*server_side=*/true);
  settle();
  ASSERT_TRUE(world->kernel().send(peer_fd, "this is not a ClientHello, not at all\r\n").ok());
  settle();
  ASSERT_TRUE(outcome);
  EXPECT_NE(*outcome, "done");
  EXPECT_TRUE(plain.is_closing());
  EXPECT_EQ(app.lost, 0) << "asyncio raises from start_tls; the app protocol hears nothing more";
}

// The app gives the upgrade up by aborting the plain transport it still holds. asyncio 3.13 then
// returns None from start_tls (sslproto-lost-handshake); fixed, start_tls raises.
TEST_F(StartTlsFixture, AbortingThePlainTransportDuringTheHandshakeFailsTheUpgrade) {
  for (bool on : {false, true}) {
    BugSet bugs;
    if (on) bugs.set(Bug::sslproto_lost_handshake);
    make_world(bugs);
    outcome.reset();
    RecordingProtocol app;
    Transport& plain = world->stream_transport(app_fd, app, nullptr);
    settle();
    upgrade(plain, app, /*server_side=*/true);
    world->run(3);  // the handshake has begun
    plain.abort();
    world->run(20);
    ASSERT_TRUE(outcome);
    // (The oracle that flags the first, O4, is off in this fixture; the catalog tests hold it.)
    if (on) {
      EXPECT_EQ(*outcome, "None");
    } else {
      EXPECT_NE(outcome->find("closed during the SSL handshake"), std::string::npos) << *outcome;
    }
  }
}

}  // namespace
}  // namespace loopcheck
