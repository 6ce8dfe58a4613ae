#include "src/core/error.h"

namespace loopcheck {

std::string_view errc_name(Errc code) {
  switch (code) {
    case Errc::would_block: return "EAGAIN";
    case Errc::broken_pipe: return "EPIPE";
    case Errc::connection_reset: return "ECONNRESET";
    case Errc::connection_refused: return "ECONNREFUSED";
    case Errc::connection_aborted: return "ECONNABORTED";
    case Errc::bad_fd: return "EBADF";
    case Errc::invalid_argument: return "EINVAL";
    case Errc::message_too_large: return "EMSGSIZE";
    case Errc::aborted: return "ECANCELED";
    case Errc::not_found: return "ENOENT";
    case Errc::already: return "EALREADY";
    case Errc::timed_out: return "ETIMEDOUT";
    case Errc::tls: return "SSLError";
    case Errc::closed: return "CLOSED";
    case Errc::unsupported: return "UNSUPPORTED";
    case Errc::protocol_error: return "ProtocolError";
    case Errc::other: return "ERROR";
  }
  return "ERROR";
}

std::string Error::describe() const {
  std::string out(errc_name(code));
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

}  // namespace loopcheck
