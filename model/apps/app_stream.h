// What the stream scenarios share: a base for their application protocols, the usual socket
// pair, and the sender peer most of them talk to.
#pragma once

#include <optional>
#include <utility>

#include "model/world/peers.h"
#include "model/world/tls_peer.h"
#include "model/world/scenario.h"
#include "model/world/world.h"

namespace loopcheck {

// Base for the scenarios' application protocols: remembers its transport and the world.
class AppStream : public Protocol, public Fingerprinted {
 public:
  explicit AppStream(SimWorld& world) : world_(world) {}
  void fingerprint(StateHasher& h) const final {
    h.value(h.owner(transport_));
    h.value(received_);
    fingerprint_app(h);
  }
  void connection_made(Transport& transport) override {
    transport_ = &transport;
    on_made();
  }
  void data_received(BytesView data) override { received_ += data.size(); }
  void connection_lost(std::optional<Error>) override {}

 protected:
  virtual void on_made() {}
  // Every field that changes during a run; constants (sizes, ids) may be left out.
  virtual void fingerprint_app(StateHasher& h) const = 0;
  Tag tag(const char* label) const { return Tag{this, label}; }

  SimWorld& world_;
  Transport* transport_ = nullptr;
  std::size_t received_ = 0;
};

// An app-owned TCP socket and its peer-owned other end, with fixed loopback names.
std::pair<int, int> app_peer_pair(SimWorld& world);

// A peer that sends `bytes` in `chunk`-sized pieces (the scenario's parameters), then ends.
// `reaction`: how soon after it can act it does (see ScriptedPeer).
SenderPeer& add_sender_peer(SimWorld& world, int peer_fd, const Params& p, const char* name,
                            SenderPeer::Ending ending, Nanos reaction = ScriptedPeer::kDefaultReaction);

// A TLS endpoint (OpenSSL) on the far end of peer_fd, acting by `script`, owned and registered.
TlsPeer& add_tls_peer(SimWorld& world, int peer_fd, const char* name, TlsPeer::Script script);

}  // namespace loopcheck
