// A TLS endpoint at the far end of a stream, on the same TlsEngine the app's SSL protocol uses
// (OpenSSL, TLS 1.3 with a pre-shared key, its randomness from its own seed). It acts like a
// program on another host: one `tls` action reads whatever the socket holds, moves the TLS state
// on (handshake, records, alerts) and sends what that produced. Its misbehaviours are the ones
// the catalog's stories need; where one races with the well-behaved path (a drop during the
// handshake), which comes first is the world's choice.
//
// It has two views for O2: the stream's own (ciphertext, StreamPeer::sent/received) and the
// plaintext one (plaintext()), which also says whether the stream ended with a close_notify.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "model/world/peers.h"
#include "model/world/sim_tls.h"
#include "src/core/tls_engine.h"

namespace loopcheck {

class TlsPeer final : public StreamPeer {
 public:
  // Its engine's state is in OpenSSL's heap: a world that owns one cannot be saved by copying
  // its own memory (SimWorld::restorable).
  static constexpr bool kOpenSslHeap = true;
  enum class Misbehaviour {
    none,
    stall_handshake,     // reads everything, never answers the handshake
    drop_in_handshake,   // may close TCP (FIN or RST) before the handshake ends
    ignore_close_notify  // never answers the app's close_notify, keeps TCP open
  };
  struct Script {
    bool server = true;
    Bytes preamble;                 // plaintext sent before the handshake (a STARTTLS line)
    std::size_t plain_first = 0;    // plaintext it reads before TLS begins (a server's greeting)
    std::size_t send_bytes = 0;     // plaintext sent as soon as the handshake is done
    std::size_t chunk = 0;          // ... in writes of this size (0: one write)
    bool echo = false;              // sends every plaintext byte back
    // A server that speaks a line protocol: each whole line it reads that is a key here (without
    // its "\n") is answered with the value (a line too).
    std::vector<std::pair<Bytes, Bytes>> replies;
    bool close_when_done = false;   // sends close_notify once it has sent everything
    Misbehaviour misbehaviour = Misbehaviour::none;
    SimTls tls = SimTls::psk;
    int tickets = 0;  // a server's TLS 1.3 session tickets, sent after the handshake
    std::uint64_t seed = 2;

    // A STARTTLS client that does not wait for the server's answer: "STARTTLS\r\n", its
    // ClientHello right behind, then `bytes` and close_notify.
    static Script pipelined_starttls(std::size_t bytes) {
      Script script;
      script.server = false;
      script.preamble = "STARTTLS\r\n";
      script.send_bytes = bytes;
      script.close_when_done = true;
      return script;
    }
  };

  // Throws std::runtime_error if OpenSSL refuses the configuration.
  TlsPeer(FakeKernel& kernel, int fd, std::string name, Script script);

  // The plaintext view, for O2 on the app's SSL transport.
  const StreamPeerView& plaintext() const { return plain_; }
  bool handshake_done() const { return handshake_done_; }
  // A peer that stalls or drops the connection does not read the stream to its end.
  bool reads_to_eof() const override { return plain_.reads_; }

 protected:
  int action_count() const override { return script_.misbehaviour == Misbehaviour::drop_in_handshake ? 3 : 1; }
  bool can(int action) const override;
  void act(int action) override;
  const char* action_name(int action) const override;

 private:
  class Plain final : public StreamPeerView {
   public:
    const Bytes& sent() const override { return sent_; }
    const Bytes& received() const override { return received_; }
    bool reads_to_eof() const override { return reads_; }
    bool clean_end() const override { return close_notify_; }
    bool reads_ = true;
    Bytes sent_, received_;
    bool close_notify_ = false;  // the app's close_notify arrived
  };

  void step();
  void read_plaintext();
  void send_plaintext();
  void take_outgoing();
  void answer_lines();
  void note(char op, BytesView data = {});
  void fingerprint_stream_peer(StateHasher& h) const override;

  Script script_;
  std::unique_ptr<TlsEngine> engine_;
  Plain plain_;
  std::size_t fed_ = 0;  // wire bytes already fed to the engine
  bool started_ = false;    // its first turn has come (a preamble goes out then)
  bool tls_begun_ = false;  // it has called do_handshake
  bool handshake_done_ = false;
  bool failed_ = false;
  bool eof_fed_ = false;
  bool notify_sent_ = false;
  std::size_t plain_sent_ = 0;
  std::size_t line_start_ = 0;  // where the first line not yet answered begins in plain_.received_
  TlsCallDigest digest_;  // the engine's calls, standing for its state in the fingerprint
};

}  // namespace loopcheck
