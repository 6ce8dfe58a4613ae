// A TlsEngine whose answers the test scripts, and which records every call made on it: the part
// CPython's test_sslproto.py gives to a mocked sslobj (sslobj.do_handshake.side_effect =
// SSLWantReadError, sslobj.read.side_effect = SSLWantReadError, ...) and to a mocked outgoing
// MemoryBIO (outgoing.read.return_value = data).
//
// Each TLS-side call (do_handshake, read, write, shutdown) answers with its standing status.
// Defaults are those of CPython's helper: a handshake that succeeds at once (a Mock's
// do_handshake returns without raising), reads and writes that want more bytes
// (SSLWantReadError), and a shutdown that succeeds (unwrap returns). A write answered `ok`
// takes all the data. Outgoing bytes are what the test queued with `queue_outgoing`; with
// `sticky_outgoing` set, take_outgoing hands out that same data on every call and it is
// always pending, as a Mock BIO whose read() has a fixed return_value.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "src/core/bytes.h"
#include "src/core/tls_engine.h"

namespace loopcheck::conformance {

class ScriptedTlsEngine final : public TlsEngine {
 public:
  // --- scripting
  TlsStatus handshake_answer = TlsStatus::ok;
  TlsStatus read_answer = TlsStatus::want_read;
  TlsStatus write_answer = TlsStatus::want_read;
  TlsStatus shutdown_answer = TlsStatus::ok;
  std::string error_reason = "scripted SSL error";
  void queue_outgoing(BytesView data) { outgoing_.append(data.data(), data.size()); }
  Bytes sticky_outgoing;  // non-empty: every take_outgoing returns it, and it stays pending

  // --- what happened
  Bytes fed;           // every byte fed from the network, in order
  int feed_eofs = 0;
  int handshakes = 0, reads = 0, writes = 0, shutdowns = 0, takes = 0;
  std::vector<Bytes> written;  // the data of each write call

  // --- TlsEngine
  void feed(BytesView incoming) override { fed.append(incoming.data(), incoming.size()); }
  void feed_eof() override { ++feed_eofs; }
  Bytes take_outgoing() override {
    ++takes;
    if (!sticky_outgoing.empty()) return sticky_outgoing;
    Bytes out;
    out.swap(outgoing_);
    return out;
  }
  std::size_t outgoing_pending() const override {
    return sticky_outgoing.empty() ? outgoing_.size() : sticky_outgoing.size();
  }
  std::size_t incoming_pending() const override { return 0; }  // the mock never buffers
  TlsResult do_handshake() override {
    ++handshakes;
    return answer(handshake_answer, 0);
  }
  TlsResult read(Bytes&, std::size_t) override {
    ++reads;
    return answer(read_answer, 0);
  }
  TlsResult write(BytesView data) override {
    ++writes;
    written.emplace_back(data);
    return answer(write_answer, write_answer == TlsStatus::ok ? data.size() : 0);
  }
  TlsResult shutdown() override {
    ++shutdowns;
    return answer(shutdown_answer, 0);
  }
  std::string version() const override { return "TLSv1.3"; }
  std::string cipher() const override { return "TLS_AES_128_GCM_SHA256"; }
  std::string peer_certificate() const override { return ""; }

 private:
  TlsResult answer(TlsStatus status, std::size_t bytes) const {
    TlsResult r;
    r.status = status;
    r.bytes = bytes;
    if (status == TlsStatus::error) r.reason = error_reason;
    return r;
  }
  Bytes outgoing_;
};

}  // namespace loopcheck::conformance
