#include "src/real/epoll_poller.h"

#include <unistd.h>

#include <cerrno>

#include "src/real/errno_error.h"

namespace loopcheck {

std::variant<std::unique_ptr<EpollPoller>, Error> EpollPoller::create() {
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) return error_from_errno(errno, "epoll_create1");
  return std::unique_ptr<EpollPoller>(new EpollPoller(epfd));
}

EpollPoller::~EpollPoller() { ::close(epfd_); }

// A registration on an fd that was closed meanwhile is already gone from epoll; removing it
// again fails harmlessly (EBADF/ENOENT), so those errors are not errors here.
void EpollPoller::set_interest(int fd, std::uint8_t mask) {
  if (fd < 0) return;
  auto at = static_cast<std::size_t>(fd);
  if (at >= interest_.size()) interest_.resize(at + 1, 0);
  std::uint8_t& now = interest_[at];
  if (now == mask) return;  // nothing changes: no epoll_ctl
  epoll_event event{};
  event.data.fd = fd;
  event.events = ((mask & kReadable) ? EPOLLIN : 0u) | ((mask & kWritable) ? EPOLLOUT : 0u);
  if (mask == 0) {
    epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &event);
    now = 0;
    return;
  }
  int op = now == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (epoll_ctl(epfd_, op, fd, &event) != 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
    epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &event);  // the fd was closed and reused
  }
  now = mask;
}

void EpollPoller::attach(CompletionQueue& completions) {
  completions_ = &completions;
  epoll_event event{};
  event.data.fd = completions.notify_fd();
  event.events = EPOLLIN;
  epoll_ctl(epfd_, EPOLL_CTL_ADD, completions.notify_fd(), &event);
}

void EpollPoller::poll(std::optional<Nanos> timeout, std::vector<PollEvent>& out) {
  int timeout_ms = -1;
  if (timeout) timeout_ms = static_cast<int>((*timeout + kMillisecond - 1) / kMillisecond);
  if (completions_) {
    completions_->flush();
    if (completions_->has_queued()) timeout_ms = 0;
  }
  int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (completions_) completions_->take_queued(out);
  for (int i = 0; i < n; ++i) {
    const epoll_event& e = events_[i];
    auto at = static_cast<std::size_t>(e.data.fd);
    std::uint8_t wanted = at < interest_.size() ? interest_[at] : 0;
    if (wanted == 0) continue;
    bool trouble = e.events & (EPOLLERR | EPOLLHUP);
    std::uint8_t mask = 0;
    if ((wanted & kReadable) && ((e.events & EPOLLIN) || trouble)) mask |= kReadable;
    if ((wanted & kWritable) && ((e.events & EPOLLOUT) || trouble)) mask |= kWritable;
    if (mask) out.push_back(PollEvent{e.data.fd, mask, nullptr});
  }
}

}  // namespace loopcheck
