// TlsEngine on OpenSSL 3, driven the way CPython's _ssl module drives it: memory BIOs that
// answer "retry" when empty and EOF only once the transport said so, auto-retry on, and no
// SSL_OP_IGNORE_UNEXPECTED_EOF, so a missing close_notify is an EOF error as in asyncio.
// Two configurations: TLS 1.3 with an external PSK (no certificates, so a handshake costs
// little: the simulation's default) and certificates (TLS 1.2 or 1.3, verified as
// ssl.create_default_context() verifies: the peer's chain and the host name). Every endpoint's
// randomness comes from its seed, and with `now_seconds` set its time comes from that clock
// alone, so a simulated run replays byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <openssl/types.h>

#include "src/core/tls_engine.h"

namespace loopcheck {

// Unix seconds. The simulation passes its virtual clock mapped onto a fixed epoch (say
// 1767225600 + virtual seconds); real sockets leave it empty and OpenSSL reads the real clock.
// When set it is the only time OpenSSL sees: certificate checks happen at this time, and a
// server's session tickets carry it as their issue time.
using TlsClock = std::function<std::int64_t()>;

struct TlsPskConfig {
  bool server = false;
  std::string identity = "loopcheck";
  std::string key = std::string(32, '\x42');  // the pre-shared key, raw bytes
  std::uint64_t seed = 0;                     // the endpoint's random stream
  int num_tickets = 0;   // server: TLS 1.3 session tickets sent after the handshake (0: none)
  TlsClock now_seconds;  // empty: the real clock
};

struct TlsCertConfig {
  bool server = false;
  int version = 13;  // 12 or 13: TLS 1.2 or TLS 1.3, the only version either end accepts
  // Server: its certificate (then any intermediates) and private key, PEM.
  std::string cert_pem;
  std::string key_pem;
  // Client: the only trust anchors (PEM, one or more certificates), and the name the server's
  // certificate must carry, also sent as SNI. Required: a client always checks both.
  std::string ca_pem;
  std::string server_hostname;
  std::uint64_t seed = 0;  // the endpoint's random stream
  int num_tickets = 0;     // server: session tickets (TLS 1.3: this many; TLS 1.2: one if >0)
  TlsClock now_seconds;    // empty: the real clock
};

struct PooledSslContext;  // a library context and an SSL_CTX made in it (in the .cc)

// Making an endpoint's SSL_CTX, and above all the library context under it, costs far more
// than a PSK handshake (every algorithm is fetched afresh in a new context), so contexts are
// kept: a destroyed engine hands its context to a small process-wide pool, and a new engine
// with the same SSL_CTX configuration (kind, side, version, certificates) takes one from there
// instead of making its own. A context serves one live engine at a time, and each engine
// restarts its context's random stream from its own seed, so its bytes are exactly those a
// context made afresh would give. Everything else that differs between engines (PSK, tickets,
// clock, host name) is set on the engine's SSL, and OpenSSL's callbacks find the engine
// through the SSL. Not thread-safe: engines are made and destroyed on one thread (the model
// checker runs one per process).
class OpenSslEngine final : public TlsEngine {
 public:
  // Each is null, with `error` set, if OpenSSL refuses the configuration (a bad PEM, say).
  static std::unique_ptr<OpenSslEngine> create_psk(const TlsPskConfig& config, std::string& error);
  static std::unique_ptr<OpenSslEngine> create_cert(const TlsCertConfig& config, std::string& error);
  ~OpenSslEngine() override;
  OpenSslEngine(const OpenSslEngine&) = delete;
  OpenSslEngine& operator=(const OpenSslEngine&) = delete;

  // The pool: how many contexts wait for an engine, and a way to free them all (tests, and
  // anyone who wants the memory back; engines alive keep theirs).
  static std::size_t idle_contexts();
  static void free_idle_contexts();

  void feed(BytesView incoming) override;
  void feed_eof() override;
  Bytes take_outgoing() override;
  std::size_t outgoing_pending() const override;
  std::size_t incoming_pending() const override;  // as _ssl's MemoryBIO.pending on the incoming BIO
  // A failed certificate check is TlsStatus::error with the reason CPython's
  // SSLCertVerificationError carries: OpenSSL's "certificate verify failed" and why.
  TlsResult do_handshake() override;
  TlsResult read(Bytes& out, std::size_t max_bytes) override;
  TlsResult write(BytesView data) override;
  TlsResult shutdown() override;
  std::string version() const override;
  std::string cipher() const override;
  // The peer certificate's subject as RFC 2253 text ("CN=localhost"); empty when the peer sent
  // none (PSK, a server's view of its client, or before the handshake).
  std::string peer_certificate() const override;

 private:
  friend struct OpenSslCallbacks;  // OpenSSL's callbacks, in the .cc file

  OpenSslEngine(bool server, TlsClock now_seconds);
  // The SSL object over two memory BIOs, set up as _ssl sets up an SSLObject, on `context`
  // (pooled or new) after its random stream has been restarted from `seed`.
  bool init_connection(std::unique_ptr<PooledSslContext> context, std::uint64_t seed, int num_tickets,
                       std::string& error);
  TlsResult result_of(int ret, std::size_t bytes);
  std::string verify_failure() const;

  const bool server_;
  const TlsClock now_seconds_;
  std::string psk_identity_, psk_key_;  // PSK endpoints: what the PSK callbacks answer
  std::string server_hostname_;         // certificate clients: the name checked
  std::unique_ptr<PooledSslContext> context_;  // outlives ssl_; back to the pool once ssl_ is freed
  SSL* ssl_ = nullptr;
  BIO* incoming_ = nullptr;  // owned by ssl_
  BIO* outgoing_ = nullptr;  // owned by ssl_
};

}  // namespace loopcheck
