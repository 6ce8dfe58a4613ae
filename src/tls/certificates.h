// Test certificates made at run time, so no key file is ever checked in: a self-signed CA and a
// server certificate it signs for one DNS name. They serve both worlds: the simulation hands the
// PEM strings to OpenSslEngine::create_cert, and real-socket tools can write them to files for
// `openssl s_server -cert ... -key ...` or `openssl s_client -CAfile ...`.
//
// Contract: the output is a pure function of the request. Keys and signatures draw from a
// DeterministicLibCtx seeded with `seed`, serial numbers and validity are fixed, so the same
// request gives byte-identical PEM in every process, and a Certificate message recorded in one
// run replays in another. The keys are therefore predictable: for tests on loopback only.
// Make them once per process, not once per simulated run: about 2.5 ms with either key type,
// most of it spent warming the fresh library context (in OpenSSL's default context the same
// work takes about 0.5 ms, but its keys would differ from process to process).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace loopcheck {

// Ed25519 is the cheapest; P-256 (ECDSA) is what most real deployments use. RSA is left out on
// purpose: a 2048-bit key takes a third of a second to generate.
enum class CertificateKey { ed25519, p256 };

struct CertificateRequest {
  std::string dns_name = "localhost";  // the leaf's subjectAltName and common name (<= 64 chars)
  CertificateKey key = CertificateKey::ed25519;  // both the CA's and the leaf's
  std::int64_t not_before = 1767225600;  // unix seconds, 2026-01-01T00:00:00Z, for both
  std::int64_t not_after = 2082758400;   // unix seconds, 2036-01-01T00:00:00Z, for both
  std::uint64_t seed = 1;                // the random stream behind keys and signatures
};

// PEM text, ready for OpenSslEngine or for files.
struct Certificates {
  std::string ca_cert;  // the self-signed CA: a client's only trust anchor
  std::string cert;     // the leaf, signed by the CA (the server's certificate)
  std::string key;      // the leaf's private key, unencrypted PKCS#8
};

// Nullopt, with `error` set, if OpenSSL refuses (a name it cannot encode, say).
std::optional<Certificates> make_certificates(const CertificateRequest& request, std::string& error);

}  // namespace loopcheck
