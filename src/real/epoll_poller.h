// The real selector: level-triggered epoll, like asyncio's default selector on Linux. It plugs
// into the same loop core the simulation uses. Errors and hang-ups are reported as readiness
// for whatever the loop watches, so the transport's next recv or send surfaces the error.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "src/core/error.h"
#include "src/core/poller.h"

namespace loopcheck {

class EpollPoller final : public Poller {
 public:
  static std::variant<std::unique_ptr<EpollPoller>, Error> create();
  ~EpollPoller() override;
  EpollPoller(const EpollPoller&) = delete;
  EpollPoller& operator=(const EpollPoller&) = delete;

  // Completion mode: the queue's notify fd joins the epoll set, and every poll drains the queue.
  void attach(CompletionQueue& completions);
  void set_interest(int fd, std::uint8_t mask) override;
  void poll(std::optional<Nanos> timeout, std::vector<PollEvent>& out) override;

 private:
  explicit EpollPoller(int epfd) : epfd_(epfd), events_(256) {}
  int epfd_;
  std::vector<std::uint8_t> interest_;  // by fd: the readiness asked for (0: none, not in epoll)
  std::vector<epoll_event> events_;
  CompletionQueue* completions_ = nullptr;
};

}  // namespace loopcheck
