// asyncio's StreamWriter (Lib/asyncio/streams.py, CPython 3.13), reduced to what a STARTTLS
// server or client needs: write, drain, close, and start_tls, which upgrades the connection in
// place and from then on writes through the SSL transport.
#pragma once

#include <functional>
#include <optional>

#include "src/core/bugs.h"
#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/transport.h"
#include "src/streams/stream_reader.h"
#include "src/tls/start_tls.h"

namespace loopcheck {

class StreamWriter {
 public:
  using Done = std::function<void(std::optional<Error>)>;
  StreamWriter(Loop& loop, const BugSet& bugs, Transport& transport, StreamReaderProtocol& protocol)
      : loop_(loop), bugs_(bugs), transport_(&transport), protocol_(protocol) {}

  Status write(BytesView data) { return transport_->write(data); }
  void close() { transport_->close(); }
  Transport& transport() const { return *transport_; }
  // Runs `done` once writing may go on: at once unless the transport paused the protocol for
  // writing, with the stream's error if it has one.
  void drain(Done done);
  // Drains, then loop.start_tls as the server when the protocol was made with a
  // client_connected callback; `done` gets the handshake's outcome. `options.server_side` is
  // start_tls's to set from the protocol, as asyncio does.
  void start_tls(SslOptions options, const SslProtocolFactory& make, Done done);

 private:
  Loop& loop_;
  const BugSet& bugs_;
  Transport* transport_;
  StreamReaderProtocol& protocol_;
};

}  // namespace loopcheck
