// Simulated time: integer nanoseconds starting at 1 us. It moves only when the world advances
// it, and never backwards.
#pragma once

#include <cstdint>

#include "src/core/time.h"

namespace loopcheck {

// What OpenSSL sees as the wall clock at a run's start (2026-01-01T00:00:00Z, in unix seconds):
// the world's clock is the only time that reaches a TLS engine under simulation.
constexpr std::int64_t kSimEpochSeconds = 1767225600;

class SimClock final : public Clock {
 public:
  static constexpr Nanos kStart = kMicrosecond;
  Nanos now() const override { return now_; }
  void advance_to(Nanos t) {
    if (t > now_) now_ = t;
  }

 private:
  Nanos now_ = kStart;
};

}  // namespace loopcheck
