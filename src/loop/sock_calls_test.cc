// loop.sock_recv / sock_sendall in a small simulated world, the far end played by hand.
#include "src/loop/sock_calls.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <tuple>

#include "src/core/choice.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

struct SockCallsFixture : ::testing::Test {
  SockCallsFixture() {
    WorldConfig config;
    config.kernel.faults = false;
    config.kernel.stream_send_capacity = 8;
    config.oracles.set(Oracle::O5, false);  // the tests end with their sockets open
    world = std::make_unique<SimWorld>(config, choices);
    std::tie(app_fd, peer_fd) = world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "app", "peer");
  }
  void settle() { world->run(1000); }

  FirstChoice choices;
  std::unique_ptr<SimWorld> world;
  int app_fd = -1, peer_fd = -1;
};

TEST_F(SockCallsFixture, RecvAnswersAtOnceWhenDataIsThere) {
  ASSERT_TRUE(world->kernel().send(peer_fd, "hello").ok());
  settle();
  std::optional<Bytes> got;
  sock_recv(world->loop(), world->kernel(), {app_fd, false}, 100, [&](IoResult<Bytes> r) { got = r.value(); });
  ASSERT_TRUE(got) << "no await needed, no turn taken";
  EXPECT_EQ(*got, "hello");
}

TEST_F(SockCallsFixture, RecvWaitsForReadabilityThenLetsTheFdGo) {
  std::optional<Bytes> got;
  sock_recv(world->loop(), world->kernel(), {app_fd, false}, 100, [&](IoResult<Bytes> r) { got = r.value(); });
  EXPECT_FALSE(got);
  EXPECT_EQ(world->loop().registration_count(), 1u);
  ASSERT_TRUE(world->kernel().send(peer_fd, "late").ok());
  settle();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "late");
  EXPECT_EQ(world->loop().registration_count(), 0u);
}

TEST_F(SockCallsFixture, SendallFinishesWhatTheKernelCouldNotTakeAtOnce) {
  std::optional<Status> done;
  sock_sendall(world->loop(), world->kernel(), {app_fd, false}, "0123456789abcdef", [&](Status s) { done = s; });
  EXPECT_FALSE(done) << "8 bytes fit; the rest waits for writability";
  Bytes got;
  for (int i = 0; i < 10 && got.size() < 16; ++i) {
    settle();
    IoResult<Bytes> r = world->kernel().recv(peer_fd, 100);
    if (r.ok()) got += r.value();
  }
  ASSERT_TRUE(done);
  EXPECT_FALSE(*done);
  EXPECT_EQ(got, "0123456789abcdef");
}

TEST_F(SockCallsFixture, AnSslSocketIsRefusedWithTypeError) {
  std::optional<Error> recv_error, send_error;
  sock_recv(world->loop(), world->kernel(), {app_fd, true}, 100, [&](IoResult<Bytes> r) { recv_error = r.error(); });
  sock_sendall(world->loop(), world->kernel(), {app_fd, true}, "x", [&](Status s) { send_error = s; });
  ASSERT_TRUE(recv_error && send_error);
  EXPECT_NE(recv_error->message.find("TypeError"), std::string::npos);
  EXPECT_EQ(send_error->code, Errc::invalid_argument);
  EXPECT_EQ(world->loop().registration_count(), 0u) << "refused before anything was registered";
}

}  // namespace
}  // namespace loopcheck
