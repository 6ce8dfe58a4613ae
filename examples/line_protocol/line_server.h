// The protocol under test: a line server. For every complete line it receives ("hello\n") it
// replies "OK hello\n"; when the client half-closes, it closes too. It knows nothing of
// loopcheck's simulation: it is an asyncio-style Protocol over any Transport, and the same class
// would run on real sockets.
#pragma once

#include <string>

#include "src/core/bugs.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"

namespace line_protocol {

// Fingerprinted: the state that decides what it does next (the partial line) joins the state
// fingerprint, so that --reduce never merges two states that differ in it.
class LineServer final : public loopcheck::Protocol, public loopcheck::Fingerprinted {
 public:
  // The switch "line-split" turns the historical mistake on: every data_received chunk is
  // taken to be one whole line.
  explicit LineServer(const loopcheck::BugSet& bugs) : bugs_(bugs) {}

  void connection_made(loopcheck::Transport& transport) override { transport_ = &transport; }
  void data_received(loopcheck::BytesView data) override;
  bool eof_received() override { return false; }  // the transport closes itself
  void connection_lost(std::optional<loopcheck::Error>) override { transport_ = nullptr; }
  void fingerprint(loopcheck::StateHasher& h) const override { h.text(partial_); }

 private:
  void reply(std::string_view line);

  const loopcheck::BugSet& bugs_;
  loopcheck::Transport* transport_ = nullptr;
  std::string partial_;  // bytes of a line whose '\n' has not arrived yet
};

}  // namespace line_protocol
