// Completion mode: operations own their buffers until their one final completion, completions
// reach the loop through the poller, and cancel has its three real outcomes.
#include "model/fake_completion_port.h"

#include <gtest/gtest.h>

#include "model/choice_sources.h"
#include "model/world.h"

namespace loopcheck {
namespace {

struct PortFixture : ::testing::Test {
  explicit PortFixture(std::vector<ChoiceRecord> prefix = {}) : choices(std::move(prefix)) {
    config.oracles.set(Oracle::O5, false);  // tests stop with operations outstanding
    world = std::make_unique<SimWorld>(config, choices);
    std::tie(app, peer) = world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  }
  CompletionHandler record() {
    return [this](const CompletionResult& r) { results.push_back(r); };
  }
  void settle() { world->run(500); }

  WorldConfig config;
  PrefixChoiceSource choices;
  std::unique_ptr<SimWorld> world;
  int app = -1, peer = -1;
  std::vector<CompletionResult> results;
};

TEST_F(PortFixture, RecvCompletesWhenDataArrivesAndReleasesItsBuffer) {
  FakeCompletionPort& port = world->completions();
  ASSERT_TRUE(port.submit_recv(app, 100, Tag{nullptr, "recv"}, record()).ok());
  settle();
  EXPECT_TRUE(results.empty()) << "nothing to read yet";
  EXPECT_EQ(port.owned_buffers(), 1u);
  ASSERT_TRUE(world->kernel().send(peer, "hello").ok());
  settle();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].error);
  EXPECT_EQ(results[0].data, "hello");
  EXPECT_EQ(port.owned_buffers(), 0u);
}

TEST_F(PortFixture, SendCompletesWithTheBytesTheKernelTook) {
  ASSERT_TRUE(world->completions().submit_send(app, "payload", Tag{nullptr, "send"}, record()).ok());
  settle();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].transferred, 7u);
  EXPECT_EQ(world->kernel().recv(peer, 100).value(), "payload");
}

TEST_F(PortFixture, SubmitOnAClosedFdFailsAtOnceAndOwnsNothing) {
  ASSERT_FALSE(world->kernel().close(app));
  IoResult<OperationId> op = world->completions().submit_recv(app, 10, Tag{nullptr, "recv"}, record());
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, Errc::bad_fd);
  EXPECT_EQ(world->completions().owned_buffers(), 0u);
}

TEST_F(PortFixture, CancelOfAPendingOperationAborts) {
  FakeCompletionPort& port = world->completions();
  OperationId id = port.submit_recv(app, 10, Tag{nullptr, "recv"}, record()).value();
  EXPECT_FALSE(port.cancel(id)) << "cancel_race 0 = cancelled";
  settle();
  ASSERT_EQ(results.size(), 1u);
  ASSERT_TRUE(results[0].error);
  EXPECT_EQ(results[0].error->code, Errc::aborted);
  EXPECT_EQ(port.owned_buffers(), 0u);
}

// bpo-33694's race: the receive completed before the cancel. The cancel says NOT_FOUND, and the
// completion, with the bytes, is still delivered: whoever ignores it loses them.
TEST_F(PortFixture, CancelAfterCompletionIsNotFoundAndTheDataStillArrives) {
  FakeCompletionPort& port = world->completions();
  ASSERT_TRUE(world->kernel().send(peer, "176 bytes, say").ok());
  OperationId id = port.submit_recv(app, 100, Tag{nullptr, "recv"}, record()).value();
  // Let the kernel deliver and complete the operation, but stop before the loop runs it.
  for (int guard = 0; guard < 100 && !port.has_queued(); ++guard) {
    std::vector<PendingEvent> events;
    world->kernel().collect(world->clock().now(), events);
    port.collect(world->clock().now(), events);
    ASSERT_FALSE(events.empty());
    world->clock().advance_to(events.front().earliest);
    events.front().source->fire(events.front());
  }
  Status cancelled = port.cancel(id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->code, Errc::not_found);
  settle();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].error);
  EXPECT_EQ(results[0].data, "176 bytes, say");
}

struct AlreadyFixture : PortFixture {
  AlreadyFixture() : PortFixture({ChoiceRecord{2, 3, ChoiceKind::cancel_race}}) {}
};

// In progress: ALREADY, and (cancel_race 2) it completes with its data after all.
TEST_F(AlreadyFixture, CancelInProgressIsAlreadyAndMayStillComplete) {
  FakeCompletionPort& port = world->completions();
  OperationId id = port.submit_recv(app, 100, Tag{nullptr, "recv"}, record()).value();
  Status cancelled = port.cancel(id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->code, Errc::already);
  ASSERT_TRUE(world->kernel().send(peer, "late").ok());
  settle();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].data, "late");
}

TEST(CompletionAccounting, ABufferStillOwnedAtTheEndIsAResourceLeak) {
  PrefixChoiceSource choices{{}};
  WorldConfig config;
  SimWorld world(config, choices);
  auto [app, peer] = world.kernel().stream_pair(SocketKind::tcp, Owner::peer, Owner::peer, "a", "b");
  ASSERT_TRUE(world.completions().submit_recv(app, 10, Tag{nullptr, "recv"}, [](const CompletionResult&) {}).ok());
  EXPECT_EQ(world.run(100), RunEnd::violation);
  EXPECT_EQ(world.monitor().violation()->oracle, Oracle::O5);
  (void)peer;
}

}  // namespace
}  // namespace loopcheck
