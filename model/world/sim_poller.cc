#include "model/world/sim_poller.h"


namespace loopcheck {

void SimPoller::set_interest(int fd, std::uint8_t mask) {
  if (mask == 0) {
    interest_.erase(fd);
  } else {
    interest_[fd] = mask;
  }
}

std::uint8_t SimPoller::ready_mask(int fd, std::uint8_t interest) const {
  std::uint8_t mask = 0;
  if ((interest & kReadable) && kernel_.readable(fd)) mask |= kReadable;
  if ((interest & kWritable) && kernel_.writable(fd)) mask |= kWritable;
  return mask;
}

void SimPoller::poll(std::optional<Nanos>, std::vector<PollEvent>& out) {
  for (const auto& [fd, interest] : interest_) {
    std::uint8_t mask = ready_mask(fd, interest);
    if (mask) out.push_back(PollEvent{fd, mask, nullptr});
  }
  if (completions_) {
    kernel_.touch(FakeKernel::kCompletionQueue);
    completions_->take_queued(out);
  }
}

bool SimPoller::any_ready() const {
  if (completions_ && completions_->has_queued()) return true;
  for (const auto& [fd, interest] : interest_) {
    if (ready_mask(fd, interest)) return true;
  }
  return false;
}

}  // namespace loopcheck
