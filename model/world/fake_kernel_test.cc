// FakeKernel semantics: the POSIX behaviour the transports rely on.
#include "model/world/fake_kernel.h"

#include <gtest/gtest.h>

#include "model/engines/choice_sources.h"
#include "model/world/state_fingerprint.h"

namespace loopcheck {
namespace {

struct KernelFixture : ::testing::Test {
  KernelConfig config() {
    KernelConfig c;
    c.stream_send_capacity = 8;
    c.stream_recv_capacity = 8;
    c.dgram_queue_packets = 2;
    return c;
  }
  SimClock clock;
  PrefixChoiceSource choices{{}};
  NullTracer tracer;
  FakeKernel kernel{clock, choices, tracer, config()};

  // Lets every link deliver what it can, in order.
  void deliver_all() {
    for (int guard = 0; guard < 1000; ++guard) {
      std::vector<PendingEvent> events;
      kernel.collect(clock.now(), events);
      if (events.empty()) return;
      clock.advance_to(events.front().earliest);
      kernel.fire(events.front());
    }
    FAIL() << "links never went quiet";
  }
};

TEST_F(KernelFixture, BytesArriveOnlyAfterDelivery) {
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  ASSERT_EQ(kernel.send(a, "hello").value(), 5u);
  EXPECT_TRUE(kernel.recv(b, 100).would_block());
  deliver_all();
  EXPECT_EQ(kernel.recv(b, 100).value(), "hello");
  EXPECT_TRUE(kernel.recv(b, 100).would_block());
}

TEST_F(KernelFixture, ShortWriteWhenTheSendBufferIsNearlyFull) {
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  EXPECT_EQ(kernel.send(a, "0123456789").value(), 8u);
  EXPECT_TRUE(kernel.send(a, "x").would_block());
  EXPECT_FALSE(kernel.writable(a));
  deliver_all();
  EXPECT_TRUE(kernel.writable(a));
  EXPECT_EQ(kernel.recv(b, 3).value(), "012");
}

// A segment the full receive buffer holds back starts its latency window again when it can
// land: with its old deadline long past, the world would have to deliver it at once and could
// let nothing else (a timer, another link) happen first.
TEST_F(KernelFixture, AHeldSegmentGetsAFreshDeadlineWhenItCanLand) {
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  ASSERT_EQ(kernel.send(a, "01234567").value(), 8u);
  deliver_all();  // b's receive buffer is now full
  ASSERT_EQ(kernel.send(a, "89").value(), 2u);
  std::vector<PendingEvent> events;
  kernel.collect(clock.now(), events);
  EXPECT_TRUE(events.empty()) << "the second segment cannot land yet";
  clock.advance_to(clock.now() + 10 * config().max_latency);
  ASSERT_EQ(kernel.recv(b, 8).value(), "01234567");
  events.clear();
  kernel.collect(clock.now(), events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events.front().earliest, clock.now() + config().min_latency);
  EXPECT_EQ(events.front().latest, clock.now() + config().max_latency);
}

TEST_F(KernelFixture, FinIsEofAfterTheData) {
  auto [a, b] = kernel.stream_pair(SocketKind::unix_stream, Owner::app, Owner::peer, "a", "b");
  (void)kernel.send(a, "hi");
  ASSERT_FALSE(kernel.shutdown_write(a));
  EXPECT_EQ(kernel.send(a, "more").error().code, Errc::broken_pipe);
  deliver_all();
  EXPECT_EQ(kernel.recv(b, 100).value(), "hi");
  IoResult<Bytes> eof = kernel.recv(b, 100);
  ASSERT_TRUE(eof.ok());
  EXPECT_TRUE(eof.value().empty());
}

TEST_F(KernelFixture, CloseWithUnreadDataSendsRst) {
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  (void)kernel.send(b, "unread");
  (void)kernel.send(a, "in flight");
  deliver_all();
  ASSERT_FALSE(kernel.close(a));
  deliver_all();
  // b's data arrived before the RST and stays readable; then ECONNRESET once, then EOF.
  EXPECT_EQ(kernel.recv(b, 100).value(), "in fligh");
  EXPECT_EQ(kernel.recv(b, 100).error().code, Errc::connection_reset);
  EXPECT_TRUE(kernel.recv(b, 100).value().empty());
  EXPECT_EQ(kernel.send(b, "x").error().code, Errc::broken_pipe);
}

TEST_F(KernelFixture, DataToAClosedSocketIsAnsweredWithRst) {
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  ASSERT_FALSE(kernel.close(b));  // nothing unread: FIN
  deliver_all();
  EXPECT_EQ(kernel.send(a, "late").value(), 4u);
  deliver_all();
  // a had seen the FIN (CLOSE_WAIT): Linux reports the RST as EPIPE to send and EOF to recv.
  EXPECT_EQ(kernel.send(a, "x").error().code, Errc::broken_pipe);
  EXPECT_TRUE(kernel.recv(a, 10).value().empty());
  EXPECT_EQ(kernel.stats(a).errors, 1u);
}

// O2 judges a graceful close only where no reset came after it, so a reset that left no other
// trace (both ends closed, the RST lost on the way) must still be in the fingerprint.
TEST_F(KernelFixture, AResetAfterCloseIsInTheFingerprint) {
  auto ends_closed = [this](bool data_after_close) {
    SimClock own_clock;
    FakeKernel k{own_clock, choices, tracer, config()};
    auto [a, b] = k.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
    EXPECT_FALSE(k.close(b));
    if (data_after_close) {
      EXPECT_EQ(k.send(a, "x").value(), 1u);  // reaches closed b: RST back
    }
    EXPECT_FALSE(k.close(a));
    for (std::vector<PendingEvent> events; k.collect(own_clock.now(), events), !events.empty(); events.clear()) {
      own_clock.advance_to(events.front().earliest);
      k.fire(events.front());
    }
    XxhStateHasher h(std::vector<const void*>{});
    k.fingerprint(h);
    return std::pair{k.stats(b).resets_after_close, h.digest()};
  };
  auto [resets_with, print_with] = ends_closed(true);
  auto [resets_without, print_without] = ends_closed(false);
  ASSERT_EQ(resets_with, 1u);
  ASSERT_EQ(resets_without, 0u);
  EXPECT_NE(print_with, print_without);
}

TEST_F(KernelFixture, RstBeforeAnyFinIsEconnresetOnce) {
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  ASSERT_FALSE(kernel.abortive_close(b));
  deliver_all();
  EXPECT_EQ(kernel.send(a, "x").error().code, Errc::connection_reset);
  EXPECT_EQ(kernel.send(a, "x").error().code, Errc::broken_pipe);
  EXPECT_TRUE(kernel.recv(a, 10).value().empty());
}

TEST_F(KernelFixture, ClosedFdIsEbadfAndNeverReady) {
  auto [a, b] = kernel.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  ASSERT_FALSE(kernel.close(a));
  EXPECT_EQ(kernel.recv(a, 1).error().code, Errc::bad_fd);
  EXPECT_TRUE(kernel.close(a).has_value());
  EXPECT_FALSE(kernel.readable(a)) << "epoll forgets a closed fd";
  EXPECT_FALSE(kernel.writable(a));
  EXPECT_TRUE(kernel.open_fds(Owner::app).empty());
  EXPECT_EQ(kernel.open_fds(Owner::peer), std::vector<int>{b});
}

TEST_F(KernelFixture, UnixDatagramQueueFullIsEagain) {
  int server = kernel.dgram_socket(SocketKind::unix_dgram, Owner::app, "/s");
  int client = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, "");
  EXPECT_TRUE(kernel.sendto(client, "1", "/s").ok());
  EXPECT_TRUE(kernel.sendto(client, "2", "/s").ok());
  EXPECT_TRUE(kernel.sendto(client, "3", "/s").would_block());
  EXPECT_EQ(kernel.sendto(client, "x", "/nobody").error().code, Errc::connection_refused);
  EXPECT_EQ(kernel.recvfrom(server, 100).value().data, "1");
  EXPECT_EQ(kernel.stats(server).dgrams_enqueued, 2u);
}

TEST_F(KernelFixture, UdpOverflowIsACountedDrop) {
  int server = kernel.dgram_socket(SocketKind::udp, Owner::app, "127.0.0.1:9");
  int client = kernel.dgram_socket(SocketKind::udp, Owner::peer, "");
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(kernel.sendto(client, "d", "127.0.0.1:9").ok());
  deliver_all();
  EXPECT_EQ(kernel.queued_datagrams(server), 2u);
  EXPECT_EQ(kernel.stats(server).dgrams_dropped, 1u);
}

TEST_F(KernelFixture, IcmpUnreachableSurfacesOnTheNextRecv) {
  int client = kernel.dgram_socket(SocketKind::udp, Owner::app, "127.0.0.1:40000");
  ASSERT_FALSE(kernel.connect_dgram(client, "127.0.0.1:7"));
  EXPECT_TRUE(kernel.sendto(client, "ping", "").ok());
  EXPECT_TRUE(kernel.recvfrom(client, 100).would_block());
  deliver_all();
  EXPECT_TRUE(kernel.readable(client));
  EXPECT_EQ(kernel.recvfrom(client, 100).error().code, Errc::connection_refused);
  EXPECT_TRUE(kernel.recvfrom(client, 100).would_block()) << "the report is consumed";
}

TEST_F(KernelFixture, CloseCountsTheDatagramsItDrops) {
  int server = kernel.dgram_socket(SocketKind::unix_dgram, Owner::app, "/s");
  int client = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, "");
  (void)kernel.sendto(client, "1", "/s");
  (void)kernel.sendto(client, "2", "/s");
  ASSERT_FALSE(kernel.close(server));
  EXPECT_EQ(kernel.stats(server).dropped_at_close, 2u);
  EXPECT_EQ(kernel.sendto(client, "3", "/s").error().code, Errc::connection_refused);
}

TEST_F(KernelFixture, ShortReadIsAFaultChoice) {
  PrefixChoiceSource faulty({ChoiceRecord{0, 2, ChoiceKind::fault_short_write},
                             ChoiceRecord{1, 2, ChoiceKind::fault_short_read}});
  FakeKernel k(clock, faulty, tracer, config());
  auto [a, b] = k.stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  ASSERT_EQ(k.send(a, "abcd").value(), 4u);
  std::vector<PendingEvent> events;
  k.collect(clock.now(), events);
  ASSERT_EQ(events.size(), 1u);
  k.fire(events[0]);
  EXPECT_EQ(k.recv(b, 100).value(), "ab");
  ASSERT_EQ(faulty.made().size(), 2u);
  EXPECT_EQ(faulty.made()[1].kind, ChoiceKind::fault_short_read);
}

}  // namespace
}  // namespace loopcheck
