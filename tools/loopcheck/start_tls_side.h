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

// The plain phase's app: greets or waits for the greeting, upgrades, and then hands everything
// to `inner` on the SSL transport (StartTlsHandover). `step_us` (server) makes the step that
// greets and upgrades slow, as a loaded machine's is (seed 000).
class Upgrader final : public StartTlsHandover {
 public:
  Upgrader(RealWorld& world, Protocol& inner, bool server, Bytes greeting, SslProtocolFactory make,
           std::int64_t step_us = 0)
      : StartTlsHandover(*world.loop, world.bugs, inner), server_(server), greeting_(std::move(greeting)),
        step_us_(step_us) {
    set_factory(std::move(make));
  }
  // start_tls's error, or a greeting that was not the expected one.
  std::optional<Error> failure() const { return bad_greeting_ ? bad_greeting_ : upgrade_error(); }
  Nanos handshake_timeout = 60 * kSecond;

 private:
  void on_plain_made(Transport&) override {
    if (server_) loop().call_soon(Tag{this, "main"}, [this] { greet_and_upgrade(); });
  }
  void on_plain_data(BytesView data) override {
    if (server_) return;  // a server expects nothing in plaintext
    seen_.append(data.data(), data.size());
    if (seen_.size() < greeting_.size()) return;
    if (seen_ != greeting_) {
      bad_greeting_ = make_error(Errc::other, "the greeting was not the expected one");
      plain().close();
      return;
    }
    upgrade_now();
  }
  void greet_and_upgrade() {
    (void)plain().write(greeting_);
    if (step_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(step_us_));
    upgrade_now();
  }
  void upgrade_now() {
    SslOptions options;
    options.server_side = server_;
    options.handshake_timeout = handshake_timeout;
    upgrade(options);
  }

  bool server_;
  Bytes greeting_;
  std::int64_t step_us_;
  Bytes seen_;
  std::optional<Error> bad_greeting_;
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
    if (upgrader->failure()) return upgrader->failure()->describe();
    return upgrader->upgraded() ? "ok (after start_tls)" : "never finished";
  }
};

}  // namespace loopcheck::cli
