// The seam between the SSL protocol and a TLS library: one endpoint's TLS state in the shape of
// an SSL object over two memory BIOs. Bytes from the network are fed in, bytes for the network
// are taken out, and nothing here touches a socket, a clock or a random source of its own: the
// implementation draws randomness from the seed it was given, so a simulated run replays byte
// for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "src/core/bytes.h"

namespace loopcheck {

// OpenSSL's SSL_get_error outcomes, as CPython's _ssl module sorts them.
enum class TlsStatus {
  ok,
  want_read,    // needs more bytes from the peer (SSLWantReadError)
  want_write,   // needs its output taken first (SSLWantWriteError; never with memory BIOs)
  zero_return,  // the peer's close_notify: a clean TLS EOF (SSLZeroReturnError)
  eof,          // the transport ended without close_notify (SSLEOFError)
  error,        // anything else; `reason` has the library's text (SSLError)
};

struct TlsResult {
  TlsStatus status = TlsStatus::ok;
  std::size_t bytes = 0;  // read or written
  std::string reason;
};

// A running digest (FNV-1a) of the calls made on an engine and the bytes they carried. OpenSSL's
// state cannot be read out, but it is a function of those calls: two runs whose digests agree
// are in the same TLS state, which is what a state fingerprint needs. Each call is one record
// (its op, its data's length, its data), so no call's bytes can pass for another call. Two
// rewrites that leave the state as it was keep more runs equal: feeds in a row only append to
// the incoming BIO, so they make one record of all their bytes ('f'); and a take of the
// outgoing BIO that found it empty changed nothing, so callers note 'o' only for a take that
// got bytes. (The SSL protocol also leaves out a read that changed nothing:
// SslProtocol::engine_read.)
class TlsCallDigest {
 public:
  void note(char op, BytesView data = {}) {
    if (op == 'f') {  // joins the feeds before it; recorded when another call comes
      for (char c : data) feed_hash_ = mix(feed_hash_, static_cast<unsigned char>(c));
      fed_ += data.size();
      return;
    }
    end_feed();
    value_ = mix(value_, static_cast<unsigned char>(op));
    value_ = mix_size(value_, data.size());
    for (char c : data) value_ = mix(value_, static_cast<unsigned char>(c));
  }
  std::uint64_t value() const {
    TlsCallDigest ended = *this;
    ended.end_feed();
    return ended.value_;
  }

 private:
  static constexpr std::uint64_t kBasis = 0xcbf29ce484222325ull;
  static std::uint64_t mix(std::uint64_t h, unsigned char byte) { return (h ^ byte) * 0x100000001b3ull; }
  static std::uint64_t mix_size(std::uint64_t h, std::uint64_t n) {
    for (int i = 0; i < 8; ++i) h = mix(h, static_cast<unsigned char>(n >> (8 * i)));
    return h;
  }
  // The feeds since the last other call, as one record: 'f', their length, their bytes' hash.
  void end_feed() {
    if (fed_ == 0) return;
    value_ = mix_size(mix_size(mix(value_, 'f'), fed_), feed_hash_);
    fed_ = 0;
    feed_hash_ = kBasis;
  }
  std::uint64_t value_ = kBasis;
  std::uint64_t feed_hash_ = kBasis;
  std::uint64_t fed_ = 0;
};

class TlsEngine {
 public:
  virtual ~TlsEngine() = default;
  // Network side.
  virtual void feed(BytesView incoming) = 0;
  virtual void feed_eof() = 0;  // the transport saw EOF: no more bytes will come
  virtual Bytes take_outgoing() = 0;
  virtual std::size_t outgoing_pending() const = 0;
  virtual std::size_t incoming_pending() const = 0;  // fed, not yet consumed by the TLS layer
  // TLS side.
  virtual TlsResult do_handshake() = 0;
  virtual TlsResult read(Bytes& out, std::size_t max_bytes) = 0;  // appends to `out`
  virtual TlsResult write(BytesView data) = 0;
  virtual TlsResult shutdown() = 0;  // ok once both close_notify alerts have been exchanged
  virtual std::string version() const = 0;
  virtual std::string cipher() const = 0;
  virtual std::string peer_certificate() const = 0;  // the verified peer's subject; empty if none
};

}  // namespace loopcheck
