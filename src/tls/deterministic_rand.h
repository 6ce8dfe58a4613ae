// A random source for OpenSSL that is a pure function of a seed. Each simulated TLS endpoint
// gets its own OpenSSL library context whose every DRBG is this generator, seeded from the
// run's choices, so handshakes (key shares, randoms, padding) replay byte for byte. Real-socket
// endpoints use OpenSSL's own generator; only the simulation installs this one.
#pragma once

#include <cstdint>

#include <openssl/types.h>

namespace loopcheck {

// A library context whose DRBGs draw from `seed` alone, with the default provider loaded for
// everything else. The caller frees it with OSSL_LIB_CTX_free. Null if OpenSSL refused.
OSSL_LIB_CTX* deterministic_lib_ctx(std::uint64_t seed);

}  // namespace loopcheck
