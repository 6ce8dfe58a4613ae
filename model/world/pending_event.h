// A kernel or peer event the world may let happen next. It happens no earlier than `earliest`
// and no later than `latest` (the latency bounds); which one happens, and when relative to loop
// callbacks, is a choice.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "src/core/state_hasher.h"
#include "src/core/time.h"
#include "src/core/tracer.h"

namespace loopcheck {

class EventSource;

// Where an event of the environment's (a peer's action, a link's delivery, the kernel finishing
// an overlapped operation) can reach: up to two sockets, and the completion queue. `known` is
// false for everything else (the app's own events) and where the reach is not known; such an
// event never waits for the loop (model/world/deferral.h).
struct Reach {
  bool known = false;
  int fd_a = -1;
  int fd_b = -1;
  bool completion_queue = false;
};

struct PendingEvent {
  EventSource* source = nullptr;
  std::uint32_t index = 0;  // meaning private to the source
  Nanos earliest = 0;
  Nanos latest = std::numeric_limits<Nanos>::max();
};

// Anything that produces world events: the kernel's links, scripted peers.
class EventSource : public Fingerprinted {
 public:
  virtual ~EventSource() = default;
  virtual void collect(Nanos now, std::vector<PendingEvent>& out) = 0;
  virtual void fire(const PendingEvent& event) = 0;
  virtual std::string describe(const PendingEvent& event) const = 0;
  virtual Component component() const { return Component::kernel; }
  // The sockets the event may touch (fd -2: anything), for partial-order reduction.
  virtual std::pair<int, int> footprint(const PendingEvent&) const { return {-2, -2}; }
  // The environment's events: their reach, so they may wait while the loop runs (deferral.h).
  virtual Reach reach(const PendingEvent&) const { return {}; }
  // A peer's own socket (-1: none), and the reach of anything it may come to do: what a
  // deferred event's reach grows into once that peer is drawn in.
  virtual int home_fd() const { return -1; }
  virtual Reach standing_reach() const { return {}; }
};

}  // namespace loopcheck
