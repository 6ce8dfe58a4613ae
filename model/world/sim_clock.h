// Simulated time: integer nanoseconds starting at 1 us. It moves only when the world advances
// it, and never backwards.
#pragma once

#include "src/core/time.h"

namespace loopcheck {

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
