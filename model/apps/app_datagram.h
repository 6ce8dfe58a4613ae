// The base of the scenarios' datagram application protocols: it remembers its transport and
// the world, counts what it received, and joins the state fingerprint.
#pragma once

#include <optional>

#include "model/world/peers.h"
#include "model/world/world.h"

namespace loopcheck {

class AppDatagram : public DatagramProtocol, public Fingerprinted {
 public:
  explicit AppDatagram(SimWorld& world) : world_(world) {}
  void fingerprint(StateHasher& h) const final {
    h.value(h.owner(transport_));
    h.value(received_);
    h.value(errors_);
    fingerprint_app(h);
  }
  void connection_made(DatagramTransport& transport) override {
    transport_ = &transport;
    on_made();
  }
  void datagram_received(BytesView, const Address&) override { ++received_; }
  void error_received(const Error&) override { ++errors_; }
  void connection_lost(std::optional<Error>) override {}

 protected:
  virtual void on_made() {}
  // Every field that changes during a run; constants (sizes, ids) may be left out.
  virtual void fingerprint_app(StateHasher& h) const = 0;
  Tag tag(const char* label) const { return Tag{this, label}; }

  SimWorld& world_;
  DatagramTransport* transport_ = nullptr;
  std::size_t received_ = 0;
  std::size_t errors_ = 0;
};

// A UDP echo server at 127.0.0.1:7 that binds only after `bind_after` (datagrams sent earlier
// come back as ICMP errors), and the app's UDP socket, connected to it; returns the app's fd.
int late_echo_server(SimWorld& world, Nanos bind_after);

}  // namespace loopcheck
