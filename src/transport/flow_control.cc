#include "src/transport/flow_control.h"

#include <string>

namespace loopcheck {

Status flow_limits(std::optional<std::size_t> high, std::optional<std::size_t> low,
                   std::size_t default_high, WriteLimits& out) {
  std::size_t new_high = high ? *high : (low ? 4 * *low : default_high);
  std::size_t new_low = low ? *low : new_high / 4;
  if (new_high < new_low) {
    return make_error(Errc::invalid_argument, "high (" + std::to_string(new_high) +
                                                  ") must be >= low (" +
                                                  std::to_string(new_low) + ") must be >= 0");
  }
  out = {new_high, new_low};
  return std::nullopt;
}

Status WriteFlowControl::set_limits(std::optional<std::size_t> high,
                                    std::optional<std::size_t> low) {
  return flow_limits(high, low, kDefaultHigh, limits_);
}

void WriteFlowControl::maybe_pause(std::size_t buffer_size, BaseProtocol& protocol) {
  if (buffer_size <= limits_.high || paused_) return;
  paused_ = true;
  protocol.pause_writing();
}

void WriteFlowControl::maybe_resume(std::size_t buffer_size, BaseProtocol& protocol) {
  if (!paused_ || buffer_size > limits_.low) return;
  paused_ = false;
  protocol.resume_writing();
}

}  // namespace loopcheck
