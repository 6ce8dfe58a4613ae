// The TLS engines of a simulated run. Exploration uses TLS 1.3 with a pre-shared key (a
// handshake costs little); confirmation uses TLS 1.3 with Ed25519 certificates, verification
// and hostname check on, as on real sockets. Either way the engine's randomness comes from its
// seed and its clock is the world's, so a run replays byte for byte.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "src/core/tls_engine.h"
#include "src/tls/openssl_engine.h"

namespace loopcheck {

enum class SimTls { psk, certificates };

// Null, with `error` set, if OpenSSL refuses. The certificates (a CA and a leaf for
// "localhost") are made once per process, from a fixed seed: the same in every run.
// `tickets`: a TLS 1.3 server's session tickets after the handshake (stamped by `clock`).
std::unique_ptr<TlsEngine> make_sim_engine(SimTls kind, bool server, std::uint64_t seed, TlsClock clock,
                                           std::string& error, int tickets = 0);

}  // namespace loopcheck
