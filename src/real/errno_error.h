// errno to Error, in one place, so the real world reports failures exactly as the fake kernel
// does (EAGAIN is would_block, never a failure).
#pragma once

#include <string>

#include "src/core/error.h"

namespace loopcheck {

Errc errc_from_errno(int err);
Error error_from_errno(int err, const std::string& what);

}  // namespace loopcheck
