// The SSL protocol on real sockets: `real tls-echo` (both ends in this process, over epoll or
// io_uring), and `real tls-serve` / `tls-connect` / `tls-certs` for peers nobody here wrote
// (openssl s_client, CPython's asyncio). Certificates are made at run time (P-256 by default);
// every endpoint verifies what it should (the client: the CA and the name "localhost").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "src/core/bugs.h"
#include "src/tls/certificates.h"
#include "src/tls/openssl_engine.h"

namespace loopcheck::cli {

struct TlsOptions {
  int version = 13;              // 12 or 13
  bool overlapped = false;       // ProactorStream on io_uring instead of SelectorStream on epoll
  std::size_t bytes = 16 * 1024 * 1024;
  std::int64_t pause_every_ms = 5;  // tls-echo's client toggles reading this often (0: never)
  std::int64_t seconds = 120;       // tls-echo's time bound (see RealWorld::End)
  std::int64_t peer_seconds = 300;  // tls-serve's and tls-connect's: a foreign peer may be slow
  int port = 0;                  // tls-serve: 0 = any (printed); tls-connect: the server's
  std::string cert_dir;          // tls-certs writes, tls-serve reads (empty: made in memory)
  std::string ca_file;           // tls-connect: the trust anchor
  bool starttls = false;         // tls-serve/tls-connect: a plaintext greeting, then start_tls
};

int real_tls_echo(const BugSet& bugs, const TlsOptions& options);

// `real start-tls`: seed 000 on io_uring (exit 77 where io_uring is unavailable).
struct StartTlsOptions {
  int version = 13;
  std::size_t hello = 20;      // the server's plaintext greeting
  std::size_t bytes = 4096;    // the client's bytes over TLS, echoed back
  std::int64_t step_us = 2000; // how long the server's step takes between greeting and start_tls
  std::size_t runs = 1;
};
int real_start_tls(const BugSet& bugs, const StartTlsOptions& options);

// `real reactor`: seed 001 over epoll, against loopcheck's own server or one at --port.
struct ReactorRunOptions {
  std::size_t runs = 1;
  std::int64_t connect_timeout_ms = 2000;
  int port = 0;         // 0: loopcheck's own server; else a server on 127.0.0.1 at this port
  std::string ca_file;  // with --port: the server's CA (PEM)
};
int real_reactor(const BugSet& bugs, const ReactorRunOptions& options);

// `real close-no-notify`: seed 004 over epoll.
struct CloseNoNotifyOptions {
  std::int64_t shutdown_timeout_ms = 1000;  // the client's ssl_shutdown_timeout
  std::size_t bytes = 1024;                 // the request it writes before close()
};
int real_close_no_notify(const BugSet& bugs, const CloseNoNotifyOptions& options);
int real_tls_serve(const BugSet& bugs, const TlsOptions& options);
int real_tls_connect(const BugSet& bugs, const TlsOptions& options);
int real_tls_certs(const TlsOptions& options);

// One TLS endpoint's engine on real sockets: real randomness (a fresh seed per engine from the
// OS) and the real clock.
std::unique_ptr<OpenSslEngine> server_engine(const Certificates& certs, int version, std::string& error);
std::unique_ptr<OpenSslEngine> client_engine(const std::string& ca_pem, int version, std::string& error);
// CA, leaf and key for "localhost", P-256.
std::optional<Certificates> localhost_certificates(std::string& error);

}  // namespace loopcheck::cli
