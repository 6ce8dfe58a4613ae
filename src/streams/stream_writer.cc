#include "src/streams/stream_writer.h"

#include <utility>

namespace loopcheck {

void StreamWriter::drain(Done done) {
  // asyncio raises the reader's exception first (the connection already failed).
  if (const auto& error = protocol_.reader().exception()) {
    done(*error);
    return;
  }
  // A transport that is closing gets one loop turn first, so that its connection_lost can come
  // and the drain report it; without it, write-then-drain in a loop never sees the loss.
  if (transport_->is_closing()) {
    loop_.call_soon(Tag{this, "drain.yield"}, [this, done = std::move(done)]() mutable {
      protocol_.drain_helper(std::move(done));
    });
    return;
  }
  protocol_.drain_helper(std::move(done));
}

void StreamWriter::start_tls(SslOptions options, const SslProtocolFactory& make, Done done) {
  options.server_side = protocol_.server_side();
  drain([this, options, make, done = std::move(done)](std::optional<Error> error) {
    if (error) {
      done(error);
      return;
    }
    loopcheck::start_tls(loop_, bugs_, *transport_, protocol_, options, make,
                         [this, done](std::optional<Error> result, Transport* upgraded) {
                           // asyncio's None: _replace_transport(None) raises AttributeError.
                           if (!result && !upgraded) {
                             done(make_error(Errc::connection_reset, "start_tls returned no transport"));
                             return;
                           }
                           if (!result) {
                             transport_ = upgraded;
                             protocol_.replace_transport(*transport_, /*over_ssl=*/true);
                           }
                           done(result);
                         });
  });
}

}  // namespace loopcheck
