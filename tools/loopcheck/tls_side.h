// One TLS endpoint on a real socket, as the real-socket commands build it: the SSL protocol over
// a plain stream transport (SelectorStream on epoll or ProactorStream on io_uring), both layers
// observed by the monitor exactly as SimWorld::ssl_transport observes them in the simulation.
#pragma once

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "model/oracles/monitor.h"
#include "src/tls/openssl_engine.h"
#include "src/tls/ssl_protocol.h"
#include "src/transport/proactor_stream.h"
#include "src/transport/selector_stream.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {

// The handshake's outcome lands in handshake_done / handshake_error (the waiter).
struct TlsSide {
  std::unique_ptr<SslProtocol> ssl;
  std::unique_ptr<Transport> plain;
  bool handshake_done = false;
  std::optional<Error> handshake_error;
  SslWaiter then;  // whoever else awaits the handshake (create_connection's caller)
  Nanos shutdown_timeout = 30 * kSecond;  // asyncio's ssl_shutdown_timeout

  void open(RealWorld& world, Monitor& monitor, int fd, Protocol& app, std::unique_ptr<OpenSslEngine> engine,
            bool server, bool overlapped) {
    ObservedStream& above = monitor.observe_stream(app, fd, nullptr, StreamKind::ssl);
    SslOptions options;
    options.server_side = server;
    options.shutdown_timeout = shutdown_timeout;
    ssl = std::make_unique<SslProtocol>(SslContext{*world.loop, world.bugs, world.tracer, &monitor}, std::move(engine),
                                        above, options, [this](std::optional<Error> error) {
                                          handshake_done = true;
                                          handshake_error = error;
                                          if (then) then(std::move(error));
                                        });
    above.set_owner(ssl.get());
    above.attach(ssl->app_transport());
    ObservedStream& beneath =
        monitor.observe_stream(*ssl, fd, nullptr, overlapped ? StreamKind::proactor : StreamKind::selector);
    if (overlapped) {
      plain = std::make_unique<ProactorStreamTransport>(world.context(), fd, beneath);
    } else {
      plain = std::make_unique<SelectorStreamTransport>(world.context(), fd, beneath);
    }
    beneath.set_owner(plain.get());
    above.set_beneath(&beneath, options.shutdown_timeout);
  }
  std::string describe_handshake() const {
    if (handshake_error) return handshake_error->describe();
    return handshake_done ? "ok" : "never finished";
  }
};

// The real world for one TLS command, on io_uring when `overlapped`. Null when it cannot be had:
// `code` is then the exit code (2: no epoll; kSkipped: no io_uring, with the reason printed).
inline std::unique_ptr<RealWorld> make_world(const BugSet& bugs, bool overlapped, int& code) {
  auto created = RealWorld::create(bugs);
  if (auto* why = std::get_if<std::string>(&created)) {
    std::fprintf(stderr, "loopcheck: %s\n", why->c_str());
    code = 2;
    return nullptr;
  }
  auto world = std::move(std::get<std::unique_ptr<RealWorld>>(created));
  if (overlapped) {
    if (std::optional<std::string> why = world->enable_io_uring()) {
      std::printf("skipped: %s\n", why->c_str());
      code = kSkipped;
      return nullptr;
    }
  }
  return world;
}

// Runs the loop until `done` (within `limit`, watched), then, over io_uring, until the kernel has
// handed back every buffer (cancelled reads complete after connection_lost, and their handlers
// point at the transports), then lets the monitor judge the end. A drain that never ends is a
// stall: the buffers never came back. A run that did not end has connections still reading, so
// it waits for no drain.
inline RealWorld::End run_to_the_end(RealWorld& world, Monitor& monitor, const std::function<bool()>& done,
                                     Nanos limit, const RealWorld::Watch& watch) {
  RealWorld::End end = world.run_watched(done, limit, watch);
  if (end == RealWorld::End::done && world.completions &&
      !world.run_until([&] { return world.port_books().owned_buffers == 0; }, 5 * kSecond)) {
    end = RealWorld::End::stalled;
  }
  monitor.check_end(end == RealWorld::End::done);
  world.loop->set_observer(nullptr);
  return end;
}
// The same for an experiment whose time bound is the hang it looks for (seed 001's connect
// timeout, start_tls's few bytes): true if it ended.
inline bool run_to_the_end(RealWorld& world, Monitor& monitor, const std::function<bool()>& done, Nanos limit) {
  return run_to_the_end(world, monitor, done, limit, {[] { return std::size_t{0}; }, 0}) == RealWorld::End::done;
}

}  // namespace loopcheck::cli
