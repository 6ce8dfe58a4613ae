// `loopcheck real reactor`: seed 001 on real sockets, over epoll. The driver's reactor
// (src/tls/tls_reactor) connects over TLS 1.3 to a server that speaks the startup exchange:
// loopcheck's own (the SSL protocol with session tickets on) or, with --port, one already
// listening on 127.0.0.1 (CPython's asyncio in the interop tests). With reactor-sslsocket the
// startup fails by the connect timeout, and the monitor names the error nobody retrieved.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <vector>

#include "model/oracles/monitor.h"
#include "src/tls/tls_reactor.h"
#include "tools/loopcheck/commands.h"
#include "tools/loopcheck/real_tls.h"
#include "tools/loopcheck/real_world.h"
#include "tools/loopcheck/tls_side.h"

namespace loopcheck::cli {

namespace {

std::uint64_t fresh_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

// The server's side of the driver's protocol, one line each way.
class StartupResponder final : public Protocol {
 public:
  void connection_made(Transport& transport) override { transport_ = &transport; }
  void data_received(BytesView data) override {
    inbox_.append(data.data(), data.size());
    std::size_t end;
    while ((end = inbox_.find('\n')) != Bytes::npos) {
      Bytes line = inbox_.substr(0, end);
      inbox_.erase(0, end + 1);
      if (line == "OPTIONS") (void)transport_->write("SUPPORTED\n");
      if (line == "STARTUP") (void)transport_->write("READY\n");
      if (line.rfind("QUERY ", 0) == 0) (void)transport_->write("RESULT " + line.substr(6) + "\n");
    }
  }
  bool eof_received() override { return false; }
  void connection_lost(std::optional<Error>) override { ++lost; }
  // The server's handshake finished: only then is connection_lost owed (asyncio's SSL layer
  // tells an app it never made nothing of a handshake that failed).
  bool made() const { return transport_ != nullptr; }
  int lost = 0;

 private:
  Transport* transport_ = nullptr;
  Bytes inbox_;
};

struct RunOutcome {
  bool ready = false, answered = false;
  // The connect timeout came while the TLS startup still moved bytes: the timeout was too short
  // for this machine, not a hang (incomplete).
  bool timed_out_moving = false;
  double seconds_to_ready = 0, seconds = 0;
  std::optional<Error> failure;        // what the driver reported (connected_event's error)
  std::optional<Violation> violation;  // what the monitor found (the swallowed error)
  std::string setup_error;
};

RunOutcome run_once(RealWorld& world, const Certificates& certs, const std::string& ca_pem, const ReactorRunOptions& options) {
  RunOutcome out;
  Monitor monitor(OracleSet::all(), world.tracer, nullptr, *world.loop);
  world.loop->set_observer(&monitor);
  std::unique_ptr<StartupResponder> responder;
  TlsSide server_end, client_end;
  int port = options.port;
  int listener = -1;
  if (port == 0) {
    IoResult<int> listening = PosixSockets::tcp_listen("127.0.0.1:0");
    if (!listening.ok()) {
      out.setup_error = listening.error().describe();
      return out;
    }
    listener = listening.value();
    std::string name = world.sockets.sockname(listener);
    port = std::stoi(name.substr(name.rfind(':') + 1));
    responder = std::make_unique<StartupResponder>();
    (void)world.loop->add_reader(listener, Tag{nullptr, "accept"}, [&] {
      IoResult<int> fd = PosixSockets::tcp_accept(listener);
      if (!fd.ok()) return;
      world.loop->remove_reader(listener);
      ::close(listener);
      TlsCertConfig config;
      config.server = true;
      config.version = 13;
      config.cert_pem = certs.cert;
      config.key_pem = certs.key;
      config.num_tickets = 2;  // tickets on: the client's first read meets them
      config.seed = fresh_seed();
      std::string error;
      std::unique_ptr<OpenSslEngine> engine = OpenSslEngine::create_cert(config, error);
      if (!engine) {
        out.setup_error = "server TLS: " + error;
        ::close(fd.value());
        return;
      }
      server_end.open(world, monitor, fd.value(), *responder, std::move(engine), true, false);
    });
  }
  IoResult<int> fd = PosixSockets::tcp_connect("127.0.0.1:" + std::to_string(port));
  if (!fd.ok()) {
    out.setup_error = fd.error().describe();
    return out;
  }
  auto engine_for = [&](const std::string& hostname) -> std::unique_ptr<OpenSslEngine> {
    TlsCertConfig config;
    config.version = 13;
    config.ca_pem = ca_pem;
    config.server_hostname = hostname;
    config.seed = fresh_seed();
    std::string error;
    std::unique_ptr<OpenSslEngine> engine = OpenSslEngine::create_cert(config, error);
    if (!engine) out.setup_error = "client TLS: " + error;
    return engine;
  };
  if (!engine_for("localhost")) return out;  // the CA or the configuration is refused
  ReactorContext ctx{*world.loop, world.sockets, world.bugs, world.tracer, &monitor, {}, {}};
  ctx.create_connection = [&](Protocol& app, const std::string& hostname, SslWaiter waiter) -> Transport& {
    client_end.then = std::move(waiter);
    client_end.open(world, monitor, fd.value(), app, engine_for(hostname), false, false);
    return monitor.observed_of(client_end.ssl.get());
  };
  ctx.wrap_socket = [&](const std::string& hostname) -> std::unique_ptr<TlsEngine> { return engine_for(hostname); };
  ReactorOptions reactor;
  reactor.connect_timeout = options.connect_timeout_ms * kMillisecond;
  reactor.endpoint_address = "localhost";  // the certificate's name
  reactor.check_hostname = true;
  ReactorConnection conn(std::move(ctx), fd.value(), reactor);
  Nanos start = world.clock.now();
  bool ended = false;
  // When the startup last moved a byte (either end's SSL layer, to or from its socket), sampled
  // at every turn of the loop; a connect timeout within half its length of that came while
  // the startup still moved.
  auto moved = [&] {
    std::size_t bytes = 0;
    for (TlsSide* side : {&client_end, &server_end}) {
      if (side->plain) bytes += monitor.observed_of(side->plain.get()).bytes_moved();
    }
    return bytes;
  };
  std::size_t seen = 0;
  Nanos moved_at = -1;
  conn.connect(
      [&](std::optional<Error> error) {
        if (error) {
          out.failure = error;
          // Moved since the last sample (this turn of the loop), or within the last half.
          out.timed_out_moving = error->code == Errc::timed_out && moved_at >= 0 &&
                                 (moved() != seen ||
                                  world.clock.now() - moved_at < options.connect_timeout_ms * kMillisecond / 2);
          ended = true;
          return;
        }
        out.ready = true;
        out.seconds_to_ready = static_cast<double>(world.clock.now() - start) / kSecond;
        (void)conn.send_request("QUERY 1\n");
      },
      [&](const Bytes& line) {
        if (line != "RESULT 1") return;
        out.answered = true;
        conn.close();
      });
  bool finished = run_to_the_end(
      world, monitor,
      [&] {
        if (std::size_t now_moved = moved(); moved_at < 0 || now_moved != seen) {
          seen = now_moved;
          moved_at = world.clock.now();
        }
        // The bridge has had its connection_lost (the observed SSL layer saw it go by).
        bool client_done = ended || (out.answered && client_end.ssl && monitor.observed_of(client_end.ssl.get()).lost());
        // The server's app, if its handshake finished; else the connection beneath its SSL layer.
        bool server_done = !responder || responder->lost > 0 ||
                           (!responder->made() && server_end.plain && monitor.observed_of(server_end.plain.get()).lost());
        return client_done && server_done;
      },
      options.connect_timeout_ms * kMillisecond + 10 * kSecond);
  out.seconds = static_cast<double>(world.clock.now() - start) / kSecond;
  out.violation = monitor.violation();
  if (!finished && !out.violation) out.failure = make_error(Errc::timed_out, "the run did not end in time");
  return out;
}

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int real_reactor(const BugSet& bugs, const ReactorRunOptions& options) {
  std::string error;
  std::optional<Certificates> certs = localhost_certificates(error);
  if (!certs) {
    std::fprintf(stderr, "loopcheck: certificates: %s\n", error.c_str());
    return 2;
  }
  std::string ca = certs->ca_cert;
  if (options.port != 0) {
    std::vector<char> pem = read_file(options.ca_file);
    if (pem.empty()) {
      std::fprintf(stderr, "loopcheck: --ca %s: cannot read it, or it is empty\n", options.ca_file.c_str());
      return 2;
    }
    ca.assign(pem.begin(), pem.end());
  }
  std::size_t ready = 0, cut_short = 0;
  std::vector<double> times;
  for (std::size_t run = 0; run < options.runs; ++run) {
    int code = 0;
    std::unique_ptr<RealWorld> world = make_world(bugs, false, code);
    if (!world) return code;
    RunOutcome r = run_once(*world, *certs, ca, options);
    if (!r.setup_error.empty()) {
      std::fprintf(stderr, "loopcheck: %s\n", r.setup_error.c_str());
      return 2;
    }
    if (r.ready && r.answered && !r.violation) {
      ++ready;
      times.push_back(r.seconds_to_ready);
      if (options.runs <= 10) std::printf("run %zu: READY after %.1f ms, RESULT 1 back, closed\n", run + 1, r.seconds_to_ready * 1000);
      continue;
    }
    if (r.timed_out_moving && !r.violation) {
      ++cut_short;
      std::printf("run %zu: incomplete: the %lld ms connect timeout came while the TLS startup still moved (too "
                  "short for this machine, not a hang)\n",
                  run + 1, static_cast<long long>(options.connect_timeout_ms));
      continue;
    }
    std::printf("run %zu: startup %s after %.3f s: %s\n", run + 1, r.ready ? "ended" : "FAILED", r.seconds,
                r.failure ? r.failure->describe().c_str() : "no error reported");
    if (r.violation) {
      std::printf("  oracles: VIOLATION %s: %s\n", std::string(oracle_id(r.violation->oracle)).c_str(),
                  r.violation->message.c_str());
    }
  }
  std::sort(times.begin(), times.end());
  std::printf("%zu run(s): %zu READY", options.runs, ready);
  if (!times.empty()) std::printf(" (median %.1f ms, slowest %.1f ms)", times[times.size() / 2] * 1000, times.back() * 1000);
  std::printf(", %zu incomplete, %zu failed\n", cut_short, options.runs - ready - cut_short);
  if (ready + cut_short < options.runs) return 1;
  return cut_short == 0 ? 0 : kIncomplete;
}

}  // namespace loopcheck::cli
