// ProactorDatagramTransport's direct API, driven in a small simulated world over the fake
// completion port. Most tests use AF_UNIX datagram sockets ("/app", "/sink"), which queue at
// once; the ICMP test uses UDP, whose datagrams fly and can bounce.
#include "src/transport/proactor_datagram.h"

#include <gtest/gtest.h>

#include "model/world/hand_driven_proactor.h"
#include "src/transport/recording_protocols.h"

namespace loopcheck {
namespace {

struct ProactorDatagramTest : ::testing::Test {
  // A peer socket bound at `address` (the sink our datagrams go to, or a sender).
  int peer(const Address& address) {
    return kernel().dgram_socket(SocketKind::unix_dgram, Owner::peer, address);
  }
  void start(const Address& connect = {}) {
    hand.start(protocol, SocketKind::unix_dgram, "/app", connect);
    settle();
  }
  void settle() { ASSERT_TRUE(hand.settle(500)) << hand.violation(); }
  DatagramTransport& t() { return *protocol.transport; }
  FakeKernel& kernel() { return hand.world->kernel(); }
  // Every datagram queued for fd, in order.
  std::vector<Bytes> drain(int fd) {
    std::vector<Bytes> out;
    for (IoResult<Datagram> got = kernel().recvfrom(fd, 1000); got.ok(); got = kernel().recvfrom(fd, 1000)) {
      out.push_back(got.value().data);
    }
    return out;
  }
  using Datagrams = std::vector<Bytes>;

  RecordingDatagramProtocol protocol;
  HandDrivenProactorDatagram hand;
};

// --- Start-up and get_extra_info. ---

TEST_F(ProactorDatagramTest, ConnectionMadeRunsFromTheLoopThenOneRecvfromWaits) {
  (void)peer("/sink");  // a unix datagram socket can only connect to a bound address
  hand.start(protocol, SocketKind::unix_dgram, "/app", "/sink");
  EXPECT_EQ(protocol.transport, nullptr);
  settle();
  ASSERT_NE(protocol.transport, nullptr);
  EXPECT_FALSE(t().is_closing());
  EXPECT_EQ(hand.outstanding(), 1u);
  EXPECT_EQ(t().get_extra_info("socket"), std::to_string(hand.app_fd));
  EXPECT_EQ(t().get_extra_info("sockname"), "/app");
  EXPECT_EQ(t().get_extra_info("peername"), "/sink");
  EXPECT_EQ(t().get_extra_info("datagrams_discarded"), "0");
  EXPECT_EQ(t().get_extra_info("nonsense"), std::nullopt);
}

TEST_F(ProactorDatagramTest, UnconnectedTransportHasNoPeername) {
  start();
  EXPECT_EQ(t().get_extra_info("peername"), std::nullopt);
}

// --- sendto: where a datagram may go, connected or not. ---

TEST_F(ProactorDatagramTest, ConnectedTransportSendsToItsPeerAndRejectsAnother) {
  int sink = peer("/sink");
  start("/sink");
  Status status = t().sendto("x", "/elsewhere");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::invalid_argument);
  EXPECT_EQ(t().get_write_buffer_size(), 0u) << "a rejected datagram is not queued";
  EXPECT_FALSE(t().sendto("one"));
  EXPECT_FALSE(t().sendto("two", "/sink"));
  settle();
  EXPECT_EQ(drain(sink), (Datagrams{"one", "two"}));
}

TEST_F(ProactorDatagramTest, UnconnectedTransportNeedsAnAddress) {
  int sink = peer("/sink");
  start();
  Status status = t().sendto("x");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::invalid_argument);
  EXPECT_FALSE(t().sendto("y", "/sink"));
  settle();
  EXPECT_EQ(drain(sink), (Datagrams{"y"}));
}

// A refused datagram is reported and the queue goes on; the transport stays open.
TEST_F(ProactorDatagramTest, AFailedSendGoesToErrorReceivedAndTheNextOneFollows) {
  int sink = peer("/sink");
  start();
  EXPECT_FALSE(t().sendto("lost", "/nobody"));
  EXPECT_FALSE(t().sendto("kept", "/sink"));
  settle();
  ASSERT_EQ(protocol.errors.size(), 1u);
  EXPECT_EQ(protocol.errors[0].code, Errc::connection_refused);
  EXPECT_EQ(drain(sink), (Datagrams{"kept"}));
  EXPECT_FALSE(t().is_closing());
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
}

// --- Buffer accounting and flow control, as asyncio 3.13 counts: each datagram queued behind the
// one in flight, its payload plus an 8-byte header. ---

TEST_F(ProactorDatagramTest, BufferSizeCountsTheQueueBehindTheInFlightDatagram) {
  int sink = peer("/sink");
  start("/sink");
  EXPECT_FALSE(t().sendto("a"));
  EXPECT_EQ(hand.outstanding(), 2u) << "recvfrom + the sendto submitted at once";
  EXPECT_FALSE(t().sendto("bb"));
  EXPECT_FALSE(t().sendto("ccc"));
  EXPECT_EQ(hand.outstanding(), 2u) << "one sendto at a time";
  EXPECT_EQ(t().get_write_buffer_size(), (2u + 8) + (3u + 8)) << "\"a\" is in flight and no longer counts";
  settle();
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  EXPECT_EQ(drain(sink), (Datagrams{"a", "bb", "ccc"}));
}

TEST_F(ProactorDatagramTest, PausesAboveHighAndResumesAtLow) {
  int sink = peer("/sink");
  start("/sink");
  Status invalid = t().set_write_buffer_limits(1, 2);
  ASSERT_TRUE(invalid);
  EXPECT_EQ(invalid->code, Errc::invalid_argument);
  ASSERT_FALSE(t().set_write_buffer_limits(10, 0));
  EXPECT_FALSE(t().sendto("ab"));
  EXPECT_EQ(protocol.pauses, 0) << "in flight at once: the queue is empty";
  EXPECT_FALSE(t().sendto("cd"));
  EXPECT_EQ(protocol.pauses, 0) << "2 + 8 = 10 bytes queued: at the high mark, not above";
  EXPECT_FALSE(t().sendto(""));
  EXPECT_EQ(protocol.pauses, 1) << "an empty datagram still counts its header";
  EXPECT_FALSE(t().sendto("f"));
  EXPECT_EQ(protocol.pauses, 1);
  settle();
  EXPECT_EQ(protocol.resumes, 1);
  EXPECT_EQ(drain(sink).size(), 4u);
}

// --- Reading: datagrams with their senders; ICMP reports do not stop the read loop. ---

TEST_F(ProactorDatagramTest, ReceivedDatagramsCarryTheirSenderAndReadingGoesOn) {
  start();
  int a = peer("/a"), b = peer("/b");
  ASSERT_TRUE(kernel().sendto(a, "from a", "/app").ok());
  settle();
  ASSERT_TRUE(kernel().sendto(b, "from b", "/app").ok());
  settle();
  EXPECT_EQ(protocol.received, (Datagrams{"from a", "from b"}));
  EXPECT_EQ(protocol.senders, (std::vector<Address>{"/a", "/b"}));
  EXPECT_EQ(hand.outstanding(), 1u);
}

TEST(ProactorDatagramIcmp, IcmpErrorGoesToErrorReceivedAndReadingGoesOn) {
  RecordingDatagramProtocol protocol;
  HandDrivenProactorDatagram hand;
  hand.start(protocol, SocketKind::udp, "127.0.0.1:1", "127.0.0.1:7");  // nobody at :7 yet
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_FALSE(protocol.transport->sendto("ping"));
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  ASSERT_EQ(protocol.errors.size(), 1u);
  EXPECT_EQ(protocol.errors[0].code, Errc::connection_refused);
  EXPECT_FALSE(protocol.transport->is_closing());
  EXPECT_EQ(protocol.lost, 0);
  int server = hand.world->kernel().dgram_socket(SocketKind::udp, Owner::peer, "127.0.0.1:7");
  (void)hand.world->kernel().sendto(server, "pong", "127.0.0.1:1");
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  ASSERT_EQ(protocol.received.size(), 1u);
  EXPECT_EQ(protocol.received[0], "pong");
}

// Zero-length datagrams are real datagrams: what the code does today, both ways.
TEST_F(ProactorDatagramTest, ZeroLengthDatagramsAreSentAndDelivered) {
  int sink = peer("/sink");
  start("/sink");
  EXPECT_FALSE(t().sendto(""));
  EXPECT_EQ(t().get_write_buffer_size(), 0u) << "only payload bytes are counted";
  settle();
  EXPECT_EQ(drain(sink), (Datagrams{""}));
  ASSERT_TRUE(kernel().sendto(sink, "", "/app").ok());
  settle();
  EXPECT_EQ(protocol.received, (Datagrams{""}));
  EXPECT_EQ(protocol.senders, (std::vector<Address>{"/sink"}));
}

// --- close(): drains what the kernel holds, flushes the send queue, then connection_lost. ---

TEST_F(ProactorDatagramTest, CloseDrainsWhatTheKernelAlreadyHolds) {
  start();
  int sender = peer("");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(kernel().sendto(sender, "d" + std::to_string(i), "/app").ok());
  t().close();
  EXPECT_TRUE(t().is_closing());
  EXPECT_EQ(protocol.lost, 0);
  settle();
  EXPECT_EQ(protocol.received, (Datagrams{"d0", "d1", "d2", "d3", "d4"}));
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(kernel().stats(hand.app_fd).dropped_at_close, 0u);
}

TEST_F(ProactorDatagramTest, CloseFlushesQueuedSendsBeforeConnectionLost) {
  int sink = peer("/sink");
  start("/sink");
  EXPECT_FALSE(t().sendto("a"));
  EXPECT_FALSE(t().sendto("b"));
  EXPECT_FALSE(t().sendto("c"));
  t().close();
  EXPECT_EQ(t().get_write_buffer_size(), 2 * (1u + 8)) << "\"a\" is in flight";
  settle();
  EXPECT_EQ(drain(sink), (Datagrams{"a", "b", "c"}));
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  EXPECT_EQ(protocol.lost, 1);
}

// After close() nothing more is sent: asyncio 3.13 drops a connected transport's datagram (and
// never sends an unconnected one's, its write loop stopped); loopcheck refuses it, and says so.
TEST_F(ProactorDatagramTest, SendtoAfterCloseIsRefused) {
  int sink = peer("/sink");
  start("/sink");
  t().close();
  Status late = t().sendto("late");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, Errc::closed);
  settle();
  EXPECT_EQ(drain(sink), Datagrams{});
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
}

TEST_F(ProactorDatagramTest, CloseTwiceLosesTheConnectionOnce) {
  start();
  t().close();
  t().close();
  settle();
  t().close();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(hand.outstanding(), 0u);
}

// A recvfrom that completes with a datagram as close() cancels it: the datagram is delivered.
TEST(ProactorDatagramCancelRace, ADatagramInTheCancelledReadIsDeliveredOnClose) {
  RecordingDatagramProtocol protocol;
  HandDrivenProactorDatagram hand;
  hand.start(protocol, SocketKind::unix_dgram, "/app", "");
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  hand.choices.answer[ChoiceKind::cancel_race] = 2;  // ALREADY, and it completes with the data
  int sender = hand.world->kernel().dgram_socket(SocketKind::unix_dgram, Owner::peer, "/s");
  ASSERT_TRUE(hand.world->kernel().sendto(sender, "racing", "/app").ok());
  ASSERT_TRUE(hand.world->kernel().sendto(sender, "queued", "/app").ok());
  protocol.transport->close();
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_EQ(protocol.received, (std::vector<Bytes>{"racing", "queued"}));
  EXPECT_EQ(hand.world->completions().discarded_bytes(), 0u);
  EXPECT_EQ(protocol.lost, 1);
}

// --- abort(): both queues and the kernel's are discarded, and counted. ---

TEST_F(ProactorDatagramTest, AbortDiscardsEverythingAndSaysHowMany) {
  int sink = peer("/sink");
  start("/sink");
  int sender = peer("/s");
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(kernel().sendto(sender, "in", "/app").ok());
  EXPECT_FALSE(t().sendto("x"));  // in flight
  EXPECT_FALSE(t().sendto("y"));  // queued
  EXPECT_FALSE(t().sendto("z"));  // queued
  t().abort();
  EXPECT_TRUE(t().is_closing());
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  settle();
  EXPECT_TRUE(protocol.received.empty());
  EXPECT_TRUE(drain(sink).empty()) << "the in-flight sendto was cancelled before it ran";
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  EXPECT_EQ(t().get_extra_info("datagrams_discarded"), "5") << "3 sends + 2 received";
  EXPECT_EQ(kernel().stats(hand.app_fd).dropped_at_close, 0u);
  Status late = t().sendto("late");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, Errc::closed);
}

TEST_F(ProactorDatagramTest, AbortAfterCloseEndsTheCloseAtOnce) {
  int sink = peer("/sink");
  start("/sink");
  EXPECT_FALSE(t().sendto("a"));
  EXPECT_FALSE(t().sendto("b"));
  t().close();
  t().abort();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_TRUE(drain(sink).empty());
  EXPECT_EQ(t().get_extra_info("datagrams_discarded"), "2");
}

TEST_F(ProactorDatagramTest, CloseAfterAbortChangesNothing) {
  start();
  int sender = peer("/s");
  ASSERT_TRUE(kernel().sendto(sender, "in", "/app").ok());
  t().abort();
  t().close();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_TRUE(protocol.received.empty()) << "close() after abort() must not start a drain";
  EXPECT_EQ(t().get_extra_info("datagrams_discarded"), "1");
}

// A sendto that failed just before abort(): its completion is already queued and runs after
// connection_lost(None); the transport drops the error, as asyncio does, and O6 does not owe it.
TEST(ProactorDatagramErrorRace, ASendErrorCompletedJustBeforeAbortIsNotOwed) {
  RecordingDatagramProtocol protocol;
  HandDrivenProactorDatagram hand;
  hand.start(protocol, SocketKind::unix_dgram, "/app", "");
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_FALSE(protocol.transport->sendto("x", "/nobody"));
  // Run until the sendto has failed (ECONNREFUSED) and waits in the completion queue.
  while (!hand.world->completions().has_queued()) ASSERT_EQ(hand.world->run(1), RunEnd::step_bound);
  protocol.transport->abort();
  EXPECT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_TRUE(protocol.errors.empty()) << "nothing may reach the protocol after connection_lost";
}

// --- set_protocol/get_protocol on the transport itself (the monitor's wrapper keeps its own). ---

TEST(ProactorDatagramProtocol, SetProtocolRedirectsLaterCallbacks) {
  RecordingDatagramProtocol first, second;
  HandDrivenProactorDatagram hand;
  int app_fd = hand.world->kernel().dgram_socket(SocketKind::unix_dgram, Owner::app, "/raw");
  auto& raw = hand.world->own(std::make_unique<ProactorDatagramTransport>(hand.world->context(), app_fd, first));
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  ASSERT_EQ(first.transport, &raw);
  raw.set_protocol(second);
  EXPECT_EQ(&raw.get_protocol(), &second);
  int sender = hand.world->kernel().dgram_socket(SocketKind::unix_dgram, Owner::peer, "/s");
  ASSERT_TRUE(hand.world->kernel().sendto(sender, "hi", "/raw").ok());
  ASSERT_TRUE(hand.settle(500)) << hand.violation();
  EXPECT_TRUE(first.received.empty());
  EXPECT_EQ(second.received, (std::vector<Bytes>{"hi"}));
}

}  // namespace
}  // namespace loopcheck
