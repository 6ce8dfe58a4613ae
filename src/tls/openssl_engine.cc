#include "src/tls/openssl_engine.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstring>

namespace loopcheck {
namespace {

const TlsPskConfig& config_of(SSL* ssl) {
  return *static_cast<const TlsPskConfig*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

unsigned int client_psk(SSL* ssl, const char*, char* identity, unsigned int max_identity,
                        unsigned char* psk, unsigned int max_psk) {
  const TlsPskConfig& config = config_of(ssl);
  if (config.identity.size() + 1 > max_identity || config.key.size() > max_psk) return 0;
  std::memcpy(identity, config.identity.c_str(), config.identity.size() + 1);
  std::memcpy(psk, config.key.data(), config.key.size());
  return static_cast<unsigned int>(config.key.size());
}

unsigned int server_psk(SSL* ssl, const char* identity, unsigned char* psk, unsigned int max_psk) {
  const TlsPskConfig& config = config_of(ssl);
  if (!identity || config.identity != identity || config.key.size() > max_psk) return 0;
  std::memcpy(psk, config.key.data(), config.key.size());
  return static_cast<unsigned int>(config.key.size());
}

std::string last_error_text() {
  unsigned long code = ERR_peek_last_error();
  char text[256] = "unknown OpenSSL error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

}  // namespace

std::unique_ptr<OpenSslEngine> OpenSslEngine::create_psk(const TlsPskConfig& config, std::string& error) {
  std::unique_ptr<OpenSslEngine> engine(new OpenSslEngine(config));
  engine->lib_ = DeterministicLibCtx::create(config.seed);
  if (!engine->lib_) {
    error = "cannot set up a deterministic OpenSSL library context: " + last_error_text();
    return nullptr;
  }
  engine->ctx_ = SSL_CTX_new_ex(engine->lib_->get(), nullptr, config.server ? TLS_server_method() : TLS_client_method());
  if (!engine->ctx_) {
    error = "SSL_CTX_new_ex: " + last_error_text();
    return nullptr;
  }
  SSL_CTX* ctx = engine->ctx_;
  SSL_CTX_set_app_data(ctx, &engine->config_);
  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) == 1 &&
            SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 &&
            SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") == 1 &&
            SSL_CTX_set1_groups_list(ctx, "X25519") == 1 && SSL_CTX_set_num_tickets(ctx, 0) == 1;
  if (!ok) {
    error = "configuring TLS 1.3 PSK: " + last_error_text();
    return nullptr;
  }
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (config.server) {
    SSL_CTX_set_psk_server_callback(ctx, server_psk);
  } else {
    SSL_CTX_set_psk_client_callback(ctx, client_psk);
  }
  engine->ssl_ = SSL_new(ctx);
  engine->incoming_ = BIO_new(BIO_s_mem());
  engine->outgoing_ = BIO_new(BIO_s_mem());
  if (!engine->ssl_ || !engine->incoming_ || !engine->outgoing_) {
    BIO_free(engine->incoming_);
    BIO_free(engine->outgoing_);
    error = "SSL_new: " + last_error_text();
    return nullptr;
  }
  // As _ssl's MemoryBIO: an empty BIO asks to retry until the transport's EOF is fed.
  BIO_set_mem_eof_return(engine->incoming_, -1);
  BIO_set_mem_eof_return(engine->outgoing_, -1);
  SSL_set_bio(engine->ssl_, engine->incoming_, engine->outgoing_);
  SSL_set_mode(engine->ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_AUTO_RETRY);
  if (config.server) {
    SSL_set_accept_state(engine->ssl_);
  } else {
    SSL_set_connect_state(engine->ssl_);
  }
  return engine;
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
  return TlsResult{TlsStatus::error, 0, last_error_text()};
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

std::string OpenSslEngine::cipher() const {
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl_);
  return cipher ? SSL_CIPHER_get_name(cipher) : "";
}

}  // namespace loopcheck
