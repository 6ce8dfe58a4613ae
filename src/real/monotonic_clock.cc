#include "src/real/monotonic_clock.h"

#include <time.h>

namespace loopcheck {

Nanos MonotonicClock::now() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kSecond + ts.tv_nsec;
}

}  // namespace loopcheck
