#include "model/apps/app_datagram.h"

#include <memory>

namespace loopcheck {

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
