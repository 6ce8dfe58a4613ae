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
    h.value(owed_after_give_up_);
    fingerprint_app(h);
  }
  void connection_made(DatagramTransport& transport) override {
    transport_ = &transport;
    on_made();
  }
  void datagram_received(BytesView, const Address&) override;
  void error_received(const Error&) override { ++errors_; }
  void connection_lost(std::optional<Error>) override {}

 protected:
  virtual void on_made() {}
  // Every field that changes during a run; constants (sizes, ids) may be left out.
  virtual void fingerprint_app(StateHasher& h) const = 0;
  Tag tag(const char* label) const { return Tag{this, label}; }
  // Giving up (a client out of retries) is the app's right, and after it nothing more is owed
  // than what had already reached its socket `fd`: a transport drains its socket at close. The
  // obligation is discharged at once if the socket holds nothing the app has not received, or
  // when the last datagram it held has been delivered. (A timer window lets the give-up come
  // just after a reply landed; calling that a hang would be crying wolf.)
  void give_up(int obligation, int fd);
  bool gave_up() const { return give_up_obligation_ >= 0; }

  SimWorld& world_;
  DatagramTransport* transport_ = nullptr;
  std::size_t received_ = 0;
  std::size_t errors_ = 0;

 private:
  int give_up_obligation_ = -1;
  std::size_t owed_after_give_up_ = 0;
};

// An AF_UNIX datagram receiver at /tmp/sink.sock that takes one datagram per action, and the
// app's socket, connected to it; returns the app's fd. With a short receive queue
// (KernelConfig::dgram_queue_packets) the app's sends block and queue in its transport.
int slow_unix_sink(SimWorld& world);

// A UDP echo server at 127.0.0.1:7 that binds only after `bind_after` (datagrams sent earlier
// come back as ICMP errors), and the app's UDP socket, connected to it; returns the app's fd.
int late_echo_server(SimWorld& world, Nanos bind_after);

}  // namespace loopcheck
