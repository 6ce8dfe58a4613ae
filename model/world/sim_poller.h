// The simulated selector: level-triggered readiness computed from the FakeKernel's state.
// It never blocks and never moves time; the world decides when time moves.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "model/world/fake_kernel.h"
#include "src/core/poller.h"

namespace loopcheck {

class SimPoller final : public Poller {
 public:
  explicit SimPoller(const FakeKernel& kernel) : kernel_(kernel) {}
  // Completion mode: queued completions are part of what a poll returns.
  void attach(CompletionQueue& port) { completions_ = &port; }

  void set_interest(int fd, std::uint8_t mask) override;
  void poll(std::optional<Nanos> timeout, std::vector<PollEvent>& out) override;
  // True when a poll now would return at least one event.
  bool any_ready() const;
  bool watches(int fd) const { return interest_.count(fd) > 0; }

 private:
  std::uint8_t ready_mask(int fd, std::uint8_t interest) const;

  const FakeKernel& kernel_;
  CompletionQueue* completions_ = nullptr;
  std::map<int, std::uint8_t> interest_;  // ordered by fd: poll order is deterministic
};

}  // namespace loopcheck
