// Test support for the proactor transports: the same idea as hand_driven_world.h (the test plays
// the far end itself, through the kernel, between steps), over overlapped I/O. Liveness and
// resource oracles (O4, O5) are off, because such a test pauses with operations outstanding on
// purpose; every other oracle keeps watching.
//
// Every choice takes its default (kernel order, no fault, a cancel simply cancels) unless the
// test sets an answer for a kind, e.g. `hand.choices.answer[ChoiceKind::cancel_race] = 2` for a
// cancel that meets a read already completing with data.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "src/core/choice.h"
#include "model/world/world.h"

namespace loopcheck {

// Answers 0 to every choice, except the kinds the test gave an answer for.
struct ChoicesByKind final : ChoiceSource {
  std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override {
    auto it = answer.find(kind);
    return it == answer.end() ? 0 : std::min(it->second, n - 1);
  }
  std::map<ChoiceKind, std::uint32_t> answer;
};

struct HandDrivenProactorBase {
  explicit HandDrivenProactorBase(WorldConfig config) {
    config.oracles.set(Oracle::O4, false);
    config.oracles.set(Oracle::O5, false);
    world = std::make_unique<SimWorld>(config, choices);
  }
  // Runs until nothing is left to do; false if an oracle fired.
  bool settle(std::size_t max_steps = 10000) {
    world->run(max_steps);
    return !world->monitor().violated();
  }
  std::string violation() const {
    return world->monitor().violated() ? world->monitor().violation()->message : std::string();
  }
  // Operations the port still owns a buffer of (outstanding recv/send, or completions not yet run).
  std::size_t outstanding() const { return world->completions().owned_buffers(); }

  ChoicesByKind choices;
  std::unique_ptr<SimWorld> world;
};

// One TCP connection, "app" <-> "peer", the app end driven by a ProactorStreamTransport.
struct HandDrivenProactorStream : HandDrivenProactorBase {
  HandDrivenProactorStream(Protocol& protocol, std::size_t send_capacity, std::size_t recv_capacity)
      : HandDrivenProactorBase(config_for(send_capacity, recv_capacity)) {
    std::tie(app_fd, peer_fd) =
        world->kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "app", "peer");
    world->proactor_stream_transport(app_fd, protocol, nullptr);
  }
  static WorldConfig config_for(std::size_t send_capacity, std::size_t recv_capacity) {
    WorldConfig config;
    config.kernel.stream_send_capacity = send_capacity;
    config.kernel.stream_recv_capacity = recv_capacity;
    return config;
  }

  int app_fd = -1;
  int peer_fd = -1;
};

// A world for datagram tests: the test makes its peer sockets with kernel().dgram_socket(), then
// start() makes the app socket bound to `bind` (and connected to `connect` unless empty), driven
// by a ProactorDatagramTransport.
struct HandDrivenProactorDatagram : HandDrivenProactorBase {
  explicit HandDrivenProactorDatagram(std::size_t queue_packets = 8)
      : HandDrivenProactorBase(config_for(queue_packets)) {}
  void start(DatagramProtocol& protocol, SocketKind kind, const Address& bind, const Address& connect) {
    app_fd = world->kernel().dgram_socket(kind, Owner::app, bind);
    if (!connect.empty()) (void)world->kernel().connect_dgram(app_fd, connect);
    world->proactor_datagram_transport(app_fd, protocol, connect);
  }
  static WorldConfig config_for(std::size_t queue_packets) {
    WorldConfig config;
    config.kernel.dgram_queue_packets = queue_packets;
    return config;
  }

  int app_fd = -1;
};

}  // namespace loopcheck
