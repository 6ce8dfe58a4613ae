#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {

std::variant<std::unique_ptr<RealWorld>, std::string> RealWorld::create(BugSet bugs) {
  auto world = std::make_unique<RealWorld>();
  auto poller = EpollPoller::create();
  if (auto* error = std::get_if<Error>(&poller)) return "epoll is not available: " + error->describe();
  world->poller = std::move(std::get<std::unique_ptr<EpollPoller>>(poller));
  world->loop = std::make_unique<EventLoop>(world->clock, *world->poller, world->choices, world->tracer);
  world->bugs = bugs;
  return world;
}

bool RealWorld::run_until(const std::function<bool()>& done, Nanos limit) {
  Nanos deadline = clock.now() + limit;
  while (!done()) {
    if (clock.now() > deadline) return false;
    loop->run_once(deadline - clock.now());  // never block past the deadline
  }
  return true;
}

}  // namespace loopcheck::cli
