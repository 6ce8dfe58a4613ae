// TlsEngine on OpenSSL 3, driven the way CPython's _ssl module drives it: memory BIOs that
// answer "retry" when empty and EOF only once the transport said so, auto-retry on, and no
// SSL_OP_IGNORE_UNEXPECTED_EOF, so a missing close_notify is an EOF error as in asyncio.
// The simulation's configuration is TLS 1.3 with an external PSK (no certificates, so a
// handshake costs little), and every endpoint's randomness comes from its seed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <openssl/types.h>

#include "src/core/tls_engine.h"
#include "src/tls/deterministic_rand.h"

namespace loopcheck {

struct TlsPskConfig {
  bool server = false;
  std::string identity = "loopcheck";
  std::string key = std::string(32, '\x42');  // the pre-shared key, raw bytes
  std::uint64_t seed = 0;                     // the endpoint's random stream
};

class OpenSslEngine final : public TlsEngine {
 public:
  // Null, with `error` set, if OpenSSL refuses the configuration.
  static std::unique_ptr<OpenSslEngine> create_psk(const TlsPskConfig& config, std::string& error);
  ~OpenSslEngine() override;
  OpenSslEngine(const OpenSslEngine&) = delete;
  OpenSslEngine& operator=(const OpenSslEngine&) = delete;

  void feed(BytesView incoming) override;
  void feed_eof() override;
  Bytes take_outgoing() override;
  std::size_t outgoing_pending() const override;
  TlsResult do_handshake() override;
  TlsResult read(Bytes& out, std::size_t max_bytes) override;
  TlsResult write(BytesView data) override;
  TlsResult shutdown() override;
  std::string version() const override;
  std::string cipher() const override;

  const TlsPskConfig& config() const { return config_; }

 private:
  explicit OpenSslEngine(TlsPskConfig config) : config_(std::move(config)) {}
  TlsResult result_of(int ret, std::size_t bytes);

  TlsPskConfig config_;
  std::unique_ptr<DeterministicLibCtx> lib_;  // outlives ctx_ and ssl_ (freed after them)
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* incoming_ = nullptr;  // owned by ssl_
  BIO* outgoing_ = nullptr;  // owned by ssl_
};

}  // namespace loopcheck
