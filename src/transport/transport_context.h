// Everything a transport is handed to reach the world. Nothing else: no clock, no OS, no globals.
#pragma once

#include <optional>
#include <string>

#include "src/core/bugs.h"
#include "src/core/completion_api.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/socket_api.h"
#include "src/core/tracer.h"

namespace loopcheck {

struct TransportContext {
  Loop& loop;
  SocketApi& sockets;  // selector transports do their I/O here; proactor ones only shut down/close
  const BugSet& bugs;
  Tracer& tracer;
  CompletionApi* completions = nullptr;  // proactor transports: overlapped I/O

  // asyncio's _fatal_error: an error that is not an OSError (the protocol's own failure) goes to
  // the loop's exception handler too; OSErrors reach the app only through connection_lost.
  void report_fatal(const void* owner, const Error& error, const char* where) const {
    if (error.code == Errc::protocol_error) loop.call_exception_handler({where, error, owner});
  }

  // One transport event for the trace, prefixed with its fd; nothing is recorded when tracing
  // is off (the caller has built `text` by then: cheap next to the I/O it describes).
  void trace(int fd, const std::string& text) const {
    if (tracer.enabled()) tracer.record(Component::transport, "fd " + std::to_string(fd) + ": " + text);
  }
};

// Every transport's last act: connection_lost, then the fd closes. The context and fd are
// copies on purpose: the protocol may destroy the transport inside connection_lost, so nothing
// of the transport may be touched after the call.
template <typename ProtocolT>
void connection_lost_then_close(TransportContext ctx, int fd, ProtocolT& protocol, std::optional<Error> error) {
  ctx.trace(fd, "connection_lost(" + (error ? error->describe() : std::string("None")) + ")");
  protocol.connection_lost(error);
  (void)ctx.sockets.close(fd);
}

}  // namespace loopcheck
