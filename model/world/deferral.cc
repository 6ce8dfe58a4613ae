#include "model/world/deferral.h"

#include <algorithm>

namespace loopcheck {

bool Deferral::Region::has(int fd) const { return std::find(fds.begin(), fds.end(), fd) != fds.end(); }

void Deferral::Region::add(int fd) {
  if (fd >= 0 && !has(fd)) fds.push_back(fd);
}

void Deferral::Region::add(const Reach& reach) {
  if (!reach.known) {
    everything = true;
    return;
  }
  add(reach.fd_a);
  add(reach.fd_b);
  completion_queue = completion_queue || reach.completion_queue;
}

void Deferral::watch(FakeKernel& kernel) {
  touched_.clear();
  kernel.log_touches(&touched_);
}

Deferral::Region Deferral::grow(const FakeKernel& kernel, const FakeCompletionPort& port,
                                const std::vector<EventSource*>& sources, const std::vector<Reach>& waiting) {
  Region region;
  for (const Reach& reach : waiting) region.add(reach);
  std::vector<int> targets;
  for (std::size_t i = 0; i < region.fds.size() && !region.everything; ++i) {  // fds grows as it goes
    int fd = region.fds[i];
    targets.clear();
    kernel.link_targets(fd, targets);
    for (int target : targets) region.add(target);
    if (port.pending_on(fd)) region.completion_queue = true;
    for (const EventSource* source : sources) {
      if (source->home_fd() == fd) region.add(source->standing_reach());
    }
  }
  return region;
}

std::optional<int> Deferral::check(FakeKernel& kernel, const FakeCompletionPort& port,
                                   const std::vector<EventSource*>& sources, const std::vector<Reach>& waiting) {
  kernel.log_touches(nullptr);
  if (touched_.empty()) return std::nullopt;
  Region region = grow(kernel, port, sources, waiting);
  for (int resource : touched_) {
    bool hit = region.everything || (resource == FakeKernel::kCompletionQueue ? region.completion_queue
                                                                               : region.has(resource));
    if (hit) return resource;
  }
  return std::nullopt;
}

void Deferral::note_conflict(int resource, bool app_event, std::size_t step, std::size_t waiting) {
  if (conflict_) return;
  std::string what = app_event ? "an event of the app's" : "the loop's next callback";
  std::string where = resource == FakeKernel::kCompletionQueue ? "the completion queue" : "fd " + std::to_string(resource);
  conflict_ = "step " + std::to_string(step) + ": " + what + " touched " + where + ", which " +
              std::to_string(waiting) + " deferred event(s) of the environment may reach, and the search had passed over one of them there";
}

}  // namespace loopcheck
