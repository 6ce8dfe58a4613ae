// Completion mode: operations own their buffers until their one final completion, completions
// reach the loop through the poller, and cancel has its three real outcomes.
#include "model/world/fake_completion_port.h"

#include <gtest/gtest.h>

#include "model/engines/choice_sources.h"
#include "model/world/state_fingerprint.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

struct PortFixture : ::testing::Test {
  explicit PortFixture(std::vector<ChoiceRecord> prefix = {}) : choices(std::move(prefix)) {
    config.oracles.set(Oracle::O5, false);  // tests stop with operations outstanding
    config.kernel.faults = false;            // the only choices are the ones a test gives
    world = std::make_unique<SimWorld>(config, choices);
    std::tie(app, peer) = world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  }
  CompletionHandler record() {
    return [this](const CompletionResult& r) { results.push_back(r); };
  }
  void settle() { world->run(500); }
  // Delivers what the peer sent to the app socket without completing the operations waiting
  // for it: only an operation the kernel could carry out now can be in progress at a cancel.
  void make_ready() {
    for (int guard = 0; guard < 100 && !world->kernel().readable(app); ++guard) {
      std::vector<PendingEvent> events;
      world->kernel().collect(world->clock().now(), events);
      ASSERT_FALSE(events.empty());
      world->clock().advance_to(events.front().earliest);
      events.front().source->fire(events.front());
    }
  }

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

// A recv still waiting for data is not in progress: its cancel always succeeds, with no choice.
TEST_F(AlreadyFixture, CancelOfAnOperationWaitingForDataIsNeverAlready) {
  FakeCompletionPort& port = world->completions();
  OperationId id = port.submit_recv(app, 10, Tag{nullptr, "recv"}, record()).value();
  EXPECT_FALSE(port.cancel(id)) << "the cancel_race choice must not even be asked";
  settle();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].error->code, Errc::aborted);
}

// In progress: ALREADY, and (cancel_race 2) it completes with its data after all.
TEST_F(AlreadyFixture, CancelInProgressIsAlreadyAndMayStillComplete) {
  FakeCompletionPort& port = world->completions();
  OperationId id = port.submit_recv(app, 100, Tag{nullptr, "recv"}, record()).value();
  ASSERT_TRUE(world->kernel().send(peer, "late").ok());
  make_ready();
  Status cancelled = port.cancel(id);
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->code, Errc::already);
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

// O9: data that completes after its cancel must be settled by the handler. A handler that
// forgets the operation (bpo-33694's transport) loses it silently, and the port says so.
TEST_F(AlreadyFixture, DataAfterACancelThatNobodySettlesIsASilentLoss) {
  FakeCompletionPort& port = world->completions();
  OperationId id = port.submit_recv(app, 100, Tag{nullptr, "recv"}, [](const CompletionResult&) {}).value();
  ASSERT_TRUE(world->kernel().send(peer, "lost").ok());
  make_ready();
  ASSERT_TRUE(port.cancel(id));
  EXPECT_EQ(world->run(500), RunEnd::violation);
  EXPECT_EQ(world->monitor().violation()->oracle, Oracle::O9);
  ASSERT_EQ(port.silent_losses().size(), 1u);
  EXPECT_NE(port.silent_losses()[0].find("4 bytes"), std::string::npos);
}

TEST_F(AlreadyFixture, DataAfterACancelThatIsDiscardedOnPurposeIsCounted) {
  FakeCompletionPort& port = world->completions();
  OperationId id = port.submit_recv(app, 100, Tag{nullptr, "recv"}, [&port](const CompletionResult& r) {
                         port.settle(r.id, r.data.size(), Settlement::discarded);
                       }).value();
  ASSERT_TRUE(world->kernel().send(peer, "kept").ok());
  make_ready();
  ASSERT_TRUE(port.cancel(id));
  settle();
  EXPECT_FALSE(world->monitor().violated());
  EXPECT_TRUE(port.silent_losses().empty());
  EXPECT_EQ(port.discarded_bytes(), 4u);
}

struct SubmitFaultFixture : PortFixture {
  SubmitFaultFixture() : PortFixture({ChoiceRecord{1, 2, ChoiceKind::fault_submit}}) {}
  // Rebuilds the world with submit faults on (nothing has consumed a choice yet).
  void make(bool with_bug) {
    config.kernel.submit_faults = true;
    config.bugs.set(Bug::bpo_32710, with_bug);
    world = std::make_unique<SimWorld>(config, choices);
    std::tie(app, peer) = world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
  }
};

// An immediate failure hands the buffer straight back: no completion will ever come for it.
TEST_F(SubmitFaultFixture, AnImmediateFailureReleasesTheBuffer) {
  make(false);
  IoResult<OperationId> op = world->completions().submit_send(app, "payload", Tag{nullptr, "send"}, record());
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.error().code, Errc::connection_reset);
  settle();
  EXPECT_TRUE(results.empty());
  EXPECT_EQ(world->completions().owned_buffers(), 0u);
}

// bpo-32710: the binding keeps what it was handed, and the buffer is never released.
TEST_F(SubmitFaultFixture, WithTheSwitchOnAnImmediateFailureLeaksTheBuffer) {
  make(true);
  ASSERT_FALSE(world->completions().submit_send(app, "payload", Tag{nullptr, "send"}, record()).ok());
  settle();
  EXPECT_TRUE(results.empty());
  EXPECT_EQ(world->completions().owned_buffers(), 1u);
}

// A world with the app's UDP socket at 10.0.0.1:1, no faults, operations left outstanding.
struct DatagramWorld {
  static WorldConfig quiet() {
    WorldConfig config;
    config.kernel.faults = false;
    config.oracles.set(Oracle::O5, false);
    return config;
  }
  PrefixChoiceSource choices{{}};
  WorldConfig config = quiet();
  SimWorld world{config, choices};
  int app = world.kernel().dgram_socket(SocketKind::udp, Owner::app, "10.0.0.1:1");
};

TEST(DatagramCompletions, RecvfromCarriesTheSenderAndSendtoReachesItsAddress) {
  DatagramWorld w;
  SimWorld& world = w.world;
  int a = w.app;
  int b = world.kernel().dgram_socket(SocketKind::udp, Owner::peer, "10.0.0.2:2");
  std::vector<CompletionResult> got;
  auto keep = [&got](const CompletionResult& r) { got.push_back(r); };
  ASSERT_TRUE(world.completions().submit_recvfrom(a, 100, Tag{nullptr, "recvfrom"}, keep).ok());
  ASSERT_TRUE(world.completions().submit_sendto(b, "ping", "10.0.0.1:1", Tag{nullptr, "sendto"}, keep).ok());
  world.run(500);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].transferred, 4u) << "the send completes first: its datagram is what the recv waits for";
  EXPECT_EQ(got[1].data, "ping");
  EXPECT_EQ(got[1].from, "10.0.0.2:2");
}

// A completed recvfrom waits in the port until the loop takes it; who sent the datagram is then
// only in the port, and the app will be told it: the fingerprint must tell the two apart.
TEST(DatagramCompletions, TheSenderOfACompletedRecvfromIsHashed) {
  auto completed_from = [](int sender) {
    DatagramWorld w;
    SimWorld& world = w.world;
    int a = w.app;
    int senders[] = {world.kernel().dgram_socket(SocketKind::udp, Owner::peer, "10.0.0.2:2"),
                     world.kernel().dgram_socket(SocketKind::udp, Owner::peer, "10.0.0.3:3")};
    FakeCompletionPort& port = world.completions();
    EXPECT_TRUE(port.submit_recvfrom(a, 100, Tag{nullptr, "recvfrom"}, [](const CompletionResult&) {}).ok());
    EXPECT_TRUE(world.kernel().sendto(senders[sender], "ping", "10.0.0.1:1").ok());
    for (int guard = 0; guard < 100 && !port.has_queued(); ++guard) {
      std::vector<PendingEvent> events;
      world.kernel().collect(world.clock().now(), events);
      port.collect(world.clock().now(), events);
      if (events.empty()) break;
      world.clock().advance_to(events.front().earliest);
      events.front().source->fire(events.front());
    }
    EXPECT_TRUE(port.has_queued()) << "completed, not yet taken by the loop";
    XxhStateHasher h(std::vector<const void*>{});
    port.fingerprint(h);
    return h.digest();
  };
  EXPECT_NE(completed_from(0), completed_from(1));
}

}  // namespace
}  // namespace loopcheck
