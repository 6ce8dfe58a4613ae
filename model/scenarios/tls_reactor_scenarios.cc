// The driver's TLS reactor (src/tls/tls_reactor), seed 001: a database driver connects over TLS
// and runs its startup exchange against a server that speaks it; the switch reactor-sslsocket
// puts back the seed's SSL socket on the loop's socket calls.
#include <memory>

#include "model/apps/app_action.h"
#include "model/apps/app_stream.h"
#include "model/scenarios/scenarios.h"
#include "model/world/tls_peer.h"
#include "model/world/world.h"
#include "src/tls/tls_reactor.h"

namespace loopcheck {
namespace {

// The database: a TLS 1.3 server (PSK, `tickets` session tickets) that answers the driver's
// startup exchange and its query, one line each.
TlsPeer& database_server(SimWorld& world, int peer_fd, const Params& p) {
  TlsPeer::Script script;
  script.replies = {{"OPTIONS", "SUPPORTED"}, {"STARTUP", "READY"}, {"QUERY 1", "RESULT 1"}};
  script.tickets = static_cast<int>(param(p, "tickets", 2));
  return add_tls_peer(world, peer_fd, "database server", std::move(script));
}

// The driver's connection on the app's `fd`: create_connection is the world's observed SSL
// transport against `peer`; the seed's wrap_socket gets an engine of its own.
std::unique_ptr<ReactorConnection> driver_connection(SimWorld& world, int fd, TlsPeer& peer, const Params& p) {
  ReactorOptions options;
  options.connect_timeout = param(p, "connect_timeout_ms", 5000) * kMillisecond;
  ReactorContext ctx{world.loop(), world.kernel(), world.bugs(), world.tracer(), &world.monitor(), {}, {}};
  ctx.create_connection = [&world, fd, &peer](Protocol& app, const std::string&, SslWaiter waiter) -> Transport& {
    SslSetup setup;
    setup.waiter = std::move(waiter);
    return world.ssl_transport(fd, app, &peer, &peer.plaintext(), std::move(setup));
  };
  ctx.wrap_socket = [&world](const std::string&) { return world.tls_engine(SimTls::psk, false, 1); };
  return std::make_unique<ReactorConnection>(std::move(ctx), fd, options);
}

// The driver's user: it opens a connection, waits for READY, sends one query, and closes once
// the result is in.
class DriverApp final : public Fingerprinted {
 public:
  DriverApp(SimWorld& world, int fd, TlsPeer& peer, const Params& p)
      : world_(world),
        ready_(world.monitor().open_obligation("the driver's connection reaches READY")),
        answered_(world.monitor().open_obligation("the driver's query gets its RESULT")) {
    conn_ = driver_connection(world, fd, peer, p);
  }

  void start() {
    conn_->connect(
        [this](std::optional<Error> error) {
          if (error) return;  // the driver reports it; the obligation stays open
          world_.monitor().discharge(ready_);
          (void)conn_->send_request("QUERY 1\n");
        },
        [this](const Bytes& line) {
          if (line != "RESULT 1") return;
          world_.monitor().discharge(answered_);
          conn_->close();
        });
  }
  void fingerprint(StateHasher& h) const override { conn_->fingerprint(h); }

 private:
  SimWorld& world_;
  int ready_, answered_;
  std::unique_ptr<ReactorConnection> conn_;
};

class ReactorStartup final : public Scenario {
 public:
  std::string_view name() const override { return "reactor-startup"; }
  std::string_view family() const override { return "tls reactor"; }
  std::vector<std::string_view> also_reaches() const override { return {"ssl protocol", "selector stream"}; }
  std::string_view summary() const override {
    return "seed 001: a driver connects over TLS 1.3 (session tickets on), runs OPTIONS/STARTUP to READY, queries";
  }
  Params default_params() const override { return {{"tickets", 2}, {"connect_timeout_ms", 5000}}; }
  ParamRange param_range(std::string_view key) const override {
    if (key == "connect_timeout_ms") return {1, 60 * 60 * 1000, "ms"};
    return default_param_range(key);
  }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    TlsPeer& peer = database_server(world, peer_fd, p);
    auto& app = world.own(std::make_unique<DriverApp>(world, app_fd, peer, p));
    app.start();
  }
};

// ---- reactor-adversary -------------------------------------------------------------------
// The driver's user as an adversary: when the connection is ready, when a result comes, and on
// each idle turn, it may send a request, close the connection, or stop waiting (time out).
class DriverAdversary final : public Fingerprinted {
 public:
  DriverAdversary(SimWorld& world, int fd, TlsPeer& peer, const Params& p)
      : world_(world), turns_(static_cast<int>(param(p, "turns", 2))), period_(param(p, "period_us", 20) * kMicrosecond) {
    conn_ = driver_connection(world, fd, peer, p);
  }

  void start() {
    conn_->connect([this](std::optional<Error> error) { act(error ? "connection failed" : "ready"); },
                   [this](const Bytes&) { act("result"); });
    timer_ = world_.loop().call_later(period_, Tag{this, "app.idle_turn"}, [this] { idle_turn(); });
  }
  void fingerprint(StateHasher& h) const override {
    conn_->fingerprint(h);
    h.value(turns_);
  }

 private:
  enum class Action { none, request, close, time_out, kCount };

  void idle_turn() {
    --turns_;
    act("idle");
    if (turns_ > 0) timer_ = world_.loop().call_later(period_, Tag{this, "app.idle_turn"}, [this] { idle_turn(); });
    // A sane user ends what it opened: after its last turn it closes.
    if (turns_ == 0) conn_->close();
  }
  void act(const char* where) {
    static const char* const kNames[] = {"nothing", "send a request", "close()", "stop waiting (time out)"};
    switch (static_cast<Action>(choose_app_action(world_, static_cast<std::uint32_t>(Action::kCount), where, kNames))) {
      case Action::none:
      case Action::kCount:
        return;
      case Action::request:
        (void)conn_->send_request("QUERY 1\n");  // refused (busy, closed): a user goes on
        return;
      case Action::close:
        conn_->close();
        return;
      case Action::time_out:
        conn_->time_out();
        return;
    }
  }

  SimWorld& world_;
  int turns_;
  Nanos period_;
  TimerHandle timer_;
  std::unique_ptr<ReactorConnection> conn_;
};

class ReactorAdversary final : public Scenario {
 public:
  std::string_view name() const override { return "reactor-adversary"; }
  std::string_view family() const override { return "tls reactor"; }
  std::vector<std::string_view> also_reaches() const override { return {"ssl protocol", "selector stream"}; }
  std::string_view summary() const override {
    return "the driver's user may send requests, close or stop waiting at any point of the TLS startup";
  }
  Params default_params() const override {
    return {{"tickets", 2}, {"connect_timeout_ms", 5000}, {"turns", 2}, {"period_us", 20}};
  }
  ParamRange param_range(std::string_view key) const override {
    if (key == "connect_timeout_ms") return {1, 60 * 60 * 1000, "ms"};
    if (key == "turns") return {1, 10, ""};
    return default_param_range(key);
  }
  Bounds default_bounds() const override {
    Bounds bounds{300, 0, 0};
    bounds.max_app_actions = 2;
    return bounds;
  }
  bool explore_with_reduction() const override { return true; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    TlsPeer& peer = database_server(world, peer_fd, p);
    auto& app = world.own(std::make_unique<DriverAdversary>(world, app_fd, peer, p));
    app.start();
  }
};

}  // namespace

const Scenario& reactor_adversary_scenario() {
  static const ReactorAdversary scenario;
  return scenario;
}

const Scenario& reactor_startup_scenario() {
  static const ReactorStartup scenario;
  return scenario;
}

}  // namespace loopcheck
