#include "model/world/sim_tls.h"

#include <optional>

#include "src/tls/certificates.h"

namespace loopcheck {
namespace {

const std::optional<Certificates>& simulation_certificates(std::string& error) {
  static std::string made_error;
  static const std::optional<Certificates> certs = [] {
    CertificateRequest request;  // Ed25519, "localhost", valid 2026..2036, seed 1
    return make_certificates(request, made_error);
  }();
  if (!certs) error = made_error;
  return certs;
}

}  // namespace

std::unique_ptr<TlsEngine> make_sim_engine(SimTls kind, bool server, std::uint64_t seed, TlsClock clock,
                                           std::string& error, int tickets) {
  if (kind == SimTls::psk) {
    TlsPskConfig config;
    config.server = server;
    config.seed = seed;
    config.num_tickets = tickets;
    config.now_seconds = std::move(clock);
    return OpenSslEngine::create_psk(config, error);
  }
  const std::optional<Certificates>& certs = simulation_certificates(error);
  if (!certs) return nullptr;
  TlsCertConfig config;
  config.server = server;
  config.version = 13;
  if (server) {
    config.cert_pem = certs->cert;
    config.key_pem = certs->key;
  } else {
    config.ca_pem = certs->ca_cert;
    config.server_hostname = "localhost";
  }
  config.seed = seed;
  config.num_tickets = tickets;
  config.now_seconds = std::move(clock);
  return OpenSslEngine::create_cert(config, error);
}

}  // namespace loopcheck
