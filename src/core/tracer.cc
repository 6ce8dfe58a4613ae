#include "src/core/tracer.h"

namespace loopcheck {

std::string_view component_name(Component c) {
  switch (c) {
    case Component::protocol: return "protocol";
    case Component::transport: return "transport";
    case Component::loop: return "loop";
    case Component::kernel: return "kernel";
    case Component::peer: return "peer";
    case Component::choice: return "choice";
    case Component::oracle: return "oracle";
  }
  return "?";
}

}  // namespace loopcheck
