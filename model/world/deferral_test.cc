// Deferral's check: a step that touches what a waiting environment event may reach is a
// conflict, and only then; the reach grows to the other end, in-flight targets, peers and the
// completion queue.
#include "model/world/deferral.h"

#include <gtest/gtest.h>

#include "model/engines/choice_sources.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

struct DeferralFixture : ::testing::Test {
  DeferralFixture() {
    std::tie(app, peer) = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "a", "b");
    poller.attach(world.completions());
  }
  static WorldConfig quiet() {
    WorldConfig config;
    config.kernel.faults = false;  // the only choices are the ones a test makes
    return config;
  }
  // What a step touched, given what waits: the conflict's resource, if any.
  template <typename Step>
  std::optional<int> after(const std::vector<Reach>& waiting, Step step) {
    deferral.watch(world.kernel());
    step();
    return deferral.check(world.kernel(), world.completions(), sources, waiting);
  }
  Reach peer_send() const { return Reach{true, peer, app, false}; }

  PrefixChoiceSource choices{{}};
  SimWorld world{quiet(), choices};
  SimPoller poller{world.kernel()};
  std::vector<EventSource*> sources;
  Deferral deferral;
  int app = -1, peer = -1;
};

TEST_F(DeferralFixture, ReadingTheSocketAPeerWritesIsAConflict) {
  EXPECT_EQ(after({peer_send()}, [&] { (void)world.kernel().recv(app, 10); }), app);
}

TEST_F(DeferralFixture, SubmittingAnOperationIsNot) {
  // Submitting asks only whether the app's fd is open, which only the app's close() changes.
  EXPECT_EQ(after({peer_send()}, [&] { (void)world.completions().submit_recv(app, 10, Tag{}, [](const CompletionResult&) {}); }),
            std::nullopt);
}

TEST_F(DeferralFixture, CancellingAnOperationOnThatSocketIs) {
  OperationId id = world.completions().submit_recv(app, 10, Tag{}, [](const CompletionResult&) {}).value();
  EXPECT_EQ(after({peer_send()}, [&] { (void)world.completions().cancel(id); }), app);
}

TEST_F(DeferralFixture, APollDependsOnTheWaitingOnlyWhenTheyCanFinishAnOperation) {
  std::vector<PollEvent> events;
  EXPECT_EQ(after({peer_send()}, [&] { poller.poll(Nanos{0}, events); }), std::nullopt);
  (void)world.completions().submit_recv(app, 10, Tag{}, [](const CompletionResult&) {});
  EXPECT_EQ(after({peer_send()}, [&] { poller.poll(Nanos{0}, events); }), FakeKernel::kCompletionQueue);
}

TEST_F(DeferralFixture, TheReachGrowsToTheOtherEnd) {
  // A delivery into the peer's socket may wake the peer, who writes to the app's.
  Reach into_peer{true, peer, -1, false};
  EXPECT_EQ(after({into_peer}, [&] { (void)world.kernel().send(app, "x"); }), app);
}

TEST_F(DeferralFixture, OtherSocketsAreNotReached) {
  int other_app = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "c", "d").first;
  EXPECT_EQ(after({peer_send()}, [&] { (void)world.kernel().send(other_app, "x"); }), std::nullopt);
}

TEST_F(DeferralFixture, AnEventOfUnknownReachReachesEverything) {
  int other_app = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "c", "d").first;
  EXPECT_EQ(after({Reach{}}, [&] { (void)world.kernel().send(other_app, "x"); }), other_app);
}

TEST_F(DeferralFixture, NothingTouchedIsNoConflict) {
  EXPECT_EQ(after({Reach{}}, [] {}), std::nullopt);
}

}  // namespace
}  // namespace loopcheck
