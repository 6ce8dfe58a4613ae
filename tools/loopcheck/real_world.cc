#include "tools/loopcheck/real_world.h"

#include <algorithm>
#include <cstdio>

#include "tools/loopcheck/commands.h"

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

std::optional<std::string> RealWorld::enable_io_uring() {
#if LOOPCHECK_HAS_IO_URING
  auto created = UringProactor::create();
  if (auto* why = std::get_if<std::string>(&created)) return *why;
  uring = std::move(std::get<std::unique_ptr<UringProactor>>(created));
  poller->attach(*uring);
  completions = uring.get();
  return std::nullopt;
#else
  return "this build has no io_uring (configured with LOOPCHECK_IO_URING=OFF)";
#endif
}

RealWorld::PortBooks RealWorld::port_books() const {
  PortBooks books;
#if LOOPCHECK_HAS_IO_URING
  if (!uring) return books;
  books.owned_buffers = uring->owned_buffers();
  books.cancelled = uring->cancel_outcomes(Errc::aborted);
  books.not_found = uring->cancel_outcomes(Errc::not_found);
  books.already = uring->cancel_outcomes(Errc::already);
  books.not_found_after_reap = uring->cancels_after_reap();
  books.discarded_bytes = uring->discarded_bytes();
  books.silent_loss_bytes = uring->silent_loss_bytes();
  books.reads_with_data = uring->reads_with_data();
  books.bytes_read = uring->bytes_read();
#endif
  return books;
}

RealWorld::End RealWorld::run_watched(const std::function<bool()>& done, Nanos limit, const Watch& watch) {
  constexpr Nanos kSample = 100 * kMillisecond;
  Nanos deadline = clock.now() + limit;
  std::size_t seen = watch.progress();
  Nanos moved_at = clock.now(), sampled_at = moved_at;
  bool moved = false;
  while (!done()) {
    Nanos now = clock.now();
    if (now - sampled_at >= kSample || now > deadline) {
      sampled_at = now;
      if (std::size_t p = watch.progress(); p != seen) {
        seen = p;
        moved_at = now;
        moved = true;
      }
    }
    if (now > deadline) {
      if (now - moved_at >= watch.stretch) return End::stalled;
      return moved ? End::out_of_time : End::too_short;
    }
    loop->run_once(std::min(deadline - now, kSample));  // never block past the deadline or a sample
  }
  return End::done;
}

int print_verdict(bool pass, RealWorld::End end, bool sound_so_far, Nanos limit) {
  long long seconds = static_cast<long long>(limit / kSecond);
  if (pass) {
    std::printf("verdict: pass\n");
    return 0;
  }
  if (RealWorld::ran_out(end) && sound_so_far) {
    std::printf("verdict: incomplete (the %lld s limit came %s; nothing wrong so far)\n", seconds, ran_out_how(end));
    return kIncomplete;
  }
  if (end == RealWorld::End::stalled) {
    std::printf("verdict: FAIL (timed out: the %lld s limit came with nothing moving)\n", seconds);
  } else {
    std::printf("verdict: FAIL\n");
  }
  return 1;
}

const char* ran_out_how(RealWorld::End end) {
  return end == RealWorld::End::too_short ? "before anything moved, too soon to call it a hang" : "while data still moved";
}

const char* checksum_word(bool intact, RealWorld::End end) {
  if (intact) return "ok";
  return RealWorld::ran_out(end) ? "not judged (unfinished)" : "MISMATCH";
}

Nanos quiet_stretch(std::int64_t pause_every_ms) {
  return std::max<Nanos>(10 * kSecond, 2 * pause_every_ms * kMillisecond);
}

bool RealWorld::run_until(const std::function<bool()>& done, Nanos limit) {
  return run_watched(done, limit, {[] { return std::size_t{0}; }, 0}) == End::done;
}

}  // namespace loopcheck::cli
