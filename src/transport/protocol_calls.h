// Calls into the app's protocol that asyncio guards: what a protocol callback throws does not
// escape the transport, it fails the connection (asyncio's `except BaseException as exc:
// self._fatal_error(exc, 'Fatal error: protocol.X() call failed.')`).
#pragma once

#include <exception>
#include <optional>
#include <string>

#include "src/core/error.h"

namespace loopcheck {

// Runs `call`; what it throws comes back as a protocol_error (empty when it returned).
template <typename Call>
std::optional<Error> guard_protocol_call(Call&& call) {
  try {
    call();
    return std::nullopt;
  } catch (const std::exception& e) {
    return make_error(Errc::protocol_error, e.what());
  } catch (...) {
    return make_error(Errc::protocol_error, "a protocol callback threw a non-standard exception");
  }
}

}  // namespace loopcheck
