// What an oracle may ask of the scripted peer at the other end of a stream: what its socket
// accepted for sending and what it has read, so byte conservation (O2) can be checked both ways.
#pragma once

#include "src/core/bytes.h"

namespace loopcheck {

class StreamPeerView {
 public:
  virtual ~StreamPeerView() = default;
  virtual const Bytes& sent() const = 0;
  virtual const Bytes& received() const = 0;
  // True for peers that read until EOF; only they can be asked to have received everything.
  virtual bool reads_to_eof() const = 0;
  // False for a TLS peer whose stream ended without the app's close_notify: it got the bytes
  // but cannot tell a complete stream from a cut one, so the close was not graceful.
  virtual bool clean_end() const { return true; }
};

}  // namespace loopcheck
