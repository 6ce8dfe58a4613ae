// start_tls scenarios: a plain connection upgraded in place by loop.start_tls (src/tls/start_tls)
// or by StreamWriter.start_tls (src/streams). The client is always the TLS peer; the app is the
// server, as in CPython's test_start_tls_server_1 and in the seeds' stories.
#include <memory>

#include "model/apps/adversary_start_tls.h"
#include "model/apps/app_stream.h"
#include "model/scenarios/scenarios.h"
#include "model/world/tls_peer.h"
#include "model/world/world.h"
#include "src/streams/stream_reader.h"
#include "src/streams/stream_writer.h"
#include "src/tls/start_tls.h"

namespace loopcheck {
namespace {

// Small socket buffers: a greeting of a few hundred bytes backs up in the transport.
KernelConfig small_buffers() {
  KernelConfig config;
  config.stream_send_capacity = 512;
  config.stream_recv_capacity = 512;
  return config;
}

// The STARTTLS client of test_start_tls_server_1: it reads the server's `hello` greeting, then
// speaks TLS, sends `bytes` in `chunk`s (echoing what it gets back, if `echo`), and ends with
// close_notify.
TlsPeer& greeted_client(SimWorld& world, int peer_fd, const Params& p, bool echo) {
  TlsPeer::Script script;
  script.server = false;
  script.plain_first = static_cast<std::size_t>(param(p, "hello", 0));
  script.send_bytes = static_cast<std::size_t>(param(p, "bytes", 0));
  script.chunk = static_cast<std::size_t>(param(p, "chunk", 0));
  script.echo = echo;
  script.close_when_done = true;
  return add_tls_peer(world, peer_fd, "tls client", std::move(script));
}

// ---- start-tls-paused (gh-109051), start-tls-server (seed 000) ---------------------------
// test_start_tls_server_1's server: on the turn after connection_made it greets in plaintext
// with `hello` bytes and calls loop.start_tls as the server side, both in one step of its task.
// Under load (the seed's story) that step is slow: the client's thread reads the greeting and
// its ClientHello reaches the socket before the step gets to start_tls, while the loop runs
// nothing else. `gap_us` > 0 models that: the loop is held for [gap/2, gap] between the two.
// Over TLS it echoes what the client sends (bytes that come before start_tls has returned wait
// for it) and lets the SSL protocol close when the client's close_notify comes. `high` > 0 sets
// the plain transport's high-water mark, so a large greeting pauses writing.
// What the server does once upgraded: echo, and let the client's close_notify end it.
class TlsEcho final : public AppStream {
 public:
  TlsEcho(SimWorld& world, std::size_t expect)
      : AppStream(world),
        expect_(expect),
        echoed_(world.monitor().open_obligation("the upgraded server echoes all the client's bytes")) {}
  void data_received(BytesView data) override {
    AppStream::data_received(data);
    (void)transport_->write(data);
    if (received_ >= expect_) world_.monitor().discharge(echoed_);
  }

 private:
  void fingerprint_app(StateHasher&) const override {}
  std::size_t expect_;
  int echoed_;
};

class UpgradingServer final : public StartTlsHandover, public Fingerprinted {
 public:
  UpgradingServer(SimWorld& world, const Params& p, TlsEcho& echo)
      : StartTlsHandover(world.loop(), world.bugs(), echo),
        world_(world),
        hello_(static_cast<std::size_t>(param(p, "hello", 0))),
        high_(static_cast<std::size_t>(param(p, "high", 0))),
        gap_(param(p, "gap_us", 0) > 0 ? timing_param(p, "gap") : TimeWindow{}),
        timer_(world.app_timer("the server's task")) {}
  void fingerprint(StateHasher& h) const override { fingerprint_handover(h); }

 private:
  void on_plain_made(Transport&) override {
    loop().call_soon(Tag{this, "main"}, [this] { greet_and_upgrade(); });
  }
  void greet_and_upgrade() {
    if (high_ > 0) (void)plain().set_write_buffer_limits(high_, std::nullopt);
    if (hello_ > 0) (void)plain().write(SenderPeer::payload(0, hello_));
    if (gap_.hi > 0) {
      timer_.arm_rest_of_step(gap_, Tag{this, "main"}, [this] { upgrade_as_server(); });
      world_.hold_loop(timer_);
    } else {
      upgrade_as_server();
    }
  }
  void upgrade_as_server() {
    SslOptions options;
    options.server_side = true;
    upgrade(options);
  }

  SimWorld& world_;
  std::size_t hello_, high_;
  TimeWindow gap_;
  AppTimer& timer_;
};

class StartTlsServer final : public Scenario {
 public:
  explicit StartTlsServer(bool paused) : paused_(paused) {}
  std::string_view name() const override { return paused_ ? "start-tls-paused" : "start-tls-server"; }
  std::string_view family() const override { return "start tls"; }
  std::vector<std::string_view> also_reaches() const override {
    return {"ssl protocol", paused_ ? "selector stream" : "proactor stream"};
  }
  std::string_view summary() const override {
    return paused_ ? "a large plaintext greeting pauses writing, then start_tls: the SSL protocol must know it is paused"
                   : "seed 000: plaintext greeting, start_tls on both sides, echo over TLS, on the proactor transport";
  }
  Params default_params() const override {
    if (paused_) return {{"hello", 1000}, {"high", 256}, {"bytes", 1}, {"chunk", 1}};
    return {{"hello", 20}, {"high", 0}, {"bytes", 40}, {"chunk", 20}, {"gap_us", 200}, {"gap_min_us", 0}};
  }
  ParamRange param_range(std::string_view key) const override {
    if (key == "hello" || key == "high") return {0, 1 << 20, "bytes"};  // 0: no greeting, asyncio's mark
    if (key == "gap_us") return {0, 60 * 1000 * 1000, "us"};            // 0: start_tls in the greeting's step
    return default_param_range(key);
  }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  KernelConfig kernel_config(const Params&) const override { return small_buffers(); }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    TlsPeer& peer = greeted_client(world, peer_fd, p, /*echo=*/false);
    auto& echo = world.own(std::make_unique<TlsEcho>(world, static_cast<std::size_t>(param(p, "bytes", 0))));
    auto& app = world.own(std::make_unique<UpgradingServer>(world, p, echo));
    Transport& plain = paused_ ? world.stream_transport(app_fd, app, &peer)
                               : world.proactor_stream_transport(app_fd, app, &peer);
    app.set_factory(world.start_tls_factory(plain, app, &peer.plaintext(), SslSetup{}));
  }

 private:
  bool paused_;
};

// ---- start-tls-stream (gh-142352) --------------------------------------------------------
// A STARTTLS server written with asyncio's streams: it reads a line with readline(); on
// "STARTTLS\r\n" it calls writer.start_tls(), then reads the client's `bytes` over TLS with
// readexactly() and closes. The client sends its ClientHello right behind the line, so the
// line's read may bring the ClientHello too.
class StreamStartTlsServer final : public Fingerprinted {
 public:
  StreamStartTlsServer(SimWorld& world, const Params& p)
      : world_(world),
        reader_(world.loop()),
        protocol_(reader_, [this](Transport& transport) { serve(transport); }),
        expect_(static_cast<std::size_t>(param(p, "bytes", 0))),
        got_all_(world.monitor().open_obligation("the STARTTLS server reads the client's bytes over TLS")) {
    world.monitor().watch_read_ahead(reader_, "the STARTTLS server's stream");
  }

  StreamReaderProtocol& protocol() { return protocol_; }
  void set_factory(SslProtocolFactory make) { make_ = std::move(make); }
  void fingerprint(StateHasher& h) const override {
    reader_.fingerprint(h);
    protocol_.fingerprint(h);
    h.value(stage_);
  }

 private:
  void serve(Transport& transport) {
    writer_ = std::make_unique<StreamWriter>(world_.loop(), world_.bugs(), transport, protocol_);
    (void)reader_.readline([this](StreamRead line) {
      if (line.error || line.data != "STARTTLS\r\n") return;
      stage_ = 1;
      writer_->start_tls(SslOptions{}, make_, [this](std::optional<Error> error) {
        if (error) return;
        stage_ = 2;
        (void)reader_.readexactly(expect_, [this](StreamRead body) {
          if (body.error || body.eof_early) return;
          stage_ = 3;
          world_.monitor().discharge(got_all_);
          writer_->close();
        });
      });
    });
  }

  SimWorld& world_;
  StreamReader reader_;
  StreamReaderProtocol protocol_;
  std::size_t expect_;
  int got_all_;
  SslProtocolFactory make_;
  std::unique_ptr<StreamWriter> writer_;
  int stage_ = 0;  // 1: the line read, 2: upgraded, 3: the bytes read
};

class StartTlsStream final : public Scenario {
 public:
  std::string_view name() const override { return "start-tls-stream"; }
  std::string_view family() const override { return "start tls"; }
  std::vector<std::string_view> also_reaches() const override { return {"ssl protocol", "selector stream"}; }
  std::string_view summary() const override {
    return "a streams STARTTLS server; the ClientHello follows the STARTTLS line at once and may be read with it";
  }
  Params default_params() const override { return {{"bytes", 20}}; }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_tls_peer(world, peer_fd, "tls client",
                              TlsPeer::Script::pipelined_starttls(static_cast<std::size_t>(param(p, "bytes", 0))));
    auto& server = world.own(std::make_unique<StreamStartTlsServer>(world, p));
    Transport& plain = world.stream_transport(app_fd, server.protocol(), &peer);
    server.set_factory(world.start_tls_factory(plain, server.protocol(), &peer.plaintext(), SslSetup{}));
  }
};

// ---- start-tls-adversary -----------------------------------------------------------------
// The start_tls adversary (model/apps/adversary_start_tls) as the server: it may act on the
// plain transport before it upgrades and while the handshake runs, and the stream adversary
// acts on the SSL transport after. The client reads the `hello` greeting, speaks TLS, sends
// `bytes`, echoes what it gets and ends with close_notify.
class StartTlsAdversaryScenario final : public Scenario {
 public:
  std::string_view name() const override { return "start-tls-adversary"; }
  std::string_view family() const override { return "start tls"; }
  std::vector<std::string_view> also_reaches() const override { return {"ssl protocol", "selector stream"}; }
  std::string_view summary() const override {
    return "the app may act on the plain transport before and during start_tls, and on the SSL transport after";
  }
  Params default_params() const override {
    return {{"hello", 600}, {"bytes", 10}, {"chunk", 10}, {"turns", 1}, {"period_us", 20}, {"high", 64}};
  }
  ParamRange param_range(std::string_view key) const override {
    if (key == "hello") return {1, 1 << 20, "bytes"};
    if (key == "turns") return {1, 10, ""};
    return default_param_range(key);
  }
  Bounds default_bounds() const override {
    Bounds bounds{300, 0, 0};
    bounds.max_app_actions = 2;
    return bounds;
  }
  bool explore_with_reduction() const override { return true; }
  KernelConfig kernel_config(const Params&) const override { return small_buffers(); }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    TlsPeer& peer = greeted_client(world, peer_fd, p, /*echo=*/true);
    auto& app = world.own(std::make_unique<StartTlsAdversary>(
        world, static_cast<std::size_t>(param(p, "hello", 1)), static_cast<int>(param(p, "turns", 1)),
        param(p, "period_us", 20) * kMicrosecond, static_cast<std::size_t>(param(p, "high", 64))));
    Transport& plain = world.stream_transport(app_fd, app, &peer);
    app.set_factory(world.start_tls_factory(plain, app, &peer.plaintext(), SslSetup{}));
  }
};

}  // namespace

const Scenario& start_tls_adversary_scenario() {
  static const StartTlsAdversaryScenario scenario;
  return scenario;
}

const Scenario& start_tls_paused_scenario() {
  static const StartTlsServer scenario(true);
  return scenario;
}
const Scenario& start_tls_server_scenario() {
  static const StartTlsServer scenario(false);
  return scenario;
}
const Scenario& start_tls_stream_scenario() {
  static const StartTlsStream scenario;
  return scenario;
}

}  // namespace loopcheck
