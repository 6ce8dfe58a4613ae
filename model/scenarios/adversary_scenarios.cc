// The `<family>-adversary` scenarios: each transport family with an adversarial application in
// place of a scripted one (model/apps/adversary_*), so exploration tries every call the app
// could make wherever it could make it, within a budget of app actions.
#include <memory>
#include <string>

#include "model/apps/adversary_datagram.h"
#include "model/apps/adversary_stream.h"
#include "model/scenarios/scenarios.h"

namespace loopcheck {
namespace {

Bounds adversary_bounds(std::size_t steps, int preemptions, int faults, int app_actions) {
  Bounds bounds{steps, preemptions, faults};
  bounds.max_app_actions = app_actions;
  return bounds;
}

// A sender peer streams `bytes` and half-closes, reading everything the app writes until EOF;
// small kernel buffers make the app's large writes back up, so flow control has work to do.
class StreamAdversary final : public Scenario {
 public:
  explicit StreamAdversary(bool proactor) : proactor_(proactor) {}
  std::string_view name() const override {
    return proactor_ ? "proactor-stream-adversary" : "selector-stream-adversary";
  }
  std::string_view family() const override { return proactor_ ? "proactor stream" : "selector stream"; }
  std::string_view summary() const override {
    return "the app may call any transport method in any callback or idle turn; the peer sends and half-closes";
  }
  Params default_params() const override {
    // The proactor app gets two idle turns: pausing needs a later turn to resume in.
    return {{"bytes", 30}, {"chunk", 30}, {"turns", proactor_ ? 2 : 1}, {"period_us", 20}, {"high", 64}};
  }
  ParamRange param_range(std::string_view key) const override {
    if (key == "turns") return {1, 10, ""};
    return default_param_range(key);
  }
  Bounds default_bounds() const override {
    return proactor_ ? adversary_bounds(300, 0, 1, 1) : adversary_bounds(300, 1, 0, 2);
  }
  bool explore_with_reduction() const override { return true; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;
    config.stream_send_capacity = 128;
    config.stream_recv_capacity = 128;
    config.submit_faults = proactor_;  // a submission may fail at once (a fault: bounded)
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_sender_peer(world, peer_fd, p, "sender peer", SenderPeer::Ending::fin);
    auto& app = world.own(std::make_unique<AdversaryStream>(
        world, static_cast<int>(param(p, "turns", 2)), param(p, "period_us", 20) * kMicrosecond,
        static_cast<std::size_t>(param(p, "high", 64)), /*close_at_end=*/false, /*writelines=*/!proactor_));
    if (proactor_) {
      world.proactor_stream_transport(app_fd, app, &peer);
    } else {
      world.stream_transport(app_fd, app, &peer);
    }
  }

 private:
  bool proactor_;
};

// The app's socket is connected to an echo server that binds late: datagrams sent before it is
// up come back as ICMP errors, later ones as echoes that may queue up before the app reads.
class DatagramAdversary final : public Scenario {
 public:
  explicit DatagramAdversary(bool proactor) : proactor_(proactor) {}
  std::string_view name() const override {
    return proactor_ ? "proactor-dgram-adversary" : "selector-dgram-adversary";
  }
  std::string_view family() const override { return proactor_ ? "proactor datagram" : "selector datagram"; }
  std::string_view summary() const override {
    return "the app may sendto, close or abort in any callback or idle turn; its server binds late";
  }
  Params default_params() const override { return {{"bind_after_us", 15}, {"turns", 2}, {"period_us", 20}}; }
  ParamRange param_range(std::string_view key) const override {
    if (key == "turns") return {1, 10, ""};
    return default_param_range(key);
  }
  Bounds default_bounds() const override { return adversary_bounds(300, 1, 0, 2); }
  bool explore_with_reduction() const override { return true; }
  void setup(SimWorld& world, const Params& p) const override {
    int app_fd = late_echo_server(world, param(p, "bind_after_us", 0) * kMicrosecond);
    auto& app = world.own(std::make_unique<AdversaryDatagram>(
        world, static_cast<int>(param(p, "turns", 2)), param(p, "period_us", 20) * kMicrosecond));
    if (proactor_) {
      world.proactor_datagram_transport(app_fd, app, "127.0.0.1:7");
    } else {
      world.datagram_transport(app_fd, app, "127.0.0.1:7");
    }
  }

 private:
  bool proactor_;
};

// The same adversary where a send can block: an AF_UNIX datagram socket whose slow receiver
// holds one datagram at a time, so a second sendto() queues in the transport and a close()
// must flush that queue before connection_lost (what bpo-38471 broke). Selector only: the
// proactor transport has one sendto outstanding and no such queue to flush.
class DatagramSinkAdversary final : public Scenario {
 public:
  std::string_view name() const override { return "selector-dgram-sink-adversary"; }
  std::string_view family() const override { return "selector datagram"; }
  std::string_view summary() const override {
    return "the app may sendto, close or abort in any callback or idle turn; its AF_UNIX receiver is slow";
  }
  Params default_params() const override { return {{"turns", 2}, {"period_us", 20}}; }
  ParamRange param_range(std::string_view key) const override {
    if (key == "turns") return {1, 10, ""};
    return default_param_range(key);
  }
  Bounds default_bounds() const override { return adversary_bounds(300, 1, 0, 2); }
  bool explore_with_reduction() const override { return true; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;
    config.dgram_queue_packets = 1;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    int app_fd = slow_unix_sink(world);
    auto& app = world.own(std::make_unique<AdversaryDatagram>(
        world, static_cast<int>(param(p, "turns", 2)), param(p, "period_us", 20) * kMicrosecond));
    world.datagram_transport(app_fd, app, "/tmp/sink.sock");
  }
};

}  // namespace

const Scenario& selector_dgram_sink_adversary_scenario() {
  static const DatagramSinkAdversary kScenario;
  return kScenario;
}

const Scenario& selector_stream_adversary_scenario() {
  static const StreamAdversary kScenario(false);
  return kScenario;
}
const Scenario& proactor_stream_adversary_scenario() {
  static const StreamAdversary kScenario(true);
  return kScenario;
}
const Scenario& selector_dgram_adversary_scenario() {
  static const DatagramAdversary kScenario(false);
  return kScenario;
}
const Scenario& proactor_dgram_adversary_scenario() {
  static const DatagramAdversary kScenario(true);
  return kScenario;
}

}  // namespace loopcheck
