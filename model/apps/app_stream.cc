#include "model/apps/app_stream.h"

#include <memory>

namespace loopcheck {

std::pair<int, int> app_peer_pair(SimWorld& world) {
  return world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer, "127.0.0.1:40000",
                                    "127.0.0.1:8080");
}

SenderPeer& add_sender_peer(SimWorld& world, int peer_fd, const Params& p, const char* name,
                            SenderPeer::Ending ending, Nanos reaction) {
  auto& peer = world.own(std::make_unique<SenderPeer>(
      world.kernel(), peer_fd, name, static_cast<std::size_t>(param(p, "bytes", 0)),
      static_cast<std::size_t>(param(p, "chunk", 1)), ending, reaction));
  world.add_source(peer);
  return peer;
}

TlsPeer& add_tls_peer(SimWorld& world, int peer_fd, const char* name, TlsPeer::Script script) {
  auto& peer = world.own(std::make_unique<TlsPeer>(world.kernel(), peer_fd, name, std::move(script)));
  world.add_source(peer);
  return peer;
}

}  // namespace loopcheck
