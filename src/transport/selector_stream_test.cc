// SelectorStreamTransport's direct API, driven in a small simulated world.
#include "src/transport/selector_stream.h"

#include <gtest/gtest.h>

#include "model/oracles/observed_stream.h"
#include "model/world/hand_driven_world.h"
#include "model/world/state_fingerprint.h"
#include "src/transport/recording_protocols.h"

namespace loopcheck {
namespace {

struct StreamFixture : ::testing::Test {
  StreamFixture() { settle(); }
  // Runs until nothing is left to do; the monitor keeps checking the oracles meanwhile.
  void settle() { ASSERT_TRUE(hand.settle(500)) << hand.violation(); }
  Transport& t() { return *protocol.transport; }

  RecordingProtocol protocol;
  HandDrivenStream hand{protocol, 8, 64};
  std::unique_ptr<SimWorld>& world = hand.world;
  int peer_fd = hand.peer_fd;
};

TEST_F(StreamFixture, ConnectionMadeRunsFromTheLoopNotTheConstructor) {
  ASSERT_NE(protocol.transport, nullptr);
  EXPECT_TRUE(t().is_reading());
  EXPECT_FALSE(t().is_closing());
  EXPECT_EQ(t().get_extra_info("peername"), "peer");
}

TEST_F(StreamFixture, HighBelowLowIsRejectedAndNothingChanges) {
  Status status = t().set_write_buffer_limits(10, 20);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::invalid_argument);
  EXPECT_EQ(t().get_write_buffer_limits().high, 64u * 1024);
  EXPECT_FALSE(t().set_write_buffer_limits(std::nullopt, 100));
  EXPECT_EQ(t().get_write_buffer_limits().high, 400u);
}

TEST_F(StreamFixture, WritePastTheKernelBuffersAndPausesAboveHigh) {
  ASSERT_FALSE(t().set_write_buffer_limits(4, 1));
  EXPECT_FALSE(t().write("0123456789abcdefghij"));
  EXPECT_EQ(t().get_write_buffer_size(), 12u) << "8 bytes fit the kernel's send buffer";
  EXPECT_EQ(protocol.pauses, 1);
  settle();  // deliveries free the send buffer; write_ready flushes
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  EXPECT_EQ(protocol.resumes, 1);
  EXPECT_EQ(world->kernel().recv(peer_fd, 100).value(), "0123456789abcdefghij");
}

// asyncio's max_size: no recv asks for more; a size of 0, which would read as EOF, is refused.
TEST_F(StreamFixture, MaxSizeBoundsEachReadAndZeroIsRefused) {
  auto& selector = ObservedStream::beneath<SelectorStreamTransport>(t());
  Status refused = selector.set_max_size(0);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, Errc::invalid_argument);
  ASSERT_FALSE(selector.set_max_size(4));
  ASSERT_TRUE(world->kernel().send(peer_fd, "abcdef").ok());
  settle();
  EXPECT_EQ(protocol.received, "abcdef");
  EXPECT_EQ(protocol.data_calls, 2) << "4 bytes, then 2";
}

// A reduction merges states by fingerprint: once the connection is lost, neither how many
// writes came after it nor the limits set before it can change anything, so neither is hashed.
TEST_F(StreamFixture, AfterTheLossLateWritesAndOldLimitsAreNotHashed) {
  auto& selector = ObservedStream::beneath<SelectorStreamTransport>(t());
  auto print = [&selector] {
    XxhStateHasher h(std::vector<const void*>{});
    selector.fingerprint(h);
    return h.digest();
  };
  t().close();
  settle();
  ASSERT_EQ(protocol.lost, 1);
  std::uint64_t lost = print();
  EXPECT_TRUE(t().write("late"));
  EXPECT_EQ(print(), lost) << "a write after the loss";
  ASSERT_FALSE(t().set_write_buffer_limits(16, 4));
  EXPECT_EQ(print(), lost) << "limits that nothing will read";
}

TEST_F(StreamFixture, WriteAfterWriteEofIsAnError) {
  EXPECT_FALSE(t().write_eof());
  Status status = t().write("late");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->code, Errc::closed);
  settle();
  EXPECT_TRUE(world->kernel().recv(peer_fd, 100).value().empty()) << "the peer sees EOF";
}

TEST_F(StreamFixture, PauseAndResumeReadingAreIdempotent) {
  t().pause_reading();
  t().pause_reading();
  EXPECT_FALSE(t().is_reading());
  (void)world->kernel().send(peer_fd, "hello");
  settle();
  EXPECT_TRUE(protocol.received.empty());
  t().resume_reading();
  t().resume_reading();
  settle();
  EXPECT_EQ(protocol.received, "hello");
}

TEST_F(StreamFixture, EofReceivedTrueKeepsTheConnectionHalfOpen) {
  protocol.keep_open = true;
  (void)world->kernel().shutdown_write(peer_fd);
  settle();
  EXPECT_EQ(protocol.eofs, 1);
  EXPECT_FALSE(t().is_closing());
  EXPECT_FALSE(t().write("still here"));
  t().close();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_EQ(world->kernel().recv(peer_fd, 100).value(), "still here");
}

TEST_F(StreamFixture, EofReceivedFalseClosesTheTransport) {
  (void)world->kernel().shutdown_write(peer_fd);
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
}

TEST_F(StreamFixture, AbortDropsTheBufferAndLosesTheConnectionOnce) {
  (void)t().write("0123456789abcdef");
  t().abort();
  EXPECT_TRUE(t().is_closing());
  EXPECT_EQ(t().get_write_buffer_size(), 0u);
  t().abort();
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_FALSE(protocol.lost_error);
  Status late = t().write("x");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->code, Errc::closed);
}

TEST_F(StreamFixture, CloseWaitsForTheBufferToDrain) {
  (void)t().write("0123456789abcdef");
  t().close();
  EXPECT_TRUE(t().is_closing());
  EXPECT_EQ(protocol.lost, 0);
  settle();
  EXPECT_EQ(protocol.lost, 1);
  EXPECT_EQ(world->kernel().recv(peer_fd, 100).value(), "0123456789abcdef");
}

TEST_F(StreamFixture, PeerResetReachesConnectionLostAsAnError) {
  (void)world->kernel().send(peer_fd, "last words");
  (void)world->kernel().abortive_close(peer_fd);
  settle();
  EXPECT_EQ(protocol.received, "") << "an abortive close discards what it had not sent";
  ASSERT_EQ(protocol.lost, 1);
  ASSERT_TRUE(protocol.lost_error);
  EXPECT_EQ(protocol.lost_error->code, Errc::connection_reset);
}

}  // namespace
}  // namespace loopcheck

namespace loopcheck {
namespace {

// asyncio's BufferedProtocol on the selector transport: each recv goes straight into the
// buffer the protocol lends, no larger than that buffer (the recv_into path).
class SmallBufferProtocol final : public BufferedProtocol {
 public:
  explicit SmallBufferProtocol(std::size_t size) : buffer_(size, '\0') {}
  void connection_made(Transport& t) override { transport = &t; }
  std::span<char> get_buffer(std::int64_t) override { return std::span<char>(buffer_.data(), buffer_.size()); }
  void buffer_updated(std::size_t n) override {
    got += Bytes(buffer_.data(), n);
    sizes.push_back(n);
  }
  void connection_lost(std::optional<Error> e) override { error = e; ++lost; }
  Transport* transport = nullptr;
  Bytes got;
  std::vector<std::size_t> sizes;
  std::optional<Error> error;
  int lost = 0;

 private:
  Bytes buffer_;
};

TEST(SelectorBufferedProtocol, ReceivesIntoTheLentBufferNoMoreThanItHolds) {
  SmallBufferProtocol protocol(4);
  HandDrivenStream hand{protocol, 64, 64};
  ASSERT_TRUE(hand.settle());
  ASSERT_TRUE(hand.world->kernel().send(hand.peer_fd, "abcdef").ok());
  ASSERT_TRUE(hand.settle()) << hand.violation();
  EXPECT_EQ(protocol.got, "abcdef");
  ASSERT_EQ(protocol.sizes.size(), 2u);
  EXPECT_EQ(protocol.sizes[0], 4u);
  EXPECT_EQ(protocol.sizes[1], 2u);
}

// An empty buffer is the protocol's error (asyncio's RuntimeError): the connection fails with it.
TEST(SelectorBufferedProtocol, AnEmptyBufferFailsTheConnection) {
  SmallBufferProtocol protocol(0);
  HandDrivenStream hand{protocol, 64, 64};
  ASSERT_TRUE(hand.settle());
  ASSERT_TRUE(hand.world->kernel().send(hand.peer_fd, "x").ok());
  ASSERT_TRUE(hand.settle()) << hand.violation();
  EXPECT_EQ(protocol.lost, 1);
  ASSERT_TRUE(protocol.error);
  EXPECT_NE(protocol.error->message.find("get_buffer"), std::string::npos);
}

// Between a force_close and its connection_lost callback, the error that callback will carry is
// only in the transport: the fingerprint must see it (the loop hashes a callback by its label).
TEST(SelectorLossWaiting, TheErrorAWaitingConnectionLostWillCarryIsHashed) {
  auto waiting_loss = [](std::optional<Error> error) {
    RecordingProtocol protocol;
    HandDrivenStream hand{protocol, 8, 64};
    EXPECT_TRUE(hand.settle(500));
    Transport& t = *protocol.transport;
    t.force_close(std::move(error));
    EXPECT_EQ(protocol.lost, 0) << "the callback waits";
    XxhStateHasher h(std::vector<const void*>{});
    ObservedStream::beneath<SelectorStreamTransport>(t).fingerprint(h);
    return h.digest();
  };
  EXPECT_NE(waiting_loss(std::nullopt), waiting_loss(make_error(Errc::connection_reset, "reset by peer")));
}

}  // namespace
}  // namespace loopcheck
