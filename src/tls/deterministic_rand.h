// A random source for OpenSSL that is a pure function of a seed. Each simulated TLS endpoint
// draws from an OpenSSL library context whose every DRBG is this generator, seeded from the
// run's choices, so handshakes (key shares, randoms, padding) replay byte for byte. Real-socket
// endpoints use OpenSSL's own generator; only the simulation installs this one.
#pragma once

#include <cstdint>
#include <memory>

#include <openssl/types.h>

namespace loopcheck {

struct DeterministicRandState;  // the provider's seed and its live generators (in the .cc)

// A library context whose DRBGs draw from `seed` alone, with the default provider loaded for
// everything else. It owns the context and both providers; free every SSL_CTX made from it
// first. Not thread-safe: one thread uses it (the model checker runs one per process), and
// reseed() restarts only the generators that exist, that is the calling thread's.
class DeterministicLibCtx {
 public:
  static std::unique_ptr<DeterministicLibCtx> create(std::uint64_t seed);  // null if refused
  ~DeterministicLibCtx();
  DeterministicLibCtx(const DeterministicLibCtx&) = delete;
  DeterministicLibCtx& operator=(const DeterministicLibCtx&) = delete;
  OSSL_LIB_CTX* get() const { return ctx_; }

  // Puts every generator (primary, public, private) back at the state create(seed) gave it,
  // whatever was drawn before: from here on the context's bytes are those of a context just
  // made with `seed`. This is what lets a context (costly to make: every algorithm is fetched
  // afresh) serve one endpoint after another. The generators hold no buffered output and
  // never draw from one another, so nothing drawn under the old seed survives.
  void reseed(std::uint64_t seed);

 private:
  DeterministicLibCtx();
  OSSL_LIB_CTX* ctx_ = nullptr;
  OSSL_PROVIDER* rand_ = nullptr;
  OSSL_PROVIDER* default_ = nullptr;
  // Outlives the context and so every generator in it (the provider only borrows it).
  std::unique_ptr<DeterministicRandState> state_;
};

}  // namespace loopcheck
