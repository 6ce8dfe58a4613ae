#include "src/tls/certificates.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

#include "src/tls/deterministic_rand.h"

namespace loopcheck {
namespace {

template <typename T, void (*Free)(T*)>
struct Freer {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Freer<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Freer<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Freer<BIO, BIO_free_all>>;
using Names = std::unique_ptr<GENERAL_NAMES, Freer<GENERAL_NAMES, GENERAL_NAMES_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Freer<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr long kCaSerial = 1;
constexpr long kLeafSerial = 2;
constexpr const char* kCaName = "loopcheck test CA";

// Thrown inside this file only, so each step can say what failed; make_certificates turns it
// into the caller's error string.
struct Failure {
  std::string what;
};

void check(bool ok, const char* step) {
  if (ok) return;
  unsigned long code = ERR_peek_last_error();
  char text[256] = "no OpenSSL error queued";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  throw Failure{std::string(step) + ": " + text};
}

Key generate_key(OSSL_LIB_CTX* lib, CertificateKey type) {
  EVP_PKEY* key = type == CertificateKey::ed25519 ? EVP_PKEY_Q_keygen(lib, nullptr, "ED25519")
                                                  : EVP_PKEY_Q_keygen(lib, nullptr, "EC", "P-256");
  check(key != nullptr, "generating a key");
  return Key(key);
}

void set_common_name(X509_NAME* name, const std::string& value) {
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                   -1, -1, 0) == 1,
        "setting a common name");
}

// An extension written in OpenSSL's configuration syntax, for the fixed ones only: `issuer`
// and `subject` let subjectKeyIdentifier and authorityKeyIdentifier find their keys.
void add_extension(X509* subject, X509* issuer, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer, subject, nullptr, nullptr, 0);
  Extension extension(X509V3_EXT_nconf_nid(nullptr, &v3, nid, value));
  check(extension != nullptr, "making an X.509v3 extension");
  check(X509_add_ext(subject, extension.get(), -1) == 1, "adding an X.509v3 extension");
}

// Built as a structure rather than as "DNS:<name>" text, so no name can inject syntax.
void add_dns_name(X509* subject, const std::string& dns_name) {
  Names names(sk_GENERAL_NAME_new_null());
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  bool ok = names && name && text && ASN1_STRING_set(text, dns_name.data(), static_cast<int>(dns_name.size())) == 1;
  if (ok) {
    GENERAL_NAME_set0_value(name, GEN_DNS, text);
    text = nullptr;
    ok = sk_GENERAL_NAME_push(names.get(), name) > 0;
    if (ok) name = nullptr;
  }
  ASN1_IA5STRING_free(text);
  GENERAL_NAME_free(name);
  check(ok, "encoding the subjectAltName");
  check(X509_add1_ext_i2d(subject, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1,
        "adding the subjectAltName");
}

// Everything but the extensions and the signature: version 3, a fixed serial, the validity
// window, the names and the subject's public key.
Cert new_certificate(OSSL_LIB_CTX* lib, long serial, const CertificateRequest& request, const std::string& subject,
                     EVP_PKEY* subject_key) {
  Cert cert(X509_new_ex(lib, nullptr));
  check(cert != nullptr, "X509_new_ex");
  check(X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
            ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial) == 1 &&
            ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<std::time_t>(request.not_before)) &&
            ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<std::time_t>(request.not_after)) &&
            X509_set_pubkey(cert.get(), subject_key) == 1,
        "filling in a certificate");
  set_common_name(X509_get_subject_name(cert.get()), subject);
  return cert;
}

void sign(X509* cert, X509* issuer, EVP_PKEY* issuer_key, CertificateKey type) {
  check(X509_set_issuer_name(cert, X509_get_subject_name(issuer)) == 1, "setting the issuer");
  // Ed25519 signs the message itself: it takes no separate digest.
  const EVP_MD* digest = type == CertificateKey::ed25519 ? nullptr : EVP_sha256();
  check(X509_sign(cert, issuer_key, digest) > 0, "signing a certificate");
}

std::string pem_of(X509* cert) {
  Bio out(BIO_new(BIO_s_mem()));
  check(out && PEM_write_bio_X509(out.get(), cert) == 1, "writing a certificate as PEM");
  char* data = nullptr;
  long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string pem_of(EVP_PKEY* key) {
  Bio out(BIO_new(BIO_s_mem()));
  check(out && PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "writing a key as PEM");
  char* data = nullptr;
  long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

std::optional<Certificates> make_certificates(const CertificateRequest& request, std::string& error) {
  try {
    // Declared first, so it outlives every key and certificate made in it.
    std::unique_ptr<DeterministicLibCtx> lib = DeterministicLibCtx::create(request.seed);
    check(lib != nullptr, "setting up a deterministic OpenSSL library context");

    Key ca_key = generate_key(lib->get(), request.key);
    Cert ca = new_certificate(lib->get(), kCaSerial, request, kCaName, ca_key.get());
    add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
    sign(ca.get(), ca.get(), ca_key.get(), request.key);

    Key leaf_key = generate_key(lib->get(), request.key);
    Cert leaf = new_certificate(lib->get(), kLeafSerial, request, request.dns_name, leaf_key.get());
    add_extension(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth");
    add_extension(leaf.get(), ca.get(), NID_subject_key_identifier, "hash");
    add_extension(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
    add_dns_name(leaf.get(), request.dns_name);
    sign(leaf.get(), ca.get(), ca_key.get(), request.key);

    return Certificates{pem_of(ca.get()), pem_of(leaf.get()), pem_of(leaf_key.get())};
  } catch (const Failure& failure) {
    error = failure.what;
    return std::nullopt;
  }
}

}  // namespace loopcheck
