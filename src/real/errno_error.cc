#include "src/real/errno_error.h"

#include <cerrno>
#include <cstring>

namespace loopcheck {

Errc errc_from_errno(int err) {
  switch (err) {
    case EAGAIN: return Errc::would_block;
    case EPIPE: return Errc::broken_pipe;
    case ECONNRESET: return Errc::connection_reset;
    case ECONNREFUSED: return Errc::connection_refused;
    case EBADF: return Errc::bad_fd;
    case EINVAL: return Errc::invalid_argument;
    case EMSGSIZE: return Errc::message_too_large;
    case ECANCELED: return Errc::aborted;
    case ENOENT: return Errc::not_found;
    case EALREADY: return Errc::already;
    case ETIMEDOUT: return Errc::timed_out;
    default: return Errc::other;
  }
}

Error error_from_errno(int err, const std::string& what) {
  return make_error(errc_from_errno(err), what + ": " + std::strerror(err));
}

}  // namespace loopcheck
