// Write-side flow control shared by every transport: asyncio's _maybe_pause_protocol and
// _maybe_resume_protocol. pause_writing fires when the buffer grows past high, resume_writing
// when it drains to low or below, and the two always alternate, starting with pause.
#pragma once

#include <cstddef>
#include <optional>

#include "src/core/error.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"

namespace loopcheck {

// asyncio's add_flowcontrol_defaults: a missing high is 4*low, or `default_high` when both are
// missing; a missing low is high/4. Anything but high >= low is an error and leaves `out` alone.
[[nodiscard]] Status flow_limits(std::optional<std::size_t> high, std::optional<std::size_t> low,
                                 std::size_t default_high, WriteLimits& out);

class WriteFlowControl {
 public:
  static constexpr std::size_t kDefaultHigh = 64 * 1024;

  WriteFlowControl() { (void)set_limits(std::nullopt, std::nullopt); }

  // asyncio's _set_write_buffer_limits: missing high = 4*low or 64 KiB, missing low = high/4.
  [[nodiscard]] Status set_limits(std::optional<std::size_t> high, std::optional<std::size_t> low);
  WriteLimits limits() const { return limits_; }
  bool protocol_paused() const { return paused_; }

  void maybe_pause(std::size_t buffer_size, BaseProtocol& protocol);
  void maybe_resume(std::size_t buffer_size, BaseProtocol& protocol);
  // `with_limits` false: the caller knows the limits set so far can no longer be read (no write
  // and no resume can come; a later set_limits brings its own).
  void fingerprint(StateHasher& h, bool with_limits = true) const {
    if (with_limits) {
      h.value(limits_.high);
      h.value(limits_.low);
    }
    h.value(paused_);
  }

 private:
  WriteLimits limits_;
  bool paused_ = false;
};

}  // namespace loopcheck
