// Errors are values: a code from a small POSIX-shaped set plus a human message. Transports hand
// them to protocols (connection_lost, error_received) and never throw them out of a callback.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace loopcheck {

enum class Errc {
  would_block,         // EAGAIN / EWOULDBLOCK: not a failure, retry on readiness
  broken_pipe,         // EPIPE
  connection_reset,    // ECONNRESET
  connection_refused,  // ECONNREFUSED (also the ICMP port-unreachable report on UDP)
  connection_aborted,  // ECONNABORTED (asyncio's ConnectionAbortedError: an SSL handshake timeout)
  bad_fd,              // EBADF
  invalid_argument,    // EINVAL, or an API misuse such as high < low
  message_too_large,   // EMSGSIZE
  aborted,             // ECANCELED / ERROR_OPERATION_ABORTED
  not_found,           // ENOENT / ERROR_NOT_FOUND (cancel of a completed operation)
  already,             // EALREADY
  timed_out,           // ETIMEDOUT, or a simulated timeout firing
  tls,                 // a TLS failure: an alert, a handshake or record error (ssl.SSLError)
  closed,              // an operation on a transport that can no longer deliver it
  unsupported,         // the world does not provide this operation
  protocol_error,      // the app's protocol raised from a callback or broke its contract (an empty
                       // get_buffer()): asyncio's non-OSError, which also goes to the loop's
                       // exception handler
  other,
};

std::string_view errc_name(Errc code);

struct Error {
  Errc code = Errc::other;
  std::string message;

  std::string describe() const;
  friend bool operator==(const Error& a, const Error& b) { return a.code == b.code; }
};

// Status of an API call: empty on success. [[nodiscard]] where ignoring it would hide misuse.
using Status = std::optional<Error>;

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace loopcheck
