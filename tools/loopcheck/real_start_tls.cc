// `loopcheck real start-tls`: seed 000's story on real sockets, over io_uring. As in CPython's
// test_start_tls_server_1, the client is a thread with a blocking socket: it reads the server's
// plaintext greeting, starts TLS (plain OpenSSL, verifying the CA and "localhost"), sends
// `bytes`, reads them back and closes with close_notify. The server is loopcheck's
// ProactorStream on io_uring: in one step it writes the greeting, is slow for `step_us` (the
// load of the write-up) and calls start_tls. Its ClientHello then has completed the server's
// outstanding recv before start_tls pauses reading; with bpo-33694 on, that pause cancels the
// completed recv and the ClientHello is lost, so the handshake hangs until its timeout. With
// bpo-33674 on, the recv's completion, polled after the step, runs after connection_made has
// put the handshake off by a call_soon: the ClientHello reaches the app as plaintext, and the
// handshake hangs the same way.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "model/oracles/monitor.h"
#include "model/world/peers.h"
#include "src/tls/start_tls.h"
#include "src/transport/proactor_stream.h"
#include "tools/loopcheck/real_tls.h"
#include "tools/loopcheck/echo_parts.h"
#include "tools/loopcheck/real_world.h"
#include "tools/loopcheck/start_tls_side.h"
#include "tools/loopcheck/tls_side.h"

namespace loopcheck::cli {

namespace {

constexpr Nanos kHandshakeTimeout = kSecond;  // a lost ClientHello ends the run after this

// What the client thread saw.
struct ClientOutcome {
  bool greeting = false;   // it read the whole greeting
  bool handshake = false;  // SSL_connect succeeded
  std::size_t echoed = 0;  // bytes read back over TLS
  bool intact = false;     // and they were the ones sent
  std::string failure;
};

// The test's client, with blocking calls and a receive timeout, in its own thread.
ClientOutcome run_client(int port, const std::string& ca_pem, const StartTlsOptions& options) {
  ClientOutcome out;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    out.failure = "socket()";
    return out;
  }
  // Both ways: a blocked call must end, or the server's join() would wait for it forever.
  timeval timeout{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    out.failure = "connect()";
    ::close(fd);
    return out;
  }
  Bytes greeting;
  char buffer[16384];
  while (greeting.size() < options.hello) {
    ssize_t n = ::recv(fd, buffer, std::min(sizeof buffer, options.hello - greeting.size()), 0);
    if (n <= 0) break;
    greeting.append(buffer, static_cast<std::size_t>(n));
  }
  out.greeting = greeting == SenderPeer::payload(0, options.hello);
  if (!out.greeting) {
    out.failure = "the greeting did not arrive whole";
    ::close(fd);
    return out;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  int version = options.version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(ctx, version);
  SSL_CTX_set_max_proto_version(ctx, version);
  BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
  X509_free(ca);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL* ssl = SSL_new(ctx);
  SSL_set_tlsext_host_name(ssl, "localhost");
  SSL_set1_host(ssl, "localhost");
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) == 1) {
    out.handshake = true;
    Bytes sent = SenderPeer::payload(0, options.bytes);
    Bytes back;
    // In lockstep, a piece written and its echo read back before the next: a blocking client
    // that wrote everything first would fill the echo's buffers both ways and wait for ever
    // (it did from --bytes of a few MiB on).
    for (std::size_t at = 0; at < sent.size() && back.size() == at;) {
      int piece = static_cast<int>(std::min(sizeof buffer, sent.size() - at));
      if (SSL_write(ssl, sent.data() + at, piece) != piece) break;
      at += static_cast<std::size_t>(piece);
      while (back.size() < at) {
        int n = SSL_read(ssl, buffer, static_cast<int>(std::min(sizeof buffer, at - back.size())));
        if (n <= 0) break;
        back.append(buffer, static_cast<std::size_t>(n));
      }
    }
    out.echoed = back.size();
    out.intact = back == sent;
    if (SSL_shutdown(ssl) == 0) (void)SSL_shutdown(ssl);  // close_notify, then the server's
    if (!out.intact) out.failure = "the echo came back short";
  } else {
    out.failure = "the handshake failed or timed out";
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  ::close(fd);
  return out;
}

// "16 03 01": the first `count` bytes in hex.
std::string hex_prefix(const Bytes& bytes, std::size_t count) {
  std::string text;
  char two[4];
  for (std::size_t i = 0; i < std::min(count, bytes.size()); ++i) {
    std::snprintf(two, sizeof two, "%02x", static_cast<unsigned char>(bytes[i]));
    text += (text.empty() ? "" : " ") + std::string(two);
  }
  return text;
}

// The server's app over TLS: echoes, and keeps all it got, to be checked against what the
// client sent over TLS.
class KeepingEcho final : public Protocol {
 public:
  void connection_made(Transport& t) override { echo_.connection_made(t); }
  void data_received(BytesView data) override {
    got.append(data.data(), data.size());
    echo_.data_received(data);
  }
  bool eof_received() override { return echo_.eof_received(); }
  void connection_lost(std::optional<Error> error) override { echo_.connection_lost(error); }
  void pause_writing() override { echo_.pause_writing(); }
  void resume_writing() override { echo_.resume_writing(); }
  int lost() const { return echo_.lost; }
  Bytes got;

 private:
  EchoServer echo_;
};

// From the first byte that is not the client's on: the client sends SenderPeer::payload(0, n)
// over TLS and nothing else, so anything else reached the app without TLS (with bpo-33674, the
// ClientHello, handed over as plaintext).
Bytes not_the_clients(const Bytes& got) {
  Bytes expected = SenderPeer::payload(0, got.size());
  std::size_t same = 0;
  while (same < got.size() && got[same] == expected[same]) ++same;
  return got.substr(same);
}

struct RunOutcome {
  ClientOutcome client;
  Bytes foreign;
  bool server_done = false;
  std::optional<Error> upgrade_error;
  std::optional<Violation> violation;
  RealWorld::PortBooks books;
  double seconds = 0;
  std::string setup_error;
};

RunOutcome run_once(const BugSet& bugs, const Certificates& certs, const StartTlsOptions& options, int& skip) {
  RunOutcome out;
  std::unique_ptr<RealWorld> made = make_world(bugs, /*overlapped=*/true, skip);
  if (!made) return out;
  RealWorld& world = *made;
  Monitor monitor(OracleSet::all(), world.tracer, nullptr, *world.loop);
  world.loop->set_observer(&monitor);
  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:0");
  if (!listener.ok()) {
    out.setup_error = listener.error().describe();
    return out;
  }
  std::string name = world.sockets.sockname(listener.value());
  int port = std::stoi(name.substr(name.rfind(':') + 1));
  std::thread client([&] { out.client = run_client(port, certs.ca_cert, options); });

  // The server: a ProactorStream on io_uring, observed, and the SSL protocol start_tls installs
  // on it, observed too.
  std::unique_ptr<Transport> plain;
  std::unique_ptr<SslProtocol> installed;
  ObservedStream* beneath = nullptr;
  KeepingEcho echo;
  Upgrader server(world, echo, /*server=*/true, SenderPeer::payload(0, options.hello),
                  real_start_tls_factory(world, monitor, beneath, installed,
                                         [&] {
                                           std::string error;
                                           auto engine = server_engine(certs, options.version, error);
                                           if (!engine) out.setup_error = "server TLS: " + error;
                                           return engine;
                                         }),
                  options.step_us);
  server.handshake_timeout = kHandshakeTimeout;
  (void)world.loop->add_reader(listener.value(), Tag{nullptr, "accept"}, [&] {
    IoResult<int> fd = PosixSockets::tcp_accept(listener.value());
    if (!fd.ok()) return;
    world.loop->remove_reader(listener.value());
    ::close(listener.value());
    beneath = &monitor.observe_stream(server, fd.value(), nullptr, StreamKind::proactor);
    plain = std::make_unique<ProactorStreamTransport>(world.context(), fd.value(), *beneath);
    beneath->set_owner(plain.get());
  });
  Nanos start = world.clock.now();
  out.server_done = run_to_the_end(
      world, monitor, [&] { return echo.lost() > 0 || server.failure().has_value(); }, 10 * kSecond);
  client.join();
  out.seconds = static_cast<double>(world.clock.now() - start) / kSecond;
  out.upgrade_error = server.failure();
  out.violation = monitor.violation();
  out.books = world.port_books();
  // What the app got, then what start_tls held back for it when the upgrade never finished.
  out.foreign = not_the_clients(echo.got + server.early());
  return out;
}

}  // namespace

int real_start_tls(const BugSet& bugs, const StartTlsOptions& options) {
  std::string error;
  std::optional<Certificates> certs = localhost_certificates(error);
  if (!certs) {
    std::fprintf(stderr, "loopcheck: certificates: %s\n", error.c_str());
    return 2;
  }
  std::size_t lossy = 0, lost_bytes = 0, handed_over = 0;
  for (std::size_t run = 0; run < options.runs; ++run) {
    int skip = 0;
    RunOutcome r = run_once(bugs, *certs, options, skip);
    if (skip != 0) return skip;
    if (!r.setup_error.empty()) {
      std::fprintf(stderr, "loopcheck: %s\n", r.setup_error.c_str());
      return 2;
    }
    bool lost = r.books.silent_loss_bytes > 0;
    lossy += lost ? 1 : 0;
    lost_bytes += r.books.silent_loss_bytes;
    std::string why = r.client.intact ? "" : " (" + r.client.failure + ")";
    std::printf("run %zu: handshake %s, echoed %zu of %zu bytes%s; %.3f s\n", run + 1,
                r.client.handshake ? "ok" : "FAILED", r.client.echoed, options.bytes, why.c_str(), r.seconds);
    std::printf("  start_tls paused reading: cancels %zu cancelled, %zu ENOENT, %zu EALREADY; "
                "%zu bytes completed after a cancel and ignored (lost), %zu discarded on purpose\n",
                r.books.cancelled, r.books.not_found, r.books.already, r.books.silent_loss_bytes,
                r.books.discarded_bytes);
    if (r.upgrade_error) std::printf("  start_tls raised: %s\n", r.upgrade_error->describe().c_str());
    bool plaintext = !r.foreign.empty();
    handed_over += plaintext ? 1 : 0;
    if (plaintext) {
      std::printf("  the app got %zu bytes the client never sent over TLS, beginning %s: %s\n", r.foreign.size(),
                  hex_prefix(r.foreign, 3).c_str(),
                  static_cast<unsigned char>(r.foreign[0]) == 0x16 ? "a TLS handshake record, handed over as plaintext"
                                                                    : "not the client's bytes");
    }
    if (r.violation) {
      std::printf("  oracles: VIOLATION %s: %s\n", std::string(oracle_id(r.violation->oracle)).c_str(),
                  r.violation->message.c_str());
    }
    bool clean = r.server_done && r.client.intact && !r.upgrade_error && !r.violation;
    if (!clean && !lost && !plaintext) {  // a failure neither switch explains
      std::printf("  FAIL: %s\n", r.server_done ? "the run was not clean" : "timed out");
      return 1;
    }
  }
  std::printf("%zu run(s): %zu bytes lost (%zu of %zu runs lossy); %zu of %zu runs handed TLS bytes to the app as "
              "plaintext\n", options.runs, lost_bytes, lossy, options.runs, handed_over, options.runs);
  return lossy == 0 && handed_over == 0 ? 0 : 1;
}

}  // namespace loopcheck::cli
