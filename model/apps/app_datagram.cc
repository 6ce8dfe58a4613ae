#include "model/apps/app_datagram.h"

#include <memory>

namespace loopcheck {

void AppDatagram::datagram_received(BytesView, const Address&) {
  ++received_;
  if (!gave_up() || owed_after_give_up_ == 0) return;
  if (--owed_after_give_up_ == 0) world_.monitor().discharge(give_up_obligation_);
}

void AppDatagram::give_up(int obligation, int fd) {
  if (gave_up()) return;
  give_up_obligation_ = obligation;
  const FdStats& stats = world_.kernel().stats(fd);
  // Reached the socket but not the app: still queued, or taken by an operation in flight.
  owed_after_give_up_ = stats.dgrams_enqueued > received_ ? stats.dgrams_enqueued - received_ : 0;
  if (owed_after_give_up_ == 0) world_.monitor().discharge(obligation);
}

int slow_unix_sink(SimWorld& world) {
  FakeKernel& kernel = world.kernel();
  int peer_fd = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, "/tmp/sink.sock");
  auto& peer = world.own(std::make_unique<DatagramSlowSinkPeer>(kernel, peer_fd, "slow sink"));
  world.add_source(peer);
  int app_fd = kernel.dgram_socket(SocketKind::unix_dgram, Owner::app, "");
  (void)kernel.connect_dgram(app_fd, "/tmp/sink.sock");
  return app_fd;
}

int late_echo_server(SimWorld& world, Nanos bind_after) {
  FakeKernel& kernel = world.kernel();
  int peer_fd = kernel.dgram_socket(SocketKind::udp, Owner::peer, "");
  auto& peer = world.own(
      std::make_unique<DatagramEchoPeer>(kernel, peer_fd, "late echo peer", "127.0.0.1:7", bind_after));
  world.add_source(peer);
  int app_fd = kernel.dgram_socket(SocketKind::udp, Owner::app, "127.0.0.1:40000");
  (void)kernel.connect_dgram(app_fd, "127.0.0.1:7");
  return app_fd;
}

}  // namespace loopcheck
