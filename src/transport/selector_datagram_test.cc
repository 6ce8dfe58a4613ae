// SelectorDatagramTransport's direct API, driven in a small simulated world.
#include "src/transport/selector_datagram.h"

#include <gtest/gtest.h>

#include "model/engines/choice_sources.h"
#include "model/world/world.h"
#include "src/transport/recording_protocols.h"

namespace loopcheck {
namespace {

struct DatagramFixture : ::testing::Test {
  void start(SocketKind kind, Address bind, Address connect) {
    config.kernel.dgram_queue_packets = 8;
    config.oracles.set(Oracle::O4, false);  // tests pause with the transport open on purpose
    config.oracles.set(Oracle::O5, false);
    world = std::make_unique<SimWorld>(config, choices);
    app_fd = world->kernel().dgram_socket(kind, Owner::app, bind);
    if (!connect.empty()) (void)world->kernel().connect_dgram(app_fd, connect);
    world->datagram_transport(app_fd, protocol, connect);
    settle();
  }
  void settle() {
    world->run(500);
    ASSERT_FALSE(world->monitor().violated()) << world->monitor().violation()->message;
  }
  DatagramTransport& t() { return *protocol.transport; }

  WorldConfig config;
  PrefixChoiceSource choices{{}};
  std::unique_ptr<SimWorld> world;
  RecordingDatagramProtocol protocol;
  int app_fd = -1;
};

TEST_F(DatagramFixture, ConnectedTransportRejectsAnotherAddress) {
  start(SocketKind::udp, "127.0.0.1:1", "127.0.0.1:7");
  Status status = t().sendto("x", "127.0.0.1:8");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::invalid_argument);
  EXPECT_FALSE(t().sendto("x"));
}

TEST_F(DatagramFixture, UnconnectedTransportNeedsAnAddress) {
  start(SocketKind::udp, "127.0.0.1:1", "");
  Status status = t().sendto("x");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::invalid_argument);
}

TEST_F(DatagramFixture, IcmpErrorGoesToErrorReceivedAndTheTransportStaysOpen) {
  start(SocketKind::udp, "127.0.0.1:1", "127.0.0.1:7");
  EXPECT_FALSE(t().sendto("ping"));
  settle();
  ASSERT_EQ(protocol.errors.size(), 1u);
  EXPECT_EQ(protocol.errors[0].code, Errc::connection_refused);
  EXPECT_FALSE(t().is_closing());
  // The read loop is still alive: a later datagram is delivered.
  int peer = world->kernel().dgram_socket(SocketKind::udp, Owner::peer, "127.0.0.1:7");
  (void)world->kernel().sendto(peer, "pong", "127.0.0.1:1");
  settle();
  ASSERT_EQ(protocol.received.size(), 1u);
  ASSERT_FALSE(protocol.senders.empty());
  EXPECT_EQ(protocol.senders.back(), "127.0.0.1:7");
}

TEST_F(DatagramFixture, CloseDrainsWhatTheKernelAlreadyHolds) {
  start(SocketKind::unix_dgram, "/s", "");
  int peer = world->kernel().dgram_socket(SocketKind::unix_dgram, Owner::peer, "");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(world->kernel().sendto(peer, "d" + std::to_string(i), "/s").ok());
  t().close();
  EXPECT_TRUE(t().is_closing());
  settle();
  EXPECT_EQ(protocol.received.size(), 5u);
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_EQ(world->kernel().stats(app_fd).dropped_at_close, 0u);
}

TEST_F(DatagramFixture, AbortDiscardsAndSaysHowMany) {
  start(SocketKind::unix_dgram, "/s", "");
  int peer = world->kernel().dgram_socket(SocketKind::unix_dgram, Owner::peer, "");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(world->kernel().sendto(peer, "d", "/s").ok());
  t().abort();
  settle();
  EXPECT_TRUE(protocol.received.empty());
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_EQ(t().get_extra_info("datagrams_discarded"), "3");
  EXPECT_EQ(world->kernel().stats(app_fd).dropped_at_close, 0u);
}

TEST_F(DatagramFixture, SendtoQueuesOnEagainAndFlushesWhenWritable) {
  config.kernel.dgram_queue_packets = 1;
  config.oracles.set(Oracle::O4, false);
  config.oracles.set(Oracle::O5, false);
  world = std::make_unique<SimWorld>(config, choices);
  int sink = world->kernel().dgram_socket(SocketKind::unix_dgram, Owner::peer, "/sink");
  app_fd = world->kernel().dgram_socket(SocketKind::unix_dgram, Owner::app, "");
  (void)world->kernel().connect_dgram(app_fd, "/sink");
  world->datagram_transport(app_fd, protocol, "/sink");
  settle();
  EXPECT_FALSE(t().sendto("a"));
  EXPECT_FALSE(t().sendto("bb"));
  EXPECT_FALSE(t().sendto("ccc"));
  EXPECT_EQ(t().get_write_buffer_size(), (2u + 8) + (3u + 8)) << "\"a\" went at once; the rest counts payload plus asyncio 3.13's 8-byte header each";
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(world->kernel().recvfrom(sink, 100).ok());
    settle();
  }
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  EXPECT_EQ(world->kernel().stats(app_fd).dgrams_sent, 3u);
}

}  // namespace
}  // namespace loopcheck
