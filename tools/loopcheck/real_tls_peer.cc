// `loopcheck real tls-serve`, `tls-connect` and `tls-certs`: one end of a TLS echo on real
// loopback sockets, the other end being a program nobody here wrote (openssl s_client, a
// CPython asyncio client or server; see tests/interop/). The SSL protocol and the monitor are
// the same as in `tls-echo`; what is checked is every byte (xxHash), the handshake, the close
// and the oracles on both layers.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>

#include "model/oracles/monitor.h"
#include "tools/loopcheck/echo_parts.h"
#include "tools/loopcheck/real_tls.h"
#include "tools/loopcheck/start_tls_side.h"
#include "tools/loopcheck/tls_side.h"

namespace loopcheck::cli {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

// Echoes every byte; once `limit` bytes have gone back (0: no limit) it closes, sending its
// close_notify. A peer that closes first ends it too.
class ClosingEchoServer final : public Protocol {
 public:
  explicit ClosingEchoServer(std::size_t limit) : limit_(limit) {}
  void connection_made(Transport& t) override { transport_ = &t; }
  void data_received(BytesView data) override {
    received.add(data);
    (void)transport_->write(data);
    if (limit_ > 0 && received.bytes() >= limit_ && !transport_->is_closing()) transport_->close();
  }
  bool eof_received() override {
    eof = true;
    return false;
  }
  void connection_lost(std::optional<Error> e) override {
    ++lost;
    error = std::move(e);
  }
  void pause_writing() override { transport_->pause_reading(); }
  void resume_writing() override { transport_->resume_reading(); }
  Checksum received;
  bool eof = false;
  int lost = 0;
  std::optional<Error> error;

 private:
  std::size_t limit_;
  Transport* transport_ = nullptr;
};

int report_violation(const Monitor& monitor) {
  if (const std::optional<Violation>& v = monitor.violation()) {
    std::printf("oracles: VIOLATION %s: %s\n", std::string(oracle_id(v->oracle)).c_str(), v->message.c_str());
    return 1;
  }
  std::printf("oracles: ok (O1, O3, O4, O7, O8 on every callback of both layers)\n");
  return 0;
}

}  // namespace

int real_tls_certs(const TlsOptions& options) {
  std::string error;
  std::optional<Certificates> certs = localhost_certificates(error);
  if (!certs) {
    std::fprintf(stderr, "loopcheck: certificates: %s\n", error.c_str());
    return 2;
  }
  const std::string& dir = options.cert_dir;
  if (!write_file(dir + "/ca.pem", certs->ca_cert) || !write_file(dir + "/cert.pem", certs->cert) ||
      !write_file(dir + "/key.pem", certs->key)) {
    std::fprintf(stderr, "loopcheck: --dir %s: cannot write ca.pem, cert.pem and key.pem there\n", dir.c_str());
    return 2;
  }
  std::printf("wrote %s/ca.pem, cert.pem, key.pem (P-256, CN and SAN localhost)\n", dir.c_str());
  return 0;
}

int real_tls_serve(const BugSet& bugs, const TlsOptions& options) {
  Certificates certs;
  for (auto [name, field] : {std::pair{"cert.pem", &certs.cert}, {"key.pem", &certs.key}}) {
    std::optional<std::string> text = read_file(options.cert_dir + "/" + name);
    if (!text) {
      std::fprintf(stderr, "loopcheck: --cert-dir %s: cannot read %s\n", options.cert_dir.c_str(), name);
      return 2;
    }
    *field = *text;
  }
  int code = 0;
  std::unique_ptr<RealWorld> world = make_world(bugs, options.overlapped, code);
  if (!world) return code;
  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:" + std::to_string(options.port));
  if (!listener.ok()) {
    std::fprintf(stderr, "loopcheck: --port %d: %s\n", options.port, listener.error().describe().c_str());
    return 2;
  }
  std::printf("listening on %s\n", world->sockets.sockname(listener.value()).c_str());
  std::fflush(stdout);
  Monitor monitor(OracleSet::all(), world->tracer, nullptr, *world->loop);
  world->loop->set_observer(&monitor);
  ClosingEchoServer server(options.bytes);
  TlsSide side;
  StartTlsEnd upgraded;  // --starttls
  std::string setup_error;
  (void)world->loop->add_reader(listener.value(), Tag{nullptr, "accept"}, [&] {
    IoResult<int> fd = PosixSockets::tcp_accept(listener.value());
    if (!fd.ok()) return;
    world->loop->remove_reader(listener.value());
    ::close(listener.value());
    std::unique_ptr<OpenSslEngine> tls = server_engine(certs, options.version, setup_error);
    if (!tls) {
      ::close(fd.value());
      return;
    }
    if (options.starttls) {
      upgraded.open(*world, monitor, fd.value(), server, std::move(tls), true, options.overlapped);
    } else {
      side.open(*world, monitor, fd.value(), server, std::move(tls), true, options.overlapped);
    }
  });
  const Nanos limit = options.peer_seconds * kSecond;
  RealWorld::End end = run_to_the_end(*world, monitor, [&] { return server.lost > 0 || !setup_error.empty(); },
                                      limit, {[&] { return server.received.bytes(); }, quiet_stretch(0)});
  if (!setup_error.empty()) {
    std::fprintf(stderr, "loopcheck: TLS: %s\n", setup_error.c_str());
    return 2;
  }
  std::printf("handshake: %s; echoed %zu bytes (xxh3 %016llx); peer EOF %s; connection_lost(%s)\n",
              (options.starttls && upgraded.upgrader ? upgraded.describe_handshake() : side.describe_handshake()).c_str(),
              server.received.bytes(),
              static_cast<unsigned long long>(server.received.digest()), server.eof ? "seen" : "not seen",
              server.error ? server.error->describe().c_str() : "None");
  int violation = report_violation(monitor);
  bool handshake_ok = options.starttls ? upgraded.upgrader && upgraded.upgrader->upgraded()
                                       : side.handshake_done && !side.handshake_error;
  bool ok = end == RealWorld::End::done && handshake_ok && server.lost == 1 && violation == 0 &&
            (options.bytes == 0 || server.received.bytes() == options.bytes);
  return print_verdict(ok, end, violation == 0 && server.lost <= 1, limit);
}

int real_tls_connect(const BugSet& bugs, const TlsOptions& options) {
  std::optional<std::string> ca = read_file(options.ca_file);
  if (!ca) {
    std::fprintf(stderr, "loopcheck: --ca %s: cannot read it\n", options.ca_file.c_str());
    return 2;
  }
  int code = 0;
  std::unique_ptr<RealWorld> world = make_world(bugs, options.overlapped, code);
  if (!world) return code;
  IoResult<int> fd = PosixSockets::tcp_connect("127.0.0.1:" + std::to_string(options.port));
  if (!fd.ok()) {
    std::fprintf(stderr, "loopcheck: --port %d: %s\n", options.port, fd.error().describe().c_str());
    return 2;
  }
  std::string error;
  std::unique_ptr<OpenSslEngine> tls = client_engine(*ca, options.version, error);
  if (!tls) {
    std::fprintf(stderr, "loopcheck: TLS: %s\n", error.c_str());
    return 2;
  }
  Monitor monitor(OracleSet::all(), world->tracer, nullptr, *world->loop);
  world->loop->set_observer(&monitor);
  EchoOptions echo;
  echo.bytes = options.bytes;
  echo.pause_every_ms = options.pause_every_ms;
  echo.tls = true;
  EchoClient client(*world->loop, echo);
  TlsSide side;
  StartTlsEnd upgraded;  // --starttls
  if (options.starttls) {
    upgraded.open(*world, monitor, fd.value(), client, std::move(tls), false, options.overlapped);
  } else {
    side.open(*world, monitor, fd.value(), client, std::move(tls), false, options.overlapped);
  }
  const Nanos limit = options.peer_seconds * kSecond;
  RealWorld::End end = run_to_the_end(
      *world, monitor,
      [&] { return client.lost > 0 || (options.starttls && upgraded.upgrader->failure().has_value()); }, limit,
      {[&] { return client.sent.bytes() + client.received.bytes(); }, quiet_stretch(options.pause_every_ms)});
  bool intact = client.received.bytes() == client.sent.bytes() && client.sent.bytes() == options.bytes &&
                client.received.digest() == client.sent.digest();
  SslProtocol* ssl = options.starttls ? upgraded.ssl.get() : side.ssl.get();
  std::string version = ssl ? ssl->app_transport().get_extra_info("version").value_or("?") : "?";
  std::printf("%s: handshake %s; sent %zu, echoed back %zu, checksum %s; connection_lost(%s)\n", version.c_str(),
              (options.starttls ? upgraded.describe_handshake() : side.describe_handshake()).c_str(),
              client.sent.bytes(), client.received.bytes(),
              checksum_word(intact, end), client.error ? client.error->describe().c_str() : "None");
  int violation = report_violation(monitor);
  bool handshake_ok = options.starttls ? upgraded.upgrader->upgraded() : side.handshake_done && !side.handshake_error;
  bool sound = violation == 0 && !client.error && client.lost <= 1 &&
               !(options.starttls && upgraded.upgrader->failure().has_value());
  bool ok = end == RealWorld::End::done && intact && handshake_ok && client.lost == 1 && sound;
  return print_verdict(ok, end, sound, limit);
}

}  // namespace loopcheck::cli
