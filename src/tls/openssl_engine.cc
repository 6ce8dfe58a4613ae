#include "src/tls/openssl_engine.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstring>
#include <ctime>
#include <vector>

namespace loopcheck {
namespace {

std::string last_error_text() {
  unsigned long code = ERR_peek_last_error();
  char text[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

// Every PEM certificate in `pem`, in order, made in `lib` (the endpoint's library context).
std::vector<X509*> read_certificates(OSSL_LIB_CTX* lib, const std::string& pem) {
  std::vector<X509*> certificates;
  BIO* in = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  while (in) {
    X509* cert = X509_new_ex(lib, nullptr);
    if (!cert || !PEM_read_bio_X509(in, &cert, nullptr, nullptr)) {
      X509_free(cert);
      break;
    }
    certificates.push_back(cert);
  }
  BIO_free(in);
  ERR_clear_error();  // the read that ends the loop reports "no start line"
  return certificates;
}

}  // namespace

// OpenSSL's callbacks, with the engine as their context: the SSL_CTX's app data for the PSK
// callbacks, the callback argument for the others.
struct OpenSslCallbacks {
  static const OpenSslEngine& engine_of(SSL* ssl) {
    return *static_cast<const OpenSslEngine*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  }

  static unsigned int client_psk(SSL* ssl, const char*, char* identity, unsigned int max_identity,
                                 unsigned char* psk, unsigned int max_psk) {
    const OpenSslEngine& engine = engine_of(ssl);
    if (engine.psk_identity_.size() + 1 > max_identity || engine.psk_key_.size() > max_psk) return 0;
    std::memcpy(identity, engine.psk_identity_.c_str(), engine.psk_identity_.size() + 1);
    std::memcpy(psk, engine.psk_key_.data(), engine.psk_key_.size());
    return static_cast<unsigned int>(engine.psk_key_.size());
  }

  static unsigned int server_psk(SSL* ssl, const char* identity, unsigned char* psk, unsigned int max_psk) {
    const OpenSslEngine& engine = engine_of(ssl);
    if (!identity || engine.psk_identity_ != identity || engine.psk_key_.size() > max_psk) return 0;
    std::memcpy(psk, engine.psk_key_.data(), engine.psk_key_.size());
    return static_cast<unsigned int>(engine.psk_key_.size());
  }

  // Runs in place of X509_verify_cert: the chain is checked at the clock's time, read at the
  // moment the peer's Certificate message is processed, so a simulated run that reaches it
  // later sees a later time. (Pinning the SSL's own verify param at creation would freeze it.)
  static int verify_at_clock_time(X509_STORE_CTX* store, void* arg) {
    const auto* engine = static_cast<const OpenSslEngine*>(arg);
    X509_STORE_CTX_set_time(store, 0, static_cast<std::time_t>(engine->now_seconds_()));
    return X509_verify_cert(store) > 0 ? 1 : 0;
  }

  // OpenSSL stamps a new ticket's session with time(NULL), then calls this just before it
  // encrypts the session into the ticket: the clock's time replaces the real one, so the
  // ticket bytes depend on the simulated clock only.
  static int stamp_ticket(SSL* ssl, void* arg) {
    const auto* engine = static_cast<const OpenSslEngine*>(arg);
    SSL_SESSION* session = SSL_get_session(ssl);
    if (!session) return 0;
    SSL_SESSION_set_time(session, static_cast<long>(engine->now_seconds_()));  // returns the time, not a status
    return 1;
  }
};

std::unique_ptr<OpenSslEngine> OpenSslEngine::create_psk(const TlsPskConfig& config, std::string& error) {
  std::unique_ptr<OpenSslEngine> engine(new OpenSslEngine(config.server, config.now_seconds));
  engine->psk_identity_ = config.identity;
  engine->psk_key_ = config.key;
  if (!engine->init_context(config.seed, TLS1_3_VERSION, config.num_tickets, error)) return nullptr;
  SSL_CTX* ctx = engine->ctx_;
  bool ok = SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") == 1 &&
            SSL_CTX_set1_groups_list(ctx, "X25519") == 1;
  if (!ok) {
    error = "configuring TLS 1.3 PSK: " + last_error_text();
    return nullptr;
  }
  if (config.server) {
    SSL_CTX_set_psk_server_callback(ctx, OpenSslCallbacks::server_psk);
  } else {
    SSL_CTX_set_psk_client_callback(ctx, OpenSslCallbacks::client_psk);
  }
  if (!engine->init_connection(error)) return nullptr;
  return engine;
}

std::unique_ptr<OpenSslEngine> OpenSslEngine::create_cert(const TlsCertConfig& config, std::string& error) {
  if (config.version != 12 && config.version != 13) {
    error = "TLS version must be 12 or 13, not " + std::to_string(config.version);
    return nullptr;
  }
  if (!config.server && config.server_hostname.empty()) {
    error = "a certificate client needs server_hostname: it always checks the name";
    return nullptr;
  }
  std::unique_ptr<OpenSslEngine> engine(new OpenSslEngine(config.server, config.now_seconds));
  engine->server_hostname_ = config.server_hostname;
  int version = config.version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  if (!engine->init_context(config.seed, version, config.num_tickets, error)) return nullptr;
  SSL_CTX* ctx = engine->ctx_;
  OSSL_LIB_CTX* lib = engine->lib_->get();
  // X25519 for the key exchange; P-256 too, since a TLS 1.2 client must list the curve of an
  // ECDSA server certificate among its groups. The TLS 1.2 suite covers Ed25519 and ECDSA keys.
  bool ok = SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") == 1 &&
            SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1 &&
            SSL_CTX_set1_groups_list(ctx, "X25519:P-256") == 1;
  if (!ok) {
    error = "configuring TLS with certificates: " + last_error_text();
    return nullptr;
  }
  if (config.server) {
    // Read into the endpoint's library context, where its signatures are made: an ECDSA
    // nonce draws from the endpoint's seed like everything else.
    std::vector<X509*> chain = read_certificates(lib, config.cert_pem);
    BIO* in = BIO_new_mem_buf(config.key_pem.data(), static_cast<int>(config.key_pem.size()));
    EVP_PKEY* key = in ? PEM_read_bio_PrivateKey_ex(in, nullptr, nullptr, nullptr, lib, nullptr) : nullptr;
    BIO_free(in);
    ok = !chain.empty() && key && SSL_CTX_use_certificate(ctx, chain.front()) == 1 &&
         SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    for (std::size_t i = 1; ok && i < chain.size(); ++i) ok = SSL_CTX_add1_chain_cert(ctx, chain[i]) == 1;
    for (X509* cert : chain) X509_free(cert);
    EVP_PKEY_free(key);
    if (!ok) {
      error = chain.empty() ? "no certificate in cert_pem"
                            : "loading the server's certificate and key: " + last_error_text();
      return nullptr;
    }
  } else {
    // The context's store starts empty (no default paths): the given CAs are the only anchors.
    std::vector<X509*> anchors = read_certificates(lib, config.ca_pem);
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    ok = !anchors.empty();
    for (X509* anchor : anchors) ok = ok && X509_STORE_add_cert(store, anchor) == 1;
    for (X509* anchor : anchors) X509_free(anchor);
    if (!ok) {
      error = anchors.empty() ? "no certificate in ca_pem" : "adding a trust anchor: " + last_error_text();
      return nullptr;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (!engine->init_connection(error)) return nullptr;
  if (!config.server) {
    ok = SSL_set_tlsext_host_name(engine->ssl_, config.server_hostname.c_str()) == 1 &&
         SSL_set1_host(engine->ssl_, config.server_hostname.c_str()) == 1;
    if (!ok) {
      error = "setting server_hostname: " + last_error_text();
      return nullptr;
    }
  }
  return engine;
}

bool OpenSslEngine::init_context(std::uint64_t seed, int tls_version, int num_tickets, std::string& error) {
  lib_ = DeterministicLibCtx::create(seed);
  if (!lib_) {
    error = "cannot set up a deterministic OpenSSL library context: " + last_error_text();
    return false;
  }
  ctx_ = SSL_CTX_new_ex(lib_->get(), nullptr, server_ ? TLS_server_method() : TLS_client_method());
  if (!ctx_) {
    error = "SSL_CTX_new_ex: " + last_error_text();
    return false;
  }
  SSL_CTX_set_app_data(ctx_, this);
  bool ok = num_tickets >= 0 && SSL_CTX_set_min_proto_version(ctx_, tls_version) == 1 &&
            SSL_CTX_set_max_proto_version(ctx_, tls_version) == 1 &&
            SSL_CTX_set_num_tickets(ctx_, static_cast<std::size_t>(num_tickets)) == 1;
  if (!ok) {
    error = num_tickets < 0 ? "num_tickets must not be negative" : "configuring the TLS version: " + last_error_text();
    return false;
  }
  // A reused context carries nothing from one run into the next.
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  // No tickets means none in TLS 1.2 either (there num_tickets does not apply).
  if (server_ && num_tickets == 0) SSL_CTX_set_options(ctx_, SSL_OP_NO_TICKET);
  if (now_seconds_) {
    SSL_CTX_set_cert_verify_callback(ctx_, OpenSslCallbacks::verify_at_clock_time, this);
    if (server_ && SSL_CTX_set_session_ticket_cb(ctx_, OpenSslCallbacks::stamp_ticket, nullptr, this) != 1) {
      error = "SSL_CTX_set_session_ticket_cb: " + last_error_text();
      return false;
    }
  }
  return true;
}

bool OpenSslEngine::init_connection(std::string& error) {
  ssl_ = SSL_new(ctx_);
  incoming_ = BIO_new(BIO_s_mem());
  outgoing_ = BIO_new(BIO_s_mem());
  if (!ssl_ || !incoming_ || !outgoing_) {
    BIO_free(incoming_);
    BIO_free(outgoing_);
    incoming_ = outgoing_ = nullptr;
    error = "SSL_new: " + last_error_text();
    return false;
  }
  // As _ssl's MemoryBIO: an empty BIO asks to retry until the transport's EOF is fed.
  BIO_set_mem_eof_return(incoming_, -1);
  BIO_set_mem_eof_return(outgoing_, -1);
  SSL_set_bio(ssl_, incoming_, outgoing_);
  SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY);
  if (server_) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
  return true;
}

OpenSslEngine::~OpenSslEngine() {
  SSL_free(ssl_);  // frees both BIOs
  SSL_CTX_free(ctx_);
}

void OpenSslEngine::feed(BytesView incoming) {
  if (!incoming.empty()) BIO_write(incoming_, incoming.data(), static_cast<int>(incoming.size()));
}

void OpenSslEngine::feed_eof() {
  BIO_clear_retry_flags(incoming_);
  BIO_set_mem_eof_return(incoming_, 0);
}

Bytes OpenSslEngine::take_outgoing() {
  Bytes out(outgoing_pending(), '\0');
  if (!out.empty()) {
    int n = BIO_read(outgoing_, out.data(), static_cast<int>(out.size()));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  }
  return out;
}

std::size_t OpenSslEngine::outgoing_pending() const { return BIO_ctrl_pending(outgoing_); }

std::size_t OpenSslEngine::incoming_pending() const { return BIO_ctrl_pending(incoming_); }

// SSL_get_error sorted as _ssl's PySSL_SetError does it.
TlsResult OpenSslEngine::result_of(int ret, std::size_t bytes) {
  if (ret > 0) return TlsResult{TlsStatus::ok, bytes, {}};
  int error = SSL_get_error(ssl_, ret);
  switch (error) {
    case SSL_ERROR_WANT_READ:
      return TlsResult{TlsStatus::want_read, 0, {}};
    case SSL_ERROR_WANT_WRITE:
      return TlsResult{TlsStatus::want_write, 0, {}};
    case SSL_ERROR_ZERO_RETURN:
      return TlsResult{TlsStatus::zero_return, 0, {}};
    default:
      break;
  }
  unsigned long code = ERR_peek_last_error();
  bool unexpected_eof = (error == SSL_ERROR_SYSCALL && code == 0) ||
                        (ERR_GET_LIB(code) == ERR_LIB_SSL &&
                         ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
  if (unexpected_eof) {
    ERR_clear_error();
    return TlsResult{TlsStatus::eof, 0, "EOF occurred in violation of protocol"};
  }
  bool verify_failed = ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED;
  std::string reason = last_error_text();
  if (verify_failed) reason += ": " + verify_failure();
  return TlsResult{TlsStatus::error, 0, reason};
}

// Why the peer's certificate was refused, in the words of CPython's SSLCertVerificationError.
std::string OpenSslEngine::verify_failure() const {
  long code = SSL_get_verify_result(ssl_);
  if (code == X509_V_ERR_HOSTNAME_MISMATCH) {
    return "Hostname mismatch, certificate is not valid for '" + server_hostname_ + "'.";
  }
  return X509_verify_cert_error_string(code);
}

TlsResult OpenSslEngine::do_handshake() { return result_of(SSL_do_handshake(ssl_), 0); }

TlsResult OpenSslEngine::read(Bytes& out, std::size_t max_bytes) {
  std::size_t start = out.size();
  out.resize(start + max_bytes);
  std::size_t got = 0;
  int ret = SSL_read_ex(ssl_, out.data() + start, max_bytes, &got);
  out.resize(start + (ret > 0 ? got : 0));
  return result_of(ret, got);
}

TlsResult OpenSslEngine::write(BytesView data) {
  std::size_t written = 0;
  int ret = SSL_write_ex(ssl_, data.data(), data.size(), &written);
  return result_of(ret, written);
}

// As _ssl's unwrap(): a first 0 (our close_notify sent, the peer's not yet seen) is retried
// once; a second 0 means the peer's has not arrived: want_read.
TlsResult OpenSslEngine::shutdown() {
  int ret = SSL_shutdown(ssl_);
  if (ret == 0) ret = SSL_shutdown(ssl_);
  if (ret == 0) return TlsResult{TlsStatus::want_read, 0, {}};
  return result_of(ret, 0);
}

std::string OpenSslEngine::version() const { return SSL_get_version(ssl_); }

std::string OpenSslEngine::peer_certificate() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  if (!peer) return "";
  BIO* out = BIO_new(BIO_s_mem());
  if (!out) return "";
  std::string subject;
  if (X509_NAME_print_ex(out, X509_get_subject_name(peer), 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    long size = BIO_get_mem_data(out, &data);
    subject.assign(data, static_cast<std::size_t>(size));
  }
  BIO_free(out);
  return subject;
}

std::string OpenSslEngine::cipher() const {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  return cipher ? SSL_CIPHER_get_name(cipher) : "";
}

}  // namespace loopcheck
