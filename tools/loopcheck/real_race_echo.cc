// `loopcheck real race-echo`: the bpo-33694 experiment on io_uring. An echo client and server
// on loopback TCP, both ProactorStream transports; the client sends `packets` writes of `size`
// bytes and pauses and resumes reading on a timer. With the switch, pause_reading() cancels the
// outstanding recv, and when the kernel answers ENOENT (the recv has completed; its CQE is
// waiting) the completion is ignored: its bytes never reach the client. Without it, nothing is
// lost. Each direction is checksummed, and the binding counts what came after a cancel.
#include <cstdio>
#include <memory>

#include "tools/loopcheck/commands.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {

int real_race_echo(const BugSet& bugs, const RaceOptions& options) {
  EchoOptions echo;
  echo.bytes = options.packets * options.size;
  echo.write_size = options.size;
  echo.pause_every_ms = options.pause_every_ms;
  echo.overlapped = true;
  echo.read_size = options.read_size;
  echo.seconds = options.seconds;
  std::size_t lost_total = 0, lossy = 0;
  for (std::size_t run = 0; run < options.runs; ++run) {
    auto created = RealWorld::create(bugs);
    if (auto* why = std::get_if<std::string>(&created)) {
      std::fprintf(stderr, "loopcheck: %s\n", why->c_str());
      return 2;
    }
    RealWorld& world = *std::get<std::unique_ptr<RealWorld>>(created);
    if (std::optional<std::string> why = world.enable_io_uring()) {
      std::printf("skipped: %s\n", why->c_str());
      return kSkipped;
    }
    EchoResult r = run_echo(world, echo);
    if (!r.setup_error.empty()) {
      std::fprintf(stderr, "loopcheck: %s\n", r.setup_error.c_str());
      return 2;
    }
    bool sound = !r.violation && r.client_lost <= 1 && r.server_lost <= 1 && !r.client_error && !r.server_error &&
                 r.lost_after_cancel == 0;
    if (RealWorld::ran_out(r.end) && sound) {
      // Bytes not yet echoed are not lost: this run proves nothing, and the next would not either.
      std::printf("run %zu: sent %zu, echoed back %zu so far; incomplete: the %lld s limit came %s; nothing wrong "
                  "so far\n",
                  run + 1, r.sent, r.received, static_cast<long long>(options.seconds), ran_out_how(r.end));
      return kIncomplete;
    }
    std::size_t lost = r.sent > r.received ? r.sent - r.received : 0;
    lost_total += lost;
    lossy += lost > 0 ? 1 : 0;
    std::printf("run %zu: sent %zu, echoed back %zu, lost %zu bytes; checksum %s; %.3f s\n", run + 1, r.sent,
                r.received, lost, r.intact ? "ok" : "MISMATCH", r.seconds);
    std::printf("  client paused reading %d times; cancels: %zu cancelled, %zu ENOENT (%zu from the kernel, %zu with "
                "the CQE already reaped), %zu EALREADY\n",
                r.pauses, r.cancelled, r.not_found, r.not_found - r.not_found_after_reap, r.not_found_after_reap,
                r.already);
    std::printf("  data completed after a cancel: %zu bytes ignored (lost), %zu bytes discarded on purpose\n",
                r.lost_after_cancel, r.discarded_after_cancel);
    if (r.violation) {
      std::printf("  callback grammar: VIOLATION %s: %s\n", std::string(oracle_id(r.violation->oracle)).c_str(),
                  r.violation->message.c_str());
    }
    bool clean = r.finished && r.intact && sound && r.client_lost == 1 && r.server_lost == 1;
    if (!clean && lost == 0) {
      std::printf("  FAIL: %s\n", r.finished ? "the run was not clean" : "timed out with nothing moving");
      return 1;
    }
  }
  std::printf("%zu run(s): %zu bytes lost (%zu of %zu runs lossy)\n", options.runs, lost_total, lossy, options.runs);
  return lossy == 0 ? 0 : 1;
}

}  // namespace loopcheck::cli
