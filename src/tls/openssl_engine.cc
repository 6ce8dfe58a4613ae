#include "src/tls/openssl_engine.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <iterator>
#include <vector>

#include "src/tls/deterministic_rand.h"

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

// What an SSL_CTX is made from, and nothing else: engines with equal keys can take turns on
// one context. What differs between such engines goes on their SSL objects instead.
struct ContextKey {
  bool psk = true;  // TLS 1.3 with an external PSK; else certificates
  bool server = false;
  int version = TLS1_3_VERSION;
  std::string cert_pem, key_pem;  // certificate servers: their chain and key
  std::string ca_pem;             // certificate clients: their trust anchors
  bool operator==(const ContextKey&) const = default;
};

// An SSL_CTX and the deterministic library context it was made in, which nothing else uses:
// whoever holds it owns the library context's random stream.
struct PooledSslContext {
  ContextKey key;
  std::unique_ptr<DeterministicLibCtx> lib;
  SSL_CTX* ctx = nullptr;
  ~PooledSslContext() { SSL_CTX_free(ctx); }  // before its library context
};

namespace {

// The idle contexts, oldest first. Bounded, so configurations that come and go (certificates
// made for one test, say) cannot pile up: past kMaxIdle the oldest idle context is freed.
// One pool per thread, unlocked: `explore --jobs` runs TLS worlds on several threads at once
// (a pool shared by them freed contexts twice), and a context serves one engine at a time.
class ContextPool {
 public:
  static ContextPool& instance() {
    thread_local ContextPool pool;
    return pool;
  }
  // An idle context made for `key`, the most recently returned one; null if there is none.
  std::unique_ptr<PooledSslContext> take(const ContextKey& key) {
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
      if ((*it)->key == key) {
        std::unique_ptr<PooledSslContext> context = std::move(*it);
        idle_.erase(std::next(it).base());
        return context;
      }
    }
    return nullptr;
  }
  void give_back(std::unique_ptr<PooledSslContext> context) {
    idle_.push_back(std::move(context));
    if (idle_.size() > kMaxIdle) idle_.erase(idle_.begin());
  }
  std::size_t idle() const { return idle_.size(); }
  void clear() { idle_.clear(); }

 private:
  static constexpr std::size_t kMaxIdle = 32;
  // OpenSSL is initialised before the pool exists, so its exit-time cleanup (registered then)
  // runs after the pool's destructor has freed every context (a thread's pool goes when the
  // thread ends; the main thread's before anything registered with atexit runs).
  ContextPool() { OPENSSL_init_ssl(0, nullptr); }
  std::vector<std::unique_ptr<PooledSslContext>> idle_;
};

}  // namespace

// OpenSSL's callbacks. They find their engine through the SSL object (its app data), never
// through the SSL_CTX, which serves one engine after another.
struct OpenSslCallbacks {
  static const OpenSslEngine& engine_of(const SSL* ssl) {
    return *static_cast<const OpenSslEngine*>(SSL_get_app_data(ssl));
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

  // Runs in place of X509_verify_cert: with a clock, the chain is checked at the clock's time,
  // read at the moment the peer's Certificate message is processed, so a simulated run that
  // reaches it later sees a later time. (Pinning the SSL's own verify param at creation would
  // freeze it.) Without one it is X509_verify_cert at the real time, as if not installed.
  static int verify_at_clock_time(X509_STORE_CTX* store, void*) {
    auto* ssl = static_cast<const SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const OpenSslEngine& engine = engine_of(ssl);
    if (engine.now_seconds_) X509_STORE_CTX_set_time(store, 0, static_cast<std::time_t>(engine.now_seconds_()));
    return X509_verify_cert(store) > 0 ? 1 : 0;
  }

  // OpenSSL stamps a new ticket's session with time(NULL), then calls this just before it
  // encrypts the session into the ticket: the clock's time replaces the real one, so the
  // ticket bytes depend on the simulated clock only. Without a clock the real time stays.
  static int stamp_ticket(SSL* ssl, void*) {
    const OpenSslEngine& engine = engine_of(ssl);
    if (!engine.now_seconds_) return 1;
    SSL_SESSION* session = SSL_get_session(ssl);
    if (!session) return 0;
    SSL_SESSION_set_time(session, static_cast<long>(engine.now_seconds_()));  // returns the time, not a status
    return 1;
  }
};

namespace {

// A new context for `key`, its random stream started from `seed`: exactly one protocol
// version, no session cache, the key's suites, PSK callbacks or certificates, and the clock
// hooks (which do nothing for an engine without a clock).
std::unique_ptr<PooledSslContext> make_context(const ContextKey& key, std::uint64_t seed, std::string& error) {
  auto context = std::make_unique<PooledSslContext>();
  context->key = key;
  context->lib = DeterministicLibCtx::create(seed);
  if (!context->lib) {
    error = "cannot set up a deterministic OpenSSL library context: " + last_error_text();
    return nullptr;
  }
  OSSL_LIB_CTX* lib = context->lib->get();
  SSL_CTX* ctx = context->ctx = SSL_CTX_new_ex(lib, nullptr, key.server ? TLS_server_method() : TLS_client_method());
  if (!ctx) {
    error = "SSL_CTX_new_ex: " + last_error_text();
    return nullptr;
  }
  if (SSL_CTX_set_min_proto_version(ctx, key.version) != 1 || SSL_CTX_set_max_proto_version(ctx, key.version) != 1) {
    error = "configuring the TLS version: " + last_error_text();
    return nullptr;
  }
  // A context serves one engine after another: it must carry no sessions from one to the next.
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (key.server && SSL_CTX_set_session_ticket_cb(ctx, OpenSslCallbacks::stamp_ticket, nullptr, nullptr) != 1) {
    error = "SSL_CTX_set_session_ticket_cb: " + last_error_text();
    return nullptr;
  }
  if (key.psk) {
    if (SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") != 1 || SSL_CTX_set1_groups_list(ctx, "X25519") != 1) {
      error = "configuring TLS 1.3 PSK: " + last_error_text();
      return nullptr;
    }
    if (key.server) {
      SSL_CTX_set_psk_server_callback(ctx, OpenSslCallbacks::server_psk);
    } else {
      SSL_CTX_set_psk_client_callback(ctx, OpenSslCallbacks::client_psk);
    }
    return context;
  }
  // X25519 for the key exchange; P-256 too, since a TLS 1.2 client must list the curve of an
  // ECDSA server certificate among its groups. The TLS 1.2 suite covers Ed25519 and ECDSA keys.
  if (SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256") != 1 ||
      SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256") != 1 ||
      SSL_CTX_set1_groups_list(ctx, "X25519:P-256") != 1) {
    error = "configuring TLS with certificates: " + last_error_text();
    return nullptr;
  }
  SSL_CTX_set_cert_verify_callback(ctx, OpenSslCallbacks::verify_at_clock_time, nullptr);
  if (key.server) {
    // Read into the context's library context, where its signatures are made: an ECDSA
    // nonce draws from the endpoint's seed like everything else.
    std::vector<X509*> chain = read_certificates(lib, key.cert_pem);
    BIO* in = BIO_new_mem_buf(key.key_pem.data(), static_cast<int>(key.key_pem.size()));
    EVP_PKEY* private_key = in ? PEM_read_bio_PrivateKey_ex(in, nullptr, nullptr, nullptr, lib, nullptr) : nullptr;
    BIO_free(in);
    bool ok = !chain.empty() && private_key && SSL_CTX_use_certificate(ctx, chain.front()) == 1 &&
              SSL_CTX_use_PrivateKey(ctx, private_key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
    for (std::size_t i = 1; ok && i < chain.size(); ++i) ok = SSL_CTX_add1_chain_cert(ctx, chain[i]) == 1;
    for (X509* cert : chain) X509_free(cert);
    EVP_PKEY_free(private_key);
    if (!ok) {
      error = chain.empty() ? "no certificate in cert_pem"
                            : "loading the server's certificate and key: " + last_error_text();
      return nullptr;
    }
    return context;
  }
  // The context's store starts empty (no default paths): the given CAs are the only anchors.
  std::vector<X509*> anchors = read_certificates(lib, key.ca_pem);
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  bool ok = !anchors.empty();
  for (X509* anchor : anchors) ok = ok && X509_STORE_add_cert(store, anchor) == 1;
  for (X509* anchor : anchors) X509_free(anchor);
  if (!ok) {
    error = anchors.empty() ? "no certificate in ca_pem" : "adding a trust anchor: " + last_error_text();
    return nullptr;
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return context;
}

// An idle context for `key` if the pool has one, else a new one.
std::unique_ptr<PooledSslContext> obtain_context(const ContextKey& key, std::uint64_t seed, std::string& error) {
  std::unique_ptr<PooledSslContext> context = ContextPool::instance().take(key);
  return context ? std::move(context) : make_context(key, seed, error);
}

// Restarts the context's random stream from `seed` and redraws what SSL_CTX_new_ex drew from
// it, in its order (a ticket key name from the public generator; the ticket HMAC and AES keys
// and the cookie key from the private one): from here on the engine sees the bytes a context
// made afresh with this seed gives, and its tickets are sealed with keys of its own seed, not
// with those of whichever engine had the context first. The cookie key (stateless
// HelloRetryRequest cookies, never used here) is drawn only to move the stream on; OpenSSL
// offers no way to set it.
bool restart_random(PooledSslContext& context, std::uint64_t seed, std::string& error) {
  context.lib->reseed(seed);
  OSSL_LIB_CTX* lib = context.lib->get();
  unsigned char ticket_keys[16 + 32 + 32];  // name, HMAC key, AES key: as OpenSSL lays them out
  unsigned char cookie_key[32];
  bool ok = RAND_bytes_ex(lib, ticket_keys, 16, 0) == 1 && RAND_priv_bytes_ex(lib, ticket_keys + 16, 32, 0) == 1 &&
            RAND_priv_bytes_ex(lib, ticket_keys + 48, 32, 0) == 1 &&
            RAND_priv_bytes_ex(lib, cookie_key, sizeof cookie_key, 0) == 1 &&
            SSL_CTX_set_tlsext_ticket_keys(context.ctx, ticket_keys, sizeof ticket_keys) == 1;
  if (!ok) error = "restarting the random stream: " + last_error_text();
  return ok;
}

}  // namespace

OpenSslEngine::OpenSslEngine(bool server, TlsClock now_seconds)
    : server_(server), now_seconds_(std::move(now_seconds)) {}

std::size_t OpenSslEngine::idle_contexts() { return ContextPool::instance().idle(); }

void OpenSslEngine::free_idle_contexts() { ContextPool::instance().clear(); }

std::unique_ptr<OpenSslEngine> OpenSslEngine::create_psk(const TlsPskConfig& config, std::string& error) {
  if (config.num_tickets < 0) {
    error = "num_tickets must not be negative";
    return nullptr;
  }
  std::unique_ptr<OpenSslEngine> engine(new OpenSslEngine(config.server, config.now_seconds));
  engine->psk_identity_ = config.identity;
  engine->psk_key_ = config.key;
  ContextKey key;
  key.server = config.server;
  std::unique_ptr<PooledSslContext> context = obtain_context(key, config.seed, error);
  if (!context || !engine->init_connection(std::move(context), config.seed, config.num_tickets, error)) return nullptr;
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
  if (config.num_tickets < 0) {
    error = "num_tickets must not be negative";
    return nullptr;
  }
  std::unique_ptr<OpenSslEngine> engine(new OpenSslEngine(config.server, config.now_seconds));
  engine->server_hostname_ = config.server_hostname;
  ContextKey key;
  key.psk = false;
  key.server = config.server;
  key.version = config.version == 12 ? TLS1_2_VERSION : TLS1_3_VERSION;
  if (config.server) {
    key.cert_pem = config.cert_pem;
    key.key_pem = config.key_pem;
  } else {
    key.ca_pem = config.ca_pem;
  }
  std::unique_ptr<PooledSslContext> context = obtain_context(key, config.seed, error);
  if (!context || !engine->init_connection(std::move(context), config.seed, config.num_tickets, error)) return nullptr;
  if (!config.server) {
    bool ok = SSL_set_tlsext_host_name(engine->ssl_, config.server_hostname.c_str()) == 1 &&
              SSL_set1_host(engine->ssl_, config.server_hostname.c_str()) == 1;
    if (!ok) {
      error = "setting server_hostname: " + last_error_text();
      return nullptr;
    }
  }
  return engine;
}

bool OpenSslEngine::init_connection(std::unique_ptr<PooledSslContext> context, std::uint64_t seed, int num_tickets,
                                    std::string& error) {
  context_ = std::move(context);
  if (!restart_random(*context_, seed, error)) return false;
  ssl_ = SSL_new(context_->ctx);
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
  SSL_set_app_data(ssl_, this);  // how the callbacks find this engine
  // Tickets are the engine's own business: no tickets means none in TLS 1.2 either (there
  // num_tickets does not apply).
  if (SSL_set_num_tickets(ssl_, static_cast<std::size_t>(num_tickets)) != 1) {
    error = "SSL_set_num_tickets: " + last_error_text();
    return false;
  }
  if (server_ && num_tickets == 0) SSL_set_options(ssl_, SSL_OP_NO_TICKET);
  if (server_) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
  return true;
}

// The SSL goes first (it holds a reference to the SSL_CTX); then the context waits for the
// next engine with the same configuration.
OpenSslEngine::~OpenSslEngine() {
  SSL_free(ssl_);  // frees both BIOs
  if (context_) ContextPool::instance().give_back(std::move(context_));
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

// Every I/O call below starts with the thread's error queue empty, as SSL_get_error asks: a
// stale entry (left by another engine on this thread, the peer's in a simulated world) would
// turn this engine's want_read into an error, and its answer would depend on calls no digest
// of its own records.
TlsResult OpenSslEngine::do_handshake() {
  ERR_clear_error();
  return result_of(SSL_do_handshake(ssl_), 0);
}

// Through scratch space rather than `out` grown by max_bytes: the SSL protocol asks for up to
// its whole read buffer (256 KiB) and a read returns one record (16 KiB at most), so
// zero-filling `out` that far on every read cost more than the decryption itself. The scratch
// space is the thread's, kept from read to read: nothing stays in it between calls.
TlsResult OpenSslEngine::read(Bytes& out, std::size_t max_bytes) {
  thread_local std::unique_ptr<char[]> scratch;
  thread_local std::size_t scratch_size = 0;
  if (scratch_size < std::max<std::size_t>(max_bytes, 1)) {
    scratch_size = std::max<std::size_t>(max_bytes, 1);
    scratch = std::make_unique_for_overwrite<char[]>(scratch_size);
  }
  std::size_t got = 0;
  ERR_clear_error();
  int ret = SSL_read_ex(ssl_, scratch.get(), max_bytes, &got);
  if (ret > 0) out.append(scratch.get(), got);
  return result_of(ret, got);
}

TlsResult OpenSslEngine::write(BytesView data) {
  std::size_t written = 0;
  ERR_clear_error();
  int ret = SSL_write_ex(ssl_, data.data(), data.size(), &written);
  return result_of(ret, written);
}

// As _ssl's unwrap(): a first 0 (our close_notify sent, the peer's not yet seen) is retried
// once; a second 0 means the peer's has not arrived: want_read.
TlsResult OpenSslEngine::shutdown() {
  ERR_clear_error();
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
