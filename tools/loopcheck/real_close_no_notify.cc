// `loopcheck real close-no-notify`: seed 004 on real sockets, over epoll. An aiohttp-shaped
// client (the SSL protocol over a SelectorStream) writes its request, calls close() on its TLS
// transport and walks away; the server (a thread with blocking OpenSSL) reads everything, the
// client's close_notify included, but never answers it and keeps TCP open. Fixed, the client's
// connection_lost comes at the shutdown timeout; with bpo-29406 it never comes.
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "model/oracles/monitor.h"
#include "model/world/peers.h"
#include "tools/loopcheck/real_tls.h"
#include "tools/loopcheck/real_world.h"
#include "tools/loopcheck/tls_side.h"

namespace loopcheck::cli {

namespace {

// The server nobody answers: on the accepted `fd` it takes the handshake and every record, and
// leaves the client's close_notify unanswered until the client gives TCP up (or `hold` runs out).
void silent_server(int fd, const Certificates& certs, std::chrono::milliseconds hold, std::atomic<bool>& got_notify) {
  timeval timeout{static_cast<time_t>(hold.count() / 1000), static_cast<suseconds_t>(hold.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
  BIO* cert_bio = BIO_new_mem_buf(certs.cert.data(), static_cast<int>(certs.cert.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO* key_bio = BIO_new_mem_buf(certs.key.data(), static_cast<int>(certs.key.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  SSL_CTX_use_certificate(ctx, cert);
  SSL_CTX_use_PrivateKey(ctx, key);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd);
  if (SSL_accept(ssl) == 1) {
    char buffer[16384];
    for (;;) {
      int n = SSL_read(ssl, buffer, sizeof buffer);
      if (n > 0) continue;
      if (SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN) got_notify = true;
      break;
    }
    // No SSL_shutdown: the close_notify stays unanswered. Wait for the client to drop TCP.
    while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
    }
  }
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  X509_free(cert);
  EVP_PKEY_free(key);
  BIO_free(cert_bio);
  BIO_free(key_bio);
  ::close(fd);
}

// Writes its request, closes, and is done with the connection: it waits for nothing.
class WalkAwayClient final : public Protocol {
 public:
  WalkAwayClient(RealWorld& world, std::size_t bytes) : world_(world), bytes_(bytes) {}
  void connection_made(Transport& transport) override {
    (void)transport.write(SenderPeer::payload(0, bytes_));
    transport.close();
    closed_at = world_.clock.now();
  }
  void data_received(BytesView) override {}
  void connection_lost(std::optional<Error> error) override {
    lost_at = world_.clock.now();
    this->error = std::move(error);
  }
  std::optional<Nanos> closed_at, lost_at;
  std::optional<Error> error;

 private:
  RealWorld& world_;
  std::size_t bytes_;
};

}  // namespace

int real_close_no_notify(const BugSet& bugs, const CloseNoNotifyOptions& options) {
  std::string error;
  std::optional<Certificates> certs = localhost_certificates(error);
  if (!certs) {
    std::fprintf(stderr, "loopcheck: certificates: %s\n", error.c_str());
    return 2;
  }
  int code = 0;
  std::unique_ptr<RealWorld> world = make_world(bugs, false, code);
  if (!world) return code;
  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:0");
  if (!listener.ok()) {
    std::fprintf(stderr, "loopcheck: %s\n", listener.error().describe().c_str());
    return 2;
  }
  Nanos timeout = options.shutdown_timeout_ms * kMillisecond;
  Nanos limit = timeout + 3 * kSecond;  // fixed, connection_lost comes at `timeout`
  std::atomic<bool> got_notify{false};
  int listening = listener.value();
  std::thread server([&] {
    for (int i = 0; i < 1000; ++i) {  // the listener is non-blocking: try for 5 s
      int fd = ::accept(listening, nullptr, nullptr);
      if (fd >= 0) {
        int blocking = 0;
        ::ioctl(fd, FIONBIO, &blocking);
        silent_server(fd, *certs, std::chrono::milliseconds(limit / kMillisecond + 2000), got_notify);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  IoResult<int> fd = PosixSockets::tcp_connect(world->sockets.sockname(listening));
  if (!fd.ok()) {
    std::fprintf(stderr, "loopcheck: %s\n", fd.error().describe().c_str());
    server.join();
    return 2;
  }
  Monitor monitor(OracleSet::all(), world->tracer, nullptr, *world->loop);
  world->loop->set_observer(&monitor);
  WalkAwayClient client(*world, options.bytes);
  TlsSide side;
  side.shutdown_timeout = timeout;
  std::unique_ptr<OpenSslEngine> tls = client_engine(certs->ca_cert, 13, error);
  if (!tls) {
    std::fprintf(stderr, "loopcheck: TLS: %s\n", error.c_str());
    server.join();
    return 2;
  }
  side.open(*world, monitor, fd.value(), client, std::move(tls), false, false);
  Nanos start = world->clock.now();
  bool lost = world->run_until([&] { return client.lost_at.has_value(); }, limit);
  // The close deadline (O4): a close() must release the connection within the shutdown timeout.
  monitor.check_step();
  world->loop->set_observer(nullptr);
  if (!lost) {
    // Give TCP up, as a process that exits would, so the server thread ends.
    side.plain->abort();
    world->run_until([] { return false; }, 50 * kMillisecond);
  }
  server.join();
  ::close(listening);
  auto at = [&](std::optional<Nanos> t) { return t ? static_cast<double>(*t - start) / kSecond : -1.0; };
  std::printf("handshake %s; the server got the client's close_notify: %s (and never answers it)\n",
              side.describe_handshake().c_str(), got_notify ? "yes" : "no");
  std::printf("close() at %.3f s; shutdown timeout %.3f s\n", at(client.closed_at),
              static_cast<double>(timeout) / kSecond);
  if (lost) {
    std::printf("connection_lost(%s) at %.3f s\n", client.error ? client.error->describe().c_str() : "None",
                at(client.lost_at));
  } else {
    std::printf("connection_lost never came (%.3f s after close())\n",
                static_cast<double>(limit) / kSecond - at(client.closed_at));
  }
  if (const auto& v = monitor.violation()) {
    std::printf("oracles: VIOLATION %s: %s\n", std::string(oracle_id(v->oracle)).c_str(), v->message.c_str());
  }
  bool ok = lost && client.lost_at && client.closed_at && *client.lost_at - *client.closed_at <= timeout + kSecond &&
            !monitor.violation();
  std::printf("verdict: %s\n", ok ? "pass" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace loopcheck::cli
