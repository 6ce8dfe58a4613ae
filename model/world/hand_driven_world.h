// Test support: a world with one stream connection whose far end the test plays itself, through
// the kernel, between steps. Liveness and resource oracles (O4, O5) are off, because such a
// test pauses with the connection open on purpose; every other oracle keeps watching.
#pragma once

#include <memory>
#include <tuple>

#include "src/core/choice.h"
#include "model/world/world.h"

namespace loopcheck {

struct HandDrivenStream {
  HandDrivenStream(Protocol& protocol, std::size_t send_capacity, std::size_t recv_capacity,
                   bool faults = true) {
    WorldConfig config;
    config.kernel.stream_send_capacity = send_capacity;
    config.kernel.stream_recv_capacity = recv_capacity;
    config.kernel.faults = faults;
    config.oracles.set(Oracle::O4, false);
    config.oracles.set(Oracle::O5, false);
    world = std::make_unique<SimWorld>(config, choices);
    std::tie(app_fd, peer_fd) =
        world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "app", "peer");
    world->stream_transport(app_fd, protocol, nullptr);
  }
  // Runs until nothing is left to do (default choices); false if an oracle fired.
  bool settle(std::size_t max_steps = 10000) {
    world->run(max_steps);
    return !world->monitor().violated();
  }
  std::string violation() const {
    return world->monitor().violated() ? world->monitor().violation()->message : std::string();
  }

  FirstChoice choices;  // every choice takes its default: the test decides the rest
  std::unique_ptr<SimWorld> world;
  int app_fd = -1;
  int peer_fd = -1;
};

}  // namespace loopcheck
