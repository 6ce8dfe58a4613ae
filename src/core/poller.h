// What the loop core asks of its world at the poll step. A selector world reports ready fds; a
// completion world (overlapped I/O, io_uring) reports completions as callbacks. The loop core
// owns neither the clock nor the poller, so the same core runs in simulation and on epoll.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "src/core/loop.h"
#include "src/core/time.h"

namespace loopcheck {

enum IoMask : std::uint8_t { kReadable = 1, kWritable = 2 };

struct PollEvent {
  int fd = -1;
  std::uint8_t mask = 0;               // selector readiness
  std::shared_ptr<HandleState> completion;  // completion mode: run this instead
};

// Completion mode: where a poller finds finished operations (the fake port, an io_uring ring).
// Each queued completion becomes a PollEvent whose handle runs the operation's final completion.
class CompletionQueue {
 public:
  virtual ~CompletionQueue() = default;
  // An fd that polls readable while completions wait; -1 when the poller needs none.
  virtual int notify_fd() const = 0;
  // Hands the kernel whatever was prepared but not yet submitted, before the loop may block.
  virtual void flush() {}
  virtual bool has_queued() const = 0;
  virtual void take_queued(std::vector<PollEvent>& out) = 0;
};

class Poller {
 public:
  virtual ~Poller() = default;
  // The loop tells the poller which fds it wants, and for what; mask 0 means forget the fd.
  virtual void set_interest(int fd, std::uint8_t mask) = 0;
  // Appends ready events. timeout empty = block until something is ready; 0 = do not block.
  virtual void poll(std::optional<Nanos> timeout, std::vector<PollEvent>& out) = 0;
};

}  // namespace loopcheck
