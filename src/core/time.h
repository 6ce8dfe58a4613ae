// Time is integer nanoseconds everywhere, in both worlds, so simulated runs never round.
#pragma once

#include <cstdint>

namespace loopcheck {

using Nanos = std::int64_t;

constexpr Nanos kMicrosecond = 1000;
constexpr Nanos kMillisecond = 1000 * kMicrosecond;
constexpr Nanos kSecond = 1000 * kMillisecond;

// The only way code under src/ learns the time. SimClock and the monotonic clock implement it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos now() const = 0;
};

}  // namespace loopcheck
