// The real world's clock: CLOCK_MONOTONIC in nanoseconds, so loop time never jumps back.
#pragma once

#include "src/core/time.h"

namespace loopcheck {

class MonotonicClock final : public Clock {
 public:
  Nanos now() const override;
};

}  // namespace loopcheck
