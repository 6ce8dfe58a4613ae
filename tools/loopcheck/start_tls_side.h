// One end of a STARTTLS connection on a real socket, as the real-socket commands build it: a
// plain stream transport whose app speaks a plaintext greeting (the server sends it, the client
// waits for it), upgrades with loop.start_tls (src/tls/start_tls), and then hands the SSL
// transport to an inner app (an echo server or client). The SSL protocol start_tls installs is
// observed by the monitor as SimWorld::start_tls_factory observes it in the simulation.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "model/oracles/monitor.h"
#include "src/tls/openssl_engine.h"
#include "src/tls/start_tls.h"
#include "src/transport/proactor_stream.h"
#include "src/transport/selector_stream.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {

// The SSL protocols start_tls makes on `fd` (kept in `holder`), observed above `beneath`.
inline SslProtocolFactory real_start_tls_factory(RealWorld& world, Monitor& monitor, ObservedStream*& beneath,
                                                 std::unique_ptr<SslProtocol>& holder,
                                                 std::function<std::unique_ptr<OpenSslEngine>()> engine) {
  return [&world, &monitor, &beneath, &holder, engine](const SslOptions& options, SslWaiter waiter) -> TlsUpgrade {
    ObservedStream& above = monitor.observe_stream(beneath->get_protocol(), beneath->fd(), nullptr, StreamKind::ssl);
    holder = std::make_unique<SslProtocol>(SslContext{*world.loop, world.bugs, world.tracer, &monitor}, engine(), above,
                                           options, std::move(waiter));
    above.set_owner(holder.get());
    above.attach(holder->app_transport());
    above.adopt_connection();
    above.set_beneath(beneath, options.shutdown_timeout);
    return TlsUpgrade{*holder, above};
  };
}

// The plain phase's app: greets or waits for the greeting, upgrades, then forwards everything
// to `inner` on the SSL transport. `step_us` (server) makes the step that greets and upgrades
// slow, as a loaded machine's is (seed 000).
class Upgrader final : public Protocol {
 public:
  Upgrader(RealWorld& world, Protocol& inner, bool server, Bytes greeting, SslProtocolFactory make,
           std::int64_t step_us = 0)
      : world_(world), inner_(inner), server_(server), greeting_(std::move(greeting)), make_(std::move(make)),
        step_us_(step_us) {}

  void connection_made(Transport& transport) override {
    transport_ = &transport;
    if (server_) world_.loop->call_soon(Tag{this, "main"}, [this] { greet_and_upgrade(); });
  }
  void data_received(BytesView data) override {
    if (upgraded_) {
      inner_.data_received(data);
      return;
    }
    if (started_) {  // over TLS already, before start_tls has returned: kept for the inner app
      early_.append(data.data(), data.size());
      return;
    }
    if (server_) return;  // a server expects nothing in plaintext
    seen_.append(data.data(), data.size());
    if (seen_.size() < greeting_.size()) return;
    if (seen_ != greeting_) {
      upgrade_error = make_error(Errc::other, "the greeting was not the expected one");
      transport_->close();
      return;
    }
    upgrade();
  }
  bool eof_received() override { return upgraded_ ? inner_.eof_received() : false; }
  void connection_lost(std::optional<Error> error) override {
    if (upgraded_) inner_.connection_lost(std::move(error));
  }
  void pause_writing() override {
    if (upgraded_) inner_.pause_writing();
  }
  void resume_writing() override {
    if (upgraded_) inner_.resume_writing();
  }

  std::optional<Error> upgrade_error;  // start_tls raised (or returned None)
  bool upgraded() const { return upgraded_; }

 private:
  void greet_and_upgrade() {
    (void)transport_->write(greeting_);
    if (step_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(step_us_));
    upgrade();
  }
  void upgrade() {
    started_ = true;
    SslOptions options;
    options.server_side = server_;
    options.handshake_timeout = handshake_timeout;
    start_tls(*world_.loop, world_.bugs, *transport_, *this, options, make_,
              [this](std::optional<Error> error, Transport* upgraded) {
                if (error || !upgraded) {
                  upgrade_error = error ? *error : make_error(Errc::connection_reset, "start_tls returned None");
                  return;
                }
                upgraded_ = true;
                inner_.connection_made(*upgraded);
                if (!early_.empty()) inner_.data_received(early_);
                early_.clear();
              });
  }

 public:
  Nanos handshake_timeout = 60 * kSecond;

 private:
  RealWorld& world_;
  Protocol& inner_;
  bool server_;
  Bytes greeting_;
  SslProtocolFactory make_;
  std::int64_t step_us_;
  Transport* transport_ = nullptr;
  Bytes seen_, early_;
  bool started_ = false, upgraded_ = false;
};

// The plaintext greeting of `tls-serve --starttls` and `tls-connect --starttls` (and of the
// CPython asyncio peer in the interop tests).
inline const Bytes kStartTlsGreeting = "220 ready to start TLS\r\n";

// One STARTTLS end on `fd`: the plain transport (SelectorStream on epoll, or ProactorStream on
// io_uring when `overlapped`), observed; the Upgrader as its app, with `inner` for after.
struct StartTlsEnd {
  std::unique_ptr<Transport> plain;
  std::unique_ptr<SslProtocol> ssl;
  ObservedStream* beneath = nullptr;
  std::unique_ptr<Upgrader> upgrader;

  // `engine` is the one start_tls's SSL protocol will use.
  void open(RealWorld& world, Monitor& monitor, int fd, Protocol& inner, std::unique_ptr<OpenSslEngine> engine,
            bool server, bool overlapped) {
    auto held = std::make_shared<std::unique_ptr<OpenSslEngine>>(std::move(engine));
    upgrader = std::make_unique<Upgrader>(
        world, inner, server, kStartTlsGreeting,
        real_start_tls_factory(world, monitor, beneath, ssl, [held] { return std::move(*held); }));
    beneath = &monitor.observe_stream(*upgrader, fd, nullptr, overlapped ? StreamKind::proactor : StreamKind::selector);
    if (overlapped) {
      plain = std::make_unique<ProactorStreamTransport>(world.context(), fd, *beneath);
    } else {
      plain = std::make_unique<SelectorStreamTransport>(world.context(), fd, *beneath);
    }
    beneath->set_owner(plain.get());
  }
  std::string describe_handshake() const {
    if (upgrader->upgrade_error) return upgrader->upgrade_error->describe();
    return upgrader->upgraded() ? "ok (after start_tls)" : "never finished";
  }
};

}  // namespace loopcheck::cli
