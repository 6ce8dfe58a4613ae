// The generated certificates: a chain OpenSSL verifies for the requested name and no other,
// with the fixed serials and validity it was asked for, the requested key type, and the same
// bytes for the same request (what lets a recorded Certificate message replay).
#include "src/tls/certificates.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace loopcheck {
namespace {

constexpr std::int64_t k2026 = 1767225600;  // the default notBefore
constexpr std::int64_t k2036 = 2082758400;  // the default notAfter

struct X509Freer {
  void operator()(X509* x) const { X509_free(x); }
};
using Cert = std::unique_ptr<X509, X509Freer>;

Cert parse(const std::string& pem) {
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  Cert cert(PEM_read_bio_X509(in, nullptr, nullptr, nullptr));
  BIO_free(in);
  return cert;
}

Certificates make(const CertificateRequest& request) {
  std::string error;
  std::optional<Certificates> made = make_certificates(request, error);
  EXPECT_TRUE(made) << error;
  return made.value_or(Certificates{});
}

// X509_verify_cert's verdict on `leaf` with `ca` the only anchor, at `when`.
int verify(X509* ca, X509* leaf, std::int64_t when) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_time(ctx, 0, static_cast<time_t>(when));
  int code = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return code;
}

class CertificatesFor : public testing::TestWithParam<CertificateKey> {};

TEST_P(CertificatesFor, TheLeafVerifiesUnderTheCaForItsNameOnly) {
  Certificates made = make({"server.test", GetParam()});
  Cert ca = parse(made.ca_cert), leaf = parse(made.cert);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(verify(ca.get(), leaf.get(), k2026 + 86400), X509_V_OK);
  EXPECT_EQ(X509_check_host(leaf.get(), "server.test", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "other.test", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_EQ(X509_check_purpose(leaf.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
}

TEST_P(CertificatesFor, TheKeyIsTheLeafsAndOfTheRequestedType) {
  Certificates made = make({"localhost", GetParam()});
  Cert leaf = parse(made.cert);
  BIO* in = BIO_new_mem_buf(made.key.data(), static_cast<int>(made.key.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
  BIO_free(in);
  ASSERT_TRUE(leaf && key);
  EXPECT_EQ(X509_check_private_key(leaf.get(), key), 1);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), GetParam() == CertificateKey::ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_EC);
  EVP_PKEY_free(key);
}

TEST_P(CertificatesFor, SerialsAndValidityAreTheFixedOnes) {
  Certificates made = make({"localhost", GetParam()});
  Cert ca = parse(made.ca_cert), leaf = parse(made.cert);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(ca.get())), 1);
  EXPECT_EQ(ASN1_INTEGER_get(X509_get0_serialNumber(leaf.get())), 2);
  for (X509* cert : {ca.get(), leaf.get()}) {
    ASN1_TIME* expected_from = ASN1_TIME_set(nullptr, static_cast<time_t>(k2026));
    ASN1_TIME* expected_to = ASN1_TIME_set(nullptr, static_cast<time_t>(k2036));
    EXPECT_EQ(ASN1_TIME_compare(X509_get0_notBefore(cert), expected_from), 0);
    EXPECT_EQ(ASN1_TIME_compare(X509_get0_notAfter(cert), expected_to), 0);
    ASN1_TIME_free(expected_from);
    ASN1_TIME_free(expected_to);
  }
}

TEST_P(CertificatesFor, TheSameRequestGivesTheSameBytesAndAnotherSeedOtherKeys) {
  Certificates first = make({"localhost", GetParam()});
  Certificates second = make({"localhost", GetParam()});
  EXPECT_EQ(first.ca_cert, second.ca_cert);
  EXPECT_EQ(first.cert, second.cert);
  EXPECT_EQ(first.key, second.key);
  CertificateRequest reseeded{"localhost", GetParam()};
  reseeded.seed = 2;
  Certificates other = make(reseeded);
  EXPECT_NE(first.key, other.key);
  EXPECT_NE(first.ca_cert, other.ca_cert);
}

INSTANTIATE_TEST_SUITE_P(Keys, CertificatesFor, testing::Values(CertificateKey::ed25519, CertificateKey::p256),
                         [](const auto& info) { return info.param == CertificateKey::ed25519 ? "Ed25519" : "P256"; });

TEST(Certificates, TheRequestedValidityBoundsVerification) {
  CertificateRequest request;
  request.not_before = k2026 + 1000;
  request.not_after = k2026 + 2000;
  Certificates made = make(request);
  Cert ca = parse(made.ca_cert), leaf = parse(made.cert);
  ASSERT_TRUE(ca && leaf);
  EXPECT_EQ(verify(ca.get(), leaf.get(), k2026 + 999), X509_V_ERR_CERT_NOT_YET_VALID);
  EXPECT_EQ(verify(ca.get(), leaf.get(), k2026 + 1500), X509_V_OK);
  EXPECT_EQ(verify(ca.get(), leaf.get(), k2026 + 2001), X509_V_ERR_CERT_HAS_EXPIRED);
}

// The name is encoded as one DNS entry, never parsed as configuration text.
TEST(Certificates, ANameCannotSmuggleInASecondName) {
  Certificates made = make({"a.test,DNS:b.test"});
  Cert leaf = parse(made.cert);
  ASSERT_TRUE(leaf);
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(leaf.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_TRUE(names);
  EXPECT_EQ(sk_GENERAL_NAME_num(names), 1);
  GENERAL_NAMES_free(names);
  EXPECT_EQ(X509_check_host(leaf.get(), "b.test", 0, 0, nullptr), 0);
}

TEST(Certificates, ANameTooLongForTheCommonNameIsAnError) {
  std::string error;
  EXPECT_FALSE(make_certificates({std::string(65, 'a')}, error));
  EXPECT_NE(error.find("common name"), std::string::npos) << error;
}

}  // namespace
}  // namespace loopcheck
