// Datagram scenarios: clean workloads and the exposures of dgram-drain, bpo-38471 and gh-91227.
// Each runs on the selector transport, and (named proactor-dgram-*) on the proactor transport
// over overlapped recvfrom/sendto, where the same obligations must hold.
#include <algorithm>
#include <memory>
#include <string>

#include "model/apps/app_datagram.h"
#include "model/world/peers.h"
#include "model/scenarios/scenarios.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

// The same workload on either datagram transport.
enum class Binding { selector, proactor };

DatagramTransport& attach(SimWorld& world, Binding binding, int fd, DatagramProtocol& app, Address connected = {}) {
  if (binding == Binding::proactor) return world.proactor_datagram_transport(fd, app, std::move(connected));
  return world.datagram_transport(fd, app, std::move(connected));
}

// A scenario that exists for both bindings: the proactor one is named "proactor-" + name.
class DatagramScenario : public Scenario {
 public:
  DatagramScenario(Binding binding, std::string_view name)
      : binding_(binding), name_(binding == Binding::proactor ? "proactor-" + std::string(name) : std::string(name)) {}
  std::string_view name() const final { return name_; }
  std::string_view family() const final {
    return binding_ == Binding::proactor ? "proactor datagram" : "selector datagram";
  }

 protected:
  Binding binding_;

 private:
  std::string name_;
};

std::size_t count_param(const Params& p, const char* key) {
  return static_cast<std::size_t>(param(p, key, 0));
}

// ---- dgram-echo --------------------------------------------------------------------------
// Pings are numbered; unanswered ones are sent again on a timer, as any UDP client must do,
// since the network may drop a datagram (a fault the engines can inject). Out of retries it
// gives up (AppDatagram::give_up), owed only the replies that had reached its socket.
class PingClient final : public AppDatagram {
 public:
  PingClient(SimWorld& world, const Params& p, int fd)
      : AppDatagram(world),
        fd_(fd),
        count_(count_param(p, "count")),
        retries_(count_param(p, "retries")),
        retry_after_(timing_param(p, "retry")),
        timer_(world.app_timer("app timer")),
        answered_(count_, false),
        obligation_(world.monitor().open_obligation("the ping client gets every reply")) {}

  void datagram_received(BytesView data, const Address& from) override {
    AppDatagram::datagram_received(data, from);
    if (gave_up()) return;
    std::size_t index = 0;
    if (data.substr(0, 5) != "ping " || !parse_index(data.substr(5), index) || index >= count_) return;
    answered_[index] = true;
    if (std::find(answered_.begin(), answered_.end(), false) != answered_.end()) return;
    world_.monitor().discharge(obligation_);
    timer_.cancel();
    transport_->close();
  }

 private:
  static bool parse_index(BytesView text, std::size_t& out) {
    out = 0;
    if (text.empty()) return false;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<std::size_t>(c - '0');
    }
    return true;
  }
  void on_made() override { send_unanswered(); }
  void fingerprint_app(StateHasher& h) const override {
    for (bool answered : answered_) h.value(answered);
    h.value(attempts_);
  }
  void send_unanswered() {
    for (std::size_t i = 0; i < count_; ++i) {
      if (!answered_[i]) (void)transport_->sendto("ping " + std::to_string(i));
    }
    if (attempts_++ < retries_) {
      timer_.arm(retry_after_, tag("app.retransmit"), [this] { send_unanswered(); });
    } else {
      give_up(obligation_, fd_);
      transport_->close();
    }
  }
  int fd_;
  std::size_t count_, retries_;
  TimeWindow retry_after_;
  AppTimer& timer_;
  std::vector<bool> answered_;
  int obligation_;
  std::size_t attempts_ = 0;
};

class DgramEcho final : public DatagramScenario {
 public:
  explicit DgramEcho(Binding binding) : DatagramScenario(binding, "dgram-echo") {}
  std::string_view summary() const override {
    return "UDP client sends pings to an echo peer, waits for every reply, closes";
  }
  Params default_params() const override {
    return {{"count", 3}, {"retries", 3}, {"retry_us", 1000}, {"retry_min_us", 0}};
  }
  Bounds default_bounds() const override { return {300, 2, 1}; }
  void setup(SimWorld& world, const Params& p) const override {
    FakeKernel& kernel = world.kernel();
    int peer_fd = kernel.dgram_socket(SocketKind::udp, Owner::peer, "");
    auto& peer = world.own(std::make_unique<DatagramEchoPeer>(kernel, peer_fd, "echo peer",
                                                              "127.0.0.1:7", 0));
    world.add_source(peer);
    int app_fd = kernel.dgram_socket(SocketKind::udp, Owner::app, "127.0.0.1:40000");
    (void)kernel.connect_dgram(app_fd, "127.0.0.1:7");
    auto& app = world.own(std::make_unique<PingClient>(world, p, app_fd));
    attach(world, binding_, app_fd, app, "127.0.0.1:7");
  }
};

// ---- dgram-drain -------------------------------------------------------------------------
// The seed's experiment, small: a sender fires datagrams at a server that closes as soon as
// it has seen the first one. Whatever the kernel already queued must still be delivered.
class CloseAfterFirst final : public AppDatagram {
 public:
  explicit CloseAfterFirst(SimWorld& world, bool abort) : AppDatagram(world), abort_(abort) {}
  void datagram_received(BytesView data, const Address& from) override {
    AppDatagram::datagram_received(data, from);
    if (received_ != 1) return;
    if (abort_) {
      transport_->abort();
    } else {
      transport_->close();
    }
  }

 private:
  void fingerprint_app(StateHasher&) const override {}
  bool abort_;
};

void setup_sender_and_server(SimWorld& world, Binding binding, const Params& p, bool abort) {
  FakeKernel& kernel = world.kernel();
  int app_fd = kernel.dgram_socket(SocketKind::unix_dgram, Owner::app, "/tmp/loopcheck.sock");
  int peer_fd = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, "");
  auto& peer = world.own(std::make_unique<DatagramSenderPeer>(
      kernel, peer_fd, "sender peer", "/tmp/loopcheck.sock", count_param(p, "count"), 16));
  world.add_source(peer);
  auto& app = world.own(std::make_unique<CloseAfterFirst>(world, abort));
  attach(world, binding, app_fd, app);
}

class DgramDrain final : public DatagramScenario {
 public:
  explicit DgramDrain(Binding binding) : DatagramScenario(binding, "dgram-drain") {}
  std::string_view summary() const override {
    return "AF_UNIX datagram server closes after its first datagram while more are queued";
  }
  Params default_params() const override { return {{"count", 4}}; }
  Bounds default_bounds() const override { return {300, 3, 1}; }
  void setup(SimWorld& world, const Params& p) const override {
    setup_sender_and_server(world, binding_, p, false);
  }
};

class DgramAbort final : public DatagramScenario {
 public:
  explicit DgramAbort(Binding binding) : DatagramScenario(binding, "dgram-abort") {}
  std::string_view summary() const override {
    return "AF_UNIX datagram server aborts after its first datagram; discards must be counted";
  }
  Params default_params() const override { return {{"count", 4}}; }
  Bounds default_bounds() const override { return {300, 3, 1}; }
  void setup(SimWorld& world, const Params& p) const override {
    setup_sender_and_server(world, binding_, p, true);
  }
};

// ---- dgram-close-queued (bpo-38471) ------------------------------------------------------
// The client sends more than the receiver's queue holds, so some sendto()s are queued in the
// transport; then it closes at once. The queue must still be flushed before connection_lost.
class SendThenClose final : public AppDatagram {
 public:
  SendThenClose(SimWorld& world, std::size_t count) : AppDatagram(world), count_(count) {}

 private:
  void on_made() override {
    for (std::size_t i = 0; i < count_; ++i) (void)transport_->sendto("record " + std::to_string(i));
    transport_->close();
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t count_;
};

class DgramCloseQueued final : public DatagramScenario {
 public:
  explicit DgramCloseQueued(Binding binding) : DatagramScenario(binding, "dgram-close-queued") {}
  std::string_view summary() const override {
    return "client queues sendto() data behind a slow AF_UNIX receiver and closes at once";
  }
  Params default_params() const override { return {{"count", 4}}; }
  Bounds default_bounds() const override { return {300, 3, 1}; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;
    config.dgram_queue_packets = 2;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    int app_fd = slow_unix_sink(world);
    auto& app = world.own(std::make_unique<SendThenClose>(world, count_param(p, "count")));
    attach(world, binding_, app_fd, app, "/tmp/sink.sock");
  }
};

// ---- dgram-icmp (gh-91227) ---------------------------------------------------------------
// The client pings a server that may not be up yet, and pings again on every ICMP report and
// every timeout. The report must reach error_received; a reply that reaches the socket must
// reach the app. Out of retries, the app gives up (AppDatagram::give_up): a reply that reached
// the socket before that is still owed, and the transport's drain at close must deliver it.
class RetryingPinger final : public AppDatagram {
 public:
  RetryingPinger(SimWorld& world, const Params& p, int fd)
      : AppDatagram(world),
        fd_(fd),
        retries_(count_param(p, "retries")),
        retry_after_(timing_param(p, "retry")),
        timer_(world.app_timer("app timer")),
        obligation_(world.monitor().open_obligation("the pinger gets a reply")) {}

  void datagram_received(BytesView data, const Address& from) override {
    AppDatagram::datagram_received(data, from);
    if (gave_up()) return;
    world_.monitor().discharge(obligation_);
    timer_.cancel();
    transport_->close();
  }
  void error_received(const Error& error) override {
    AppDatagram::error_received(error);
    timer_.arm(retry_after_, tag("app.retry"), [this] { ping(); });  // back off, as a client must
  }

 private:
  void on_made() override { ping(); }
  void fingerprint_app(StateHasher& h) const override {
    h.value(attempts_);
  }
  void ping() {
    if (transport_->is_closing()) return;
    if (attempts_++ > retries_) {
      give_up(obligation_, fd_);
      transport_->close();
      return;
    }
    (void)transport_->sendto("ping");
    timer_.arm(retry_after_, tag("app.retry"), [this] { ping(); });
  }
  int fd_;
  std::size_t retries_;
  TimeWindow retry_after_;
  AppTimer& timer_;
  int obligation_;
  std::size_t attempts_ = 0;
};

class DgramIcmp final : public DatagramScenario {
 public:
  explicit DgramIcmp(Binding binding) : DatagramScenario(binding, "dgram-icmp") {}
  std::string_view summary() const override {
    return "UDP client pings a server that binds late; ICMP errors must reach error_received";
  }
  Params default_params() const override {
    return {{"bind_after_us", 20}, {"retries", 3}, {"retry_us", 1000}, {"retry_min_us", 0}};
  }
  Bounds default_bounds() const override { return {300, 3, 1}; }
  void setup(SimWorld& world, const Params& p) const override {
    int app_fd = late_echo_server(world, param(p, "bind_after_us", 0) * kMicrosecond);
    auto& app = world.own(std::make_unique<RetryingPinger>(world, p, app_fd));
    attach(world, binding_, app_fd, app, "127.0.0.1:7");
  }
};

}  // namespace

const Scenario& dgram_echo_scenario() {
  static const DgramEcho kScenario(Binding::selector);
  return kScenario;
}
const Scenario& proactor_dgram_echo_scenario() {
  static const DgramEcho kScenario(Binding::proactor);
  return kScenario;
}
const Scenario& dgram_drain_scenario() {
  static const DgramDrain kScenario(Binding::selector);
  return kScenario;
}
const Scenario& proactor_dgram_drain_scenario() {
  static const DgramDrain kScenario(Binding::proactor);
  return kScenario;
}
const Scenario& dgram_abort_scenario() {
  static const DgramAbort kScenario(Binding::selector);
  return kScenario;
}
const Scenario& proactor_dgram_abort_scenario() {
  static const DgramAbort kScenario(Binding::proactor);
  return kScenario;
}
const Scenario& dgram_close_queued_scenario() {
  static const DgramCloseQueued kScenario(Binding::selector);
  return kScenario;
}
const Scenario& proactor_dgram_close_queued_scenario() {
  static const DgramCloseQueued kScenario(Binding::proactor);
  return kScenario;
}
const Scenario& dgram_icmp_scenario() {
  static const DgramIcmp kScenario(Binding::selector);
  return kScenario;
}
const Scenario& proactor_dgram_icmp_scenario() {
  static const DgramIcmp kScenario(Binding::proactor);
  return kScenario;
}

}  // namespace loopcheck
