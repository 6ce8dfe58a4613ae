// `loopcheck real tls-echo`: the SSL protocol as client and server in one process, over real
// loopback sockets: SelectorStream on epoll, or ProactorStream on io_uring with --proactor. The
// client writes `bytes` under flow control and toggles reading on a timer; the server echoes
// under backpressure; the client closes once everything is back, so close_notify travels both
// ways. Each direction is checked with xxHash, and both layers of both ends (the plain
// transport and the SSL transport) are watched by the simulation's monitor, O8 included.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <random>

#include "tools/loopcheck/echo_parts.h"
#include "tools/loopcheck/real_tls.h"
#include "tools/loopcheck/tls_side.h"

namespace loopcheck::cli {

namespace {

std::uint64_t fresh_seed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

}  // namespace

std::unique_ptr<OpenSslEngine> server_engine(const Certificates& certs, int version, std::string& error) {
  TlsCertConfig config;
  config.server = true;
  config.version = version;
  config.cert_pem = certs.cert;
  config.key_pem = certs.key;
  config.seed = fresh_seed();
  return OpenSslEngine::create_cert(config, error);
}

std::unique_ptr<OpenSslEngine> client_engine(const std::string& ca_pem, int version, std::string& error) {
  TlsCertConfig config;
  config.version = version;
  config.ca_pem = ca_pem;
  config.server_hostname = "localhost";
  config.seed = fresh_seed();
  return OpenSslEngine::create_cert(config, error);
}

std::optional<Certificates> localhost_certificates(std::string& error) {
  CertificateRequest request;
  request.key = CertificateKey::p256;
  request.seed = fresh_seed();
  return make_certificates(request, error);
}

int real_tls_echo(const BugSet& bugs, const TlsOptions& options) {
  int code = 0;
  std::unique_ptr<RealWorld> made = make_world(bugs, options.overlapped, code);
  if (!made) return code;
  RealWorld& world = *made;
  std::string error;
  std::optional<Certificates> certs = localhost_certificates(error);
  if (!certs) {
    std::fprintf(stderr, "loopcheck: certificates: %s\n", error.c_str());
    return 2;
  }
  Monitor monitor(OracleSet::all(), world.tracer, nullptr, *world.loop);
  world.loop->set_observer(&monitor);
  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:0");
  if (!listener.ok()) {
    std::fprintf(stderr, "loopcheck: %s\n", listener.error().describe().c_str());
    return 2;
  }
  IoResult<int> client_fd = PosixSockets::tcp_connect(world.sockets.sockname(listener.value()));
  if (!client_fd.ok()) {
    std::fprintf(stderr, "loopcheck: %s\n", client_fd.error().describe().c_str());
    return 2;
  }
  EchoOptions echo;
  echo.bytes = options.bytes;
  echo.pause_every_ms = options.pause_every_ms;
  echo.tls = true;
  EchoServer server;
  EchoClient client(*world.loop, echo);
  TlsSide client_end, server_end;
  std::unique_ptr<OpenSslEngine> client_tls = client_engine(certs->ca_cert, options.version, error);
  if (!client_tls) {
    std::fprintf(stderr, "loopcheck: client TLS: %s\n", error.c_str());
    return 2;
  }
  client_end.open(world, monitor, client_fd.value(), client, std::move(client_tls), false, options.overlapped);
  std::string server_setup_error;
  (void)world.loop->add_reader(listener.value(), Tag{nullptr, "accept"}, [&] {
    IoResult<int> fd = PosixSockets::tcp_accept(listener.value());
    if (!fd.ok()) return;
    world.loop->remove_reader(listener.value());
    ::close(listener.value());
    std::unique_ptr<OpenSslEngine> tls = server_engine(*certs, options.version, server_setup_error);
    if (!tls) {
      ::close(fd.value());
      return;
    }
    server_end.open(world, monitor, fd.value(), server, std::move(tls), true, options.overlapped);
  });
  Nanos start = world.clock.now();
  const Nanos limit = options.seconds * kSecond;
  RealWorld::End end = run_to_the_end(
      world, monitor, [&] { return (client.lost > 0 && server.lost > 0) || !server_setup_error.empty(); }, limit,
      {[&] { return client.sent.bytes() + client.received.bytes(); }, quiet_stretch(options.pause_every_ms)});
  double seconds = static_cast<double>(world.clock.now() - start) / kSecond;
  if (!server_setup_error.empty()) {
    std::fprintf(stderr, "loopcheck: server TLS: %s\n", server_setup_error.c_str());
    return 2;
  }
  bool intact = client.received.bytes() == client.sent.bytes() && client.sent.bytes() == options.bytes &&
                client.received.digest() == client.sent.digest();
  std::string version = client_end.ssl ? client_end.ssl->app_transport().get_extra_info("version").value_or("?") : "?";
  std::printf("%s over %s: bytes sent %zu, echoed back %zu, checksum %s (xxh3 %016llx / %016llx), %.3f s\n",
              version.c_str(), options.overlapped ? "io_uring" : "epoll", client.sent.bytes(),
              client.received.bytes(), checksum_word(intact, end),
              static_cast<unsigned long long>(client.sent.digest()),
              static_cast<unsigned long long>(client.received.digest()), seconds);
  std::printf("handshake: client %s, server %s; client paused reading %d times\n",
              client_end.describe_handshake().c_str(), server_end.describe_handshake().c_str(),
              client.pauses);
  std::printf("connection_lost: client %s, server %s (close_notify both ways)\n",
              client.error ? client.error->describe().c_str() : "None",
              server.error ? server.error->describe().c_str() : "None");
  const std::optional<Violation>& v = monitor.violation();
  if (v) {
    std::printf("oracles: VIOLATION %s: %s\n", std::string(oracle_id(v->oracle)).c_str(), v->message.c_str());
  } else {
    std::printf("oracles: ok (O1, O3, O4, O7, O8 on every callback of both layers)\n");
  }
  bool sound = !v && !client.error && !server.error && client.lost <= 1 && server.lost <= 1 &&
               !client_end.handshake_error;
  bool ok = end == RealWorld::End::done && intact && sound && client.lost == 1 && server.lost == 1 &&
            client_end.handshake_done;
  return print_verdict(ok, end, sound, limit);
}

}  // namespace loopcheck::cli
