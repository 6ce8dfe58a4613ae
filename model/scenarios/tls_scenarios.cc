// SSL protocol scenarios (asyncio's sslproto over a plain stream transport): clean TLS echoes on
// both transport families, and the exposures of the six TLS switches. Every TLS peer is
// OpenSSL with TLS 1.3 PSK, so a handshake is real and costs little.
#include <memory>

#include "model/apps/adversary_stream.h"
#include "model/apps/app_stream.h"
#include "model/scenarios/scenarios.h"
#include "model/world/tls_peer.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

// The socket pair, the TLS peer on its far end, and the app's SSL transport on the near one.
// `waiter` is create_connection's future; it discharges the handshake obligation whichever way
// it is woken (a failed handshake is an answer; only silence is a hang).
struct TlsConnection {
  TlsPeer* peer = nullptr;
  Transport* transport = nullptr;
};

TlsConnection connect_tls(SimWorld& world, Protocol& app, TlsPeer::Script script, bool proactor,
                          bool server_side = false, SimTls tls = SimTls::psk) {
  script.tls = tls;
  auto [app_fd, peer_fd] = app_peer_pair(world);
  auto& peer = add_tls_peer(world, peer_fd, "tls peer", std::move(script));
  int handshake = world.monitor().open_obligation("the handshake's waiter is woken");
  SslSetup setup;
  setup.options.server_side = server_side;
  setup.proactor = proactor;
  setup.tls = tls;
  setup.waiter = [&world, handshake](std::optional<Error>) { world.monitor().discharge(handshake); };
  Transport& transport = world.ssl_transport(app_fd, app, &peer, &peer.plaintext(), std::move(setup));
  return {&peer, &transport};
}

// ---- tls-echo, tls-echo-proactor ---------------------------------------------------------
// Writes `bytes` in `chunk`s once the handshake is done, waits for all of them to come back,
// then closes: close_notify both ways, then connection_lost.
class TlsEchoClient final : public AppStream {
 public:
  TlsEchoClient(SimWorld& world, const Params& p)
      : AppStream(world),
        total_(static_cast<std::size_t>(param(p, "bytes", 0))),
        chunk_(static_cast<std::size_t>(param(p, "chunk", 1))),
        obligation_(world.monitor().open_obligation("the TLS echo client gets all its bytes back")) {}

  void data_received(BytesView data) override {
    AppStream::data_received(data);
    if (received_ < total_) return;
    world_.monitor().discharge(obligation_);
    transport_->close();
  }

 private:
  void on_made() override {
    for (std::size_t at = 0; at < total_; at += chunk_) {
      (void)transport_->write(SenderPeer::payload(at, std::min(chunk_, total_ - at)));
    }
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t total_, chunk_;
  int obligation_;
};

class TlsEcho final : public Scenario {
 public:
  explicit TlsEcho(bool proactor) : proactor_(proactor) {}
  std::string_view name() const override { return proactor_ ? "tls-echo-proactor" : "tls-echo"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return proactor_ ? "TLS 1.3 echo over the proactor transport: handshake, echo, close_notify both ways"
                     : "TLS 1.3 echo over the selector transport: handshake, echo, close_notify both ways";
  }
  // certs=1: TLS 1.3 with Ed25519 certificates, verified, instead of a pre-shared key;
  // tickets=N: the server sends N session tickets after the handshake (records the client must
  // read and drop: a read that finds only tickets has no data for the app).
  Params default_params() const override { return {{"bytes", 40}, {"chunk", 20}, {"certs", 0}, {"tickets", 0}}; }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto& app = world.own(std::make_unique<TlsEchoClient>(world, p));
    TlsPeer::Script script;
    script.echo = true;
    script.tickets = static_cast<int>(param(p, "tickets", 0));
    connect_tls(world, app, script, proactor_, false, param(p, "certs", 0) ? SimTls::certificates : SimTls::psk);
  }

 private:
  bool proactor_;
};

// ---- tls-close-no-notify (bpo-29406) -----------------------------------------------------
// The seed's aiohttp-like client: writes its request, closes and walks away. The peer never
// answers close_notify; only the shutdown timeout can end the connection.
class WalkAwayClient final : public AppStream {
 public:
  WalkAwayClient(SimWorld& world, const Params& p)
      : AppStream(world), total_(static_cast<std::size_t>(param(p, "bytes", 0))) {}

 private:
  void on_made() override {
    (void)transport_->write(SenderPeer::payload(0, total_));
    transport_->close();
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t total_;
};

class TlsCloseNoNotify final : public Scenario {
 public:
  std::string_view name() const override { return "tls-close-no-notify"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return "the app writes and closes; the peer never answers close_notify (the shutdown timeout must end it)";
  }
  Params default_params() const override { return {{"bytes", 40}}; }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;  // small buffers: the request and the close_notify race in pieces
    config.stream_send_capacity = 48;
    config.stream_recv_capacity = 48;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    auto& app = world.own(std::make_unique<WalkAwayClient>(world, p));
    TlsPeer::Script script;
    script.misbehaviour = TlsPeer::Misbehaviour::ignore_close_notify;
    connect_tls(world, app, script, false);
  }
};

// ---- tls-stalled-handshake (bpo-29743) ---------------------------------------------------
// A connector with patience: when the handshake has not finished within `patience` it gives
// up and closes the SSL transport, as create_connection does when its waiter is cancelled. The
// peer never answers the handshake.
class PatientConnector final : public AppStream {
 public:
  PatientConnector(SimWorld& world, const Params& p)
      : AppStream(world), patience_(timing_param(p, "patience")), timer_(world.app_timer("patience")) {}
  void start(Transport& ssl) {
    ssl_ = &ssl;
    timer_.arm(patience_, tag("app.give_up"), [this] {
      if (!made_) ssl_->close();
    });
  }
  void on_made() override { made_ = true; }

 private:
  void fingerprint_app(StateHasher& h) const override { h.value(made_); }
  TimeWindow patience_;
  AppTimer& timer_;
  Transport* ssl_ = nullptr;
  bool made_ = false;
};

class TlsStalledHandshake final : public Scenario {
 public:
  std::string_view name() const override { return "tls-stalled-handshake"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return "the peer stalls the handshake; the connector gives up and closes (the socket must go at once)";
  }
  Params default_params() const override { return {{"patience_us", 200}, {"patience_min_us", 0}}; }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto& app = world.own(std::make_unique<PatientConnector>(world, p));
    TlsPeer::Script script;
    script.misbehaviour = TlsPeer::Misbehaviour::stall_handshake;
    TlsConnection c = connect_tls(world, app, script, false);
    app.start(*c.transport);
  }
};

// ---- tls-drop-handshake (asyncio-472) ----------------------------------------------------
// The peer drops TCP (FIN or RST, a choice) before the handshake ends; the code awaiting the
// handshake must hear about it. The app closes as soon as it has the connection.
class CloseOnMade final : public AppStream {
 public:
  using AppStream::AppStream;

 private:
  void on_made() override { transport_->close(); }
  void fingerprint_app(StateHasher&) const override {}
};

class TlsDropHandshake final : public Scenario {
 public:
  std::string_view name() const override { return "tls-drop-handshake"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return "the peer drops TCP (FIN or RST) during the handshake; the handshake's waiter must be woken";
  }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params&) const override {
    auto& app = world.own(std::make_unique<CloseOnMade>(world));
    TlsPeer::Script script;
    script.misbehaviour = TlsPeer::Misbehaviour::drop_in_handshake;
    connect_tls(world, app, script, false);
  }
};

// ---- tls-peer-closes (bpo-30698) ---------------------------------------------------------
// The app writes a request and pauses reading; the peer answers the handshake with its
// close_notify at once; the app closes on a timer. When the peer's close_notify is already in, the app's shutdown
// completes in one step and its own close_notify must still reach the peer before TCP closes.
// (With unread data before that close_notify, OpenSSL 3 fails the shutdown instead:
// "application data after close notify", an SSLError that reaches connection_lost.)
class PausedCloser final : public AppStream {
 public:
  PausedCloser(SimWorld& world, const Params& p)
      : AppStream(world),
        request_(static_cast<std::size_t>(param(p, "request", 0))),
        wait_(timing_param(p, "wait")),
        timer_(world.app_timer("app timer")) {}

 private:
  // The request also carries the client's Finished out: asyncio sends nothing after a
  // handshake whose app paused reading at once, so without it the peer never finishes.
  void on_made() override {
    (void)transport_->write(SenderPeer::payload(0, request_));
    transport_->pause_reading();
    timer_.arm(wait_, tag("app.close"), [this] { transport_->close(); });
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t request_;
  TimeWindow wait_;
  AppTimer& timer_;
};

// An app protocol that only takes what comes.
class TlsReader final : public AppStream {
 public:
  using AppStream::AppStream;

 private:
  void fingerprint_app(StateHasher&) const override {}
};

class TlsPeerCloses final : public Scenario {
 public:
  std::string_view name() const override { return "tls-peer-closes"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return "the peer sends and closes with close_notify while the app, paused, closes too; both close_notify alerts must travel";
  }
  Params default_params() const override {
    return {{"request", 10}, {"wait_us", 40}, {"wait_min_us", 0}};
  }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto& app = world.own(std::make_unique<PausedCloser>(world, p));
    TlsPeer::Script script;
    script.close_when_done = true;
    connect_tls(world, app, script, false);
  }
};

// ---- tls-pause (bpo-45159) ---------------------------------------------------------------
// The peer sends `bytes` in records of `chunk` and closes; the app pauses reading after every
// delivery and resumes on a timer. Nothing may reach it while it is paused.
class TlsPausingReader final : public AppStream {
 public:
  TlsPausingReader(SimWorld& world, const Params& p)
      : AppStream(world), pause_(timing_param(p, "pause")), timer_(world.app_timer("app timer")) {}
  void data_received(BytesView data) override {
    AppStream::data_received(data);
    transport_->pause_reading();
    timer_.arm(pause_, tag("app.resume_reading"), [this] { transport_->resume_reading(); });
  }

 private:
  void fingerprint_app(StateHasher&) const override {}
  TimeWindow pause_;
  AppTimer& timer_;
};

class TlsPause final : public Scenario {
 public:
  std::string_view name() const override { return "tls-pause"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return "the app pauses reading after each delivery, resumes on a timer; the peer sends records and closes";
  }
  Params default_params() const override {
    return {{"bytes", 30}, {"chunk", 10}, {"pause_us", 60}, {"pause_min_us", 0}};
  }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;  // small buffers: the records arrive in several reads
    config.stream_send_capacity = 48;
    config.stream_recv_capacity = 48;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    auto& app = world.own(std::make_unique<TlsPausingReader>(world, p));
    TlsPeer::Script script;
    script.send_bytes = static_cast<std::size_t>(param(p, "bytes", 0));
    script.chunk = static_cast<std::size_t>(param(p, "chunk", 1));
    script.close_when_done = true;
    connect_tls(world, app, script, false);
  }
};

// ---- tls-paused-start (sslproto-paused-finished) -------------------------------------------
// A TLS 1.3 client whose app is not ready to read when it connects: it pauses reading in
// connection_made and resumes on a timer. The server sends `bytes` once its handshake is done,
// which needs the client's Finished, then closes. Nothing the client made may wait meanwhile.
class LateReader final : public AppStream {
 public:
  LateReader(SimWorld& world, const Params& p)
      : AppStream(world), pause_(timing_param(p, "pause")), timer_(world.app_timer("app timer")) {}

 private:
  void on_made() override {
    transport_->pause_reading();
    timer_.arm(pause_, tag("app.resume_reading"), [this] { transport_->resume_reading(); });
  }
  void fingerprint_app(StateHasher&) const override {}
  TimeWindow pause_;
  AppTimer& timer_;
};

class TlsPausedStart final : public Scenario {
 public:
  std::string_view name() const override { return "tls-paused-start"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return "the app pauses reading in connection_made and resumes on a timer; the server sends once its handshake is done";
  }
  Params default_params() const override { return {{"bytes", 20}, {"pause_us", 60}, {"pause_min_us", 0}}; }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto& app = world.own(std::make_unique<LateReader>(world, p));
    TlsPeer::Script script;
    script.send_bytes = static_cast<std::size_t>(param(p, "bytes", 0));
    script.close_when_done = true;
    connect_tls(world, app, script, false);
  }
};

// ---- tls-starttls (bpo-33674) ------------------------------------------------------------
// A server that upgrades by hand, as libraries did before loop.start_tls: on the line
// "STARTTLS\r\n" it makes the SSL protocol the transport's protocol and calls its
// connection_made on the next turn, handing it any bytes that came with the line. The peer
// sends its ClientHello right behind the line, then `bytes` and its close_notify.
class StartTlsServer final : public AppStream {
 public:
  StartTlsServer(SimWorld& world, SslProtocol& ssl) : AppStream(world), ssl_(ssl) {}
  void data_received(BytesView data) override {
    AppStream::data_received(data);
    line_ += data;
    std::size_t end = line_.find("\r\n");
    if (upgraded_ || end == Bytes::npos) return;
    upgraded_ = true;
    Bytes leftover = line_.substr(end + 2);
    Transport* plain = transport_;
    plain->set_protocol(ssl_);
    world_.loop().call_soon(tag("app.upgrade"), [this, plain, leftover] {
      ssl_.connection_made(*plain);
      if (!leftover.empty()) (void)feed_buffered(ssl_, leftover);
    });
  }

 private:
  void fingerprint_app(StateHasher& h) const override {
    h.text(line_);
    h.value(upgraded_);
  }
  SslProtocol& ssl_;
  Bytes line_;
  bool upgraded_ = false;
};

class TlsStartTls final : public Scenario {
 public:
  std::string_view name() const override { return "tls-starttls"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return "a hand-made STARTTLS: the ClientHello follows the STARTTLS line at once; the handshake must see it";
  }
  Params default_params() const override { return {{"bytes", 20}}; }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_tls_peer(world, peer_fd, "tls client",
                              TlsPeer::Script::pipelined_starttls(static_cast<std::size_t>(param(p, "bytes", 0))));
    auto& tls_app = world.own(std::make_unique<TlsReader>(world));
    int handshake = world.monitor().open_obligation("the handshake's waiter is woken");
    SslSetup setup;
    setup.options.server_side = true;
    setup.waiter = [&world, handshake](std::optional<Error>) { world.monitor().discharge(handshake); };
    SslProtocol& ssl = world.ssl_protocol(app_fd, tls_app, &peer.plaintext(), std::move(setup));
    auto& plain_app = world.own(std::make_unique<StartTlsServer>(world, ssl));
    world.stream_transport(app_fd, plain_app, nullptr);
  }
};

// ---- ssl-adversary, ssl-adversary-silent-peer ---------------------------------------------
// The stream adversary (model/apps/adversary_stream) on an SSL transport: once the handshake
// is done it may call any method of the transport in any callback or idle turn. The peer sends
// `bytes` in records of `chunk`, echoes what it gets and ends with close_notify; the silent
// one sends the same but never ends the connection and never answers the app's close_notify,
// so its app closes after its last turn.
class SslAdversary final : public Scenario {
 public:
  explicit SslAdversary(bool silent) : silent_(silent) {}
  std::string_view name() const override { return silent_ ? "ssl-adversary-silent-peer" : "ssl-adversary"; }
  std::string_view family() const override { return "ssl protocol"; }
  std::string_view summary() const override {
    return silent_ ? "the app may call any SSL transport method anywhere; the peer never answers close_notify"
                   : "the app may call any SSL transport method anywhere; the peer sends, echoes and closes";
  }
  Params default_params() const override {
    return {{"bytes", 10}, {"chunk", 10}, {"turns", 1}, {"period_us", 20}, {"high", 64}};
  }
  ParamRange param_range(std::string_view key) const override {
    if (key == "turns") return {1, 10, ""};
    return default_param_range(key);
  }
  Bounds default_bounds() const override {
    Bounds bounds{300, 0, 0};
    bounds.max_app_actions = 2;
    return bounds;
  }
  bool explore_with_reduction() const override { return true; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;  // the app's large writes back up; a handshake flight still fits
    config.stream_send_capacity = 512;
    config.stream_recv_capacity = 512;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    auto& app = world.own(std::make_unique<AdversaryStream>(
        world, static_cast<int>(param(p, "turns", 2)), param(p, "period_us", 20) * kMicrosecond,
        static_cast<std::size_t>(param(p, "high", 64)), /*close_at_end=*/silent_));
    TlsPeer::Script script;
    script.send_bytes = static_cast<std::size_t>(param(p, "bytes", 0));
    script.chunk = static_cast<std::size_t>(param(p, "chunk", 1));
    script.echo = true;
    script.close_when_done = !silent_;
    if (silent_) script.misbehaviour = TlsPeer::Misbehaviour::ignore_close_notify;
    connect_tls(world, app, script, false);
  }

 private:
  bool silent_;
};

}  // namespace

const Scenario& ssl_adversary_scenario() {
  static const SslAdversary scenario(false);
  return scenario;
}
const Scenario& ssl_adversary_silent_peer_scenario() {
  static const SslAdversary scenario(true);
  return scenario;
}

const Scenario& tls_echo_scenario() {
  static const TlsEcho scenario(false);
  return scenario;
}
const Scenario& tls_echo_proactor_scenario() {
  static const TlsEcho scenario(true);
  return scenario;
}
const Scenario& tls_close_no_notify_scenario() {
  static const TlsCloseNoNotify scenario;
  return scenario;
}
const Scenario& tls_stalled_handshake_scenario() {
  static const TlsStalledHandshake scenario;
  return scenario;
}
const Scenario& tls_drop_handshake_scenario() {
  static const TlsDropHandshake scenario;
  return scenario;
}
const Scenario& tls_peer_closes_scenario() {
  static const TlsPeerCloses scenario;
  return scenario;
}
const Scenario& tls_pause_scenario() {
  static const TlsPause scenario;
  return scenario;
}
const Scenario& tls_paused_start_scenario() {
  static const TlsPausedStart scenario;
  return scenario;
}
const Scenario& tls_starttls_scenario() {
  static const TlsStartTls scenario;
  return scenario;
}

}  // namespace loopcheck
