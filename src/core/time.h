// Time is integer nanoseconds everywhere, in both worlds, so simulated runs never round.
#pragma once

#include <cstdint>
#include <limits>

namespace loopcheck {

using Nanos = std::int64_t;

constexpr Nanos kMicrosecond = 1000;
constexpr Nanos kMillisecond = 1000 * kMicrosecond;
constexpr Nanos kSecond = 1000 * kMillisecond;

// a + b for a time and a delay, held at the far ends instead of wrapping: a delay too long to
// represent means "never", not a time in the past.
constexpr Nanos add_time(Nanos a, Nanos b) {
  constexpr Nanos kMax = std::numeric_limits<Nanos>::max();
  constexpr Nanos kMin = std::numeric_limits<Nanos>::min();
  if (b > 0 && a > kMax - b) return kMax;
  if (b < 0 && a < kMin - b) return kMin;
  return a + b;
}

// The only way code under src/ learns the time. SimClock and the monotonic clock implement it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos now() const = 0;
};

}  // namespace loopcheck
