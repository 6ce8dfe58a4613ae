// Benchmark baseline, not a test: a TLS echo over loopback written straight on OpenSSL and
// epoll, with none of loopcheck in the data path: one thread, level-triggered epoll, SSL
// objects on the sockets themselves (SSL_set_fd), a client writing 64 KiB records and reading
// the echo back, a server echoing through a pending buffer, close_notify both ways at the end.
// `loopcheck real tls-echo` does the same work through the SSL protocol, the transports and the
// monitor; docs/PERFORMANCE.md compares the two with bench/paired_runs.sh.
// Usage: plain_tls_echo [--tls 1.2|1.3] [--bytes N]
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "src/real/posix_sockets.h"
#include "src/tls/certificates.h"

namespace {

using loopcheck::PosixSockets;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "plain_tls_echo: %s\n", what);
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

SSL_CTX* context(bool server, int version, const loopcheck::Certificates& certs) {
  SSL_CTX* ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
  int v = version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  SSL_CTX_set_min_proto_version(ctx, v);
  SSL_CTX_set_max_proto_version(ctx, v);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (server) {
    BIO* cert = BIO_new_mem_buf(certs.cert.data(), static_cast<int>(certs.cert.size()));
    BIO* key = BIO_new_mem_buf(certs.key.data(), static_cast<int>(certs.key.size()));
    X509* x = PEM_read_bio_X509(cert, nullptr, nullptr, nullptr);
    EVP_PKEY* k = PEM_read_bio_PrivateKey(key, nullptr, nullptr, nullptr);
    if (!x || !k || SSL_CTX_use_certificate(ctx, x) != 1 || SSL_CTX_use_PrivateKey(ctx, k) != 1) fail("server key");
    X509_free(x);
    EVP_PKEY_free(k);
    BIO_free(cert);
    BIO_free(key);
  } else {
    BIO* ca = BIO_new_mem_buf(certs.ca_cert.data(), static_cast<int>(certs.ca_cert.size()));
    X509* x = PEM_read_bio_X509(ca, nullptr, nullptr, nullptr);
    if (!x || X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), x) != 1) fail("trust anchor");
    X509_free(x);
    BIO_free(ca);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  return ctx;
}

// Each side's pending work, driven until it would block.
struct Side {
  SSL* ssl = nullptr;
  std::string out;  // bytes to write (the client's payload, or the server's echo)
  std::size_t wrote = 0;
  bool done_handshake = false;
};

}  // namespace

int main(int argc, char** argv) {
  int version = 13;
  std::size_t bytes = 256u << 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--tls") version = std::string(argv[i + 1]) == "1.2" ? 12 : 13;
    if (flag == "--bytes") bytes = std::strtoull(argv[i + 1], nullptr, 10);
  }
  std::string error;
  loopcheck::CertificateRequest request;
  request.key = loopcheck::CertificateKey::p256;
  std::optional<loopcheck::Certificates> certs = loopcheck::make_certificates(request, error);
  if (!certs) fail(error.c_str());
  auto listener = PosixSockets::tcp_listen("127.0.0.1:0");
  PosixSockets sockets;
  auto client_fd = PosixSockets::tcp_connect(sockets.sockname(listener.value()));
  auto server_fd = PosixSockets::tcp_accept(listener.value());
  while (!server_fd.ok()) server_fd = PosixSockets::tcp_accept(listener.value());
  ::close(listener.value());
  SSL_CTX* cctx = context(false, version, *certs);
  SSL_CTX* sctx = context(true, version, *certs);
  Side client, server;
  client.ssl = SSL_new(cctx);
  server.ssl = SSL_new(sctx);
  SSL_set_fd(client.ssl, client_fd.value());
  SSL_set_fd(server.ssl, server_fd.value());
  SSL_set_connect_state(client.ssl);
  SSL_set_accept_state(server.ssl);
  SSL_set1_host(client.ssl, "localhost");
  SSL_set_tlsext_host_name(client.ssl, "localhost");

  const std::string chunk(64 * 1024, 'x');
  std::vector<char> buffer(64 * 1024);
  std::size_t sent = 0, echoed = 0;
  int ep = epoll_create1(0);
  for (int fd : {client_fd.value(), server_fd.value()}) {
    epoll_event e{};
    e.events = EPOLLIN | EPOLLOUT;
    e.data.fd = fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
  }
  auto start = std::chrono::steady_clock::now();
  epoll_event events[4];
  while (echoed < bytes) {
    int n = epoll_wait(ep, events, 4, 1000);
    if (n == 0) fail("stalled");
    for (int i = 0; i < n; ++i) {
      Side& side = events[i].data.fd == client_fd.value() ? client : server;
      bool is_client = &side == &client;
      if (!side.done_handshake) {
        int r = SSL_do_handshake(side.ssl);
        if (r == 1) side.done_handshake = true;
        else if (int e = SSL_get_error(side.ssl, r); e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) fail("handshake");
        if (!side.done_handshake) continue;
      }
      // Read what there is: the server queues it for echo, the client counts it.
      for (;;) {
        std::size_t got = 0;
        if (SSL_read_ex(side.ssl, buffer.data(), buffer.size(), &got) != 1) break;
        if (is_client) echoed += got;
        else server.out.append(buffer.data(), got);
      }
      // Write: the client its payload while the echo keeps up, the server its pending echo.
      if (is_client && sent < bytes && client.out.size() - client.wrote < chunk.size()) {
        std::size_t n = std::min(chunk.size(), bytes - sent);
        client.out.append(chunk.data(), n);
        sent += n;
      }
      while (side.wrote < side.out.size()) {
        std::size_t w = 0;
        if (SSL_write_ex(side.ssl, side.out.data() + side.wrote, side.out.size() - side.wrote, &w) != 1) break;
        side.wrote += w;
      }
      if (side.wrote == side.out.size()) {
        side.out.clear();
        side.wrote = 0;
      }
    }
  }
  SSL_shutdown(client.ssl);
  while (SSL_shutdown(server.ssl) == 0 || SSL_shutdown(client.ssl) == 0) {
    std::size_t got = 0;
    (void)SSL_read_ex(server.ssl, buffer.data(), buffer.size(), &got);
    (void)SSL_read_ex(client.ssl, buffer.data(), buffer.size(), &got);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("plain OpenSSL + epoll, TLS 1.%d: %zu bytes echoed in %.3f s (%.0f MiB/s)\n", version == 12 ? 2 : 3,
              echoed, seconds, static_cast<double>(echoed) / seconds / (1 << 20));
  SSL_free(client.ssl);
  SSL_free(server.ssl);
  SSL_CTX_free(cctx);
  SSL_CTX_free(sctx);
  ::close(ep);
  ::close(client_fd.value());
  ::close(server_fd.value());
  return 0;
}
