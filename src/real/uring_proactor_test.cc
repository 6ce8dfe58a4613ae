// The io_uring binding keeps the completion API's contract on a real kernel: buffers are owned
// until the final completion, and cancel answers with the real race's three outcomes. Skipped,
// with the reason, where io_uring is unavailable.
#include "src/real/uring_proactor.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include "src/real/posix_sockets.h"

namespace loopcheck {
namespace {

class UringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = UringProactor::create();
    if (auto* why = std::get_if<std::string>(&created)) GTEST_SKIP() << *why;
    port = std::move(std::get<std::unique_ptr<UringProactor>>(created));
    auto pair = PosixSockets::stream_socketpair();
    ASSERT_TRUE(pair.ok());
    std::tie(a, b) = pair.value();
  }
  void TearDown() override {
    port.reset();  // before the fds close: it cancels and reaps what is outstanding
    if (a >= 0) ::close(a);
    if (b >= 0) ::close(b);
  }
  // Waits (bounded) for completions and runs them, as the loop would.
  void run_completions(std::size_t want) {
    for (int round = 0; round < 200 && ran < want; ++round) {
      pollfd p{port->notify_fd(), POLLIN, 0};
      (void)::poll(&p, 1, 10);
      std::vector<PollEvent> events;
      port->take_queued(events);
      for (PollEvent& e : events) {
        e.completion->fn();
        ++ran;
      }
    }
  }
  CompletionHandler keep() {
    return [this](const CompletionResult& r) { results.push_back(r); };
  }

  std::unique_ptr<UringProactor> port;
  int a = -1, b = -1;
  std::size_t ran = 0;
  std::vector<CompletionResult> results;
};

TEST_F(UringTest, RecvAndSendCompleteAndReleaseTheirBuffers) {
  ASSERT_TRUE(port->submit_recv(a, 64, Tag{nullptr, "recv"}, keep()).ok());
  ASSERT_TRUE(port->submit_send(b, "hello", Tag{nullptr, "send"}, keep()).ok());
  run_completions(2);
  ASSERT_EQ(results.size(), 2u);
  std::size_t sent = results[0].transferred + results[1].transferred;
  Bytes got = results[0].data + results[1].data;
  EXPECT_EQ(sent, 5u);
  EXPECT_EQ(got, "hello");
  EXPECT_EQ(port->owned_buffers(), 0u);
  EXPECT_EQ(port->reads_with_data(), 1u);
  EXPECT_EQ(port->bytes_read(), 5u);
}

TEST_F(UringTest, CancelOfAPendingRecvEndsItWithAborted) {
  OperationId id = port->submit_recv(a, 64, Tag{nullptr, "recv"}, keep()).value();
  EXPECT_FALSE(port->cancel(id)) << "nothing to read: the recv is pending, so the cancel succeeds";
  run_completions(1);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].error);
  EXPECT_EQ(results[0].error->code, Errc::aborted);
  EXPECT_EQ(port->owned_buffers(), 0u);
  EXPECT_EQ(port->reads_with_data(), 0u) << "a cancelled read brought nothing";
}

// The write-up's race, made certain: the recv completes, its CQE waits unreaped, and then the
// cancel comes. The kernel says ENOENT, and the CQE still carries the data.
TEST_F(UringTest, CancelAfterTheRecvCompletedIsNotFoundAndTheDataStillArrives) {
  OperationId id = port->submit_recv(a, 64, Tag{nullptr, "recv"}, keep()).value();
  ASSERT_EQ(::write(b, "176 bytes", 9), 9);
  for (int i = 0; i < 200 && !port->has_queued(); ++i) {
    pollfd p{port->notify_fd(), POLLIN, 0};
    (void)::poll(&p, 1, 10);
  }
  ASSERT_TRUE(port->has_queued());
  Status cancelled = port->cancel(id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->code, Errc::not_found);
  run_completions(1);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].data, "176 bytes");
  EXPECT_EQ(port->silent_loss_bytes(), 9u) << "the handler did not settle the data it got after the cancel";
}

TEST_F(UringTest, SettledDataAfterACancelIsNotALoss) {
  OperationId id = port->submit_recv(a, 64, Tag{nullptr, "recv"}, [this](const CompletionResult& r) {
                         port->settle(r.id, r.data.size(), Settlement::discarded);
                       }).value();
  ASSERT_EQ(::write(b, "late", 4), 4);
  for (int i = 0; i < 200 && !port->has_queued(); ++i) {
    pollfd p{port->notify_fd(), POLLIN, 0};
    (void)::poll(&p, 1, 10);
  }
  (void)port->cancel(id);
  run_completions(1);
  EXPECT_EQ(port->silent_loss_bytes(), 0u);
  EXPECT_EQ(port->discarded_bytes(), 4u);
}

TEST_F(UringTest, DatagramsCarryTheirSenderAndReachTheirAddress) {
  auto rx = PosixSockets::dgram_socket(false, "127.0.0.1:0");
  auto tx = PosixSockets::dgram_socket(false, "127.0.0.1:0");
  ASSERT_TRUE(rx.ok() && tx.ok());
  PosixSockets sockets;
  ASSERT_TRUE(port->submit_recvfrom(rx.value(), 64, Tag{nullptr, "recvfrom"}, keep()).ok());
  ASSERT_TRUE(port->submit_sendto(tx.value(), "ping", sockets.sockname(rx.value()), Tag{nullptr, "sendto"}, keep()).ok());
  run_completions(2);
  ASSERT_EQ(results.size(), 2u);
  const CompletionResult& got = results[0].data.empty() ? results[1] : results[0];
  EXPECT_EQ(got.data, "ping");
  EXPECT_EQ(got.from, sockets.sockname(tx.value()));
  port.reset();
  ::close(rx.value());
  ::close(tx.value());
}

TEST_F(UringTest, ABadAddressFailsAtOnceAndOwnsNothing) {
  IoResult<OperationId> op = port->submit_sendto(a, "x", "not an address", Tag{nullptr, "sendto"}, keep());
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, Errc::invalid_argument);
  EXPECT_EQ(port->owned_buffers(), 0u);
}

}  // namespace
}  // namespace loopcheck
