// A random source for OpenSSL that is a pure function of a seed. Each simulated TLS endpoint
// gets its own OpenSSL library context whose every DRBG is this generator, seeded from the
// run's choices, so handshakes (key shares, randoms, padding) replay byte for byte. Real-socket
// endpoints use OpenSSL's own generator; only the simulation installs this one.
#pragma once

#include <cstdint>
#include <memory>

#include <openssl/types.h>

namespace loopcheck {

// A library context whose DRBGs draw from `seed` alone, with the default provider loaded for
// everything else. It owns the context and both providers; free every SSL_CTX made from it
// first.
class DeterministicLibCtx {
 public:
  static std::unique_ptr<DeterministicLibCtx> create(std::uint64_t seed);  // null if refused
  ~DeterministicLibCtx();
  DeterministicLibCtx(const DeterministicLibCtx&) = delete;
  DeterministicLibCtx& operator=(const DeterministicLibCtx&) = delete;
  OSSL_LIB_CTX* get() const { return ctx_; }

 private:
  DeterministicLibCtx() = default;
  OSSL_LIB_CTX* ctx_ = nullptr;
  OSSL_PROVIDER* rand_ = nullptr;
  OSSL_PROVIDER* default_ = nullptr;
};

}  // namespace loopcheck
