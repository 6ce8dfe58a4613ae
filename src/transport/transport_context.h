// Everything a transport is handed to reach the world. Nothing else: no clock, no OS, no globals.
#pragma once

#include <string>

#include "src/core/bugs.h"
#include "src/core/completion_api.h"
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

  // One transport event for the trace, prefixed with its fd; free when tracing is off.
  void trace(int fd, const std::string& text) const {
    if (tracer.enabled()) tracer.record(Component::transport, "fd " + std::to_string(fd) + ": " + text);
  }
};

}  // namespace loopcheck
