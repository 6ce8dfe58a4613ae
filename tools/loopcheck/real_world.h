// The real world for the CLI's experiments: the same loop core and transports as the
// simulation, bound to epoll, the monotonic clock and POSIX sockets.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "model/oracles/oracle.h"
#include "src/core/bugs.h"
#include "src/core/choice.h"
#include "src/core/tracer.h"
#include "src/loop/event_loop.h"
#include "src/real/epoll_poller.h"
#include "src/real/monotonic_clock.h"
#include "src/real/posix_sockets.h"
#if LOOPCHECK_HAS_IO_URING
#include "src/real/uring_proactor.h"
#endif
#include "src/transport/transport_context.h"

namespace loopcheck::cli {

struct RealWorld {
  // Empty when epoll is not available; the message says why.
  static std::variant<std::unique_ptr<RealWorld>, std::string> create(BugSet bugs);

  // Completion mode on io_uring, for the proactor transports; the reason when this machine
  // cannot (a sysctl, a seccomp filter, an old kernel, or LOOPCHECK_IO_URING=off).
  std::optional<std::string> enable_io_uring();

  TransportContext context() { return TransportContext{*loop, sockets, bugs, tracer, completions}; }
  // The overlapped binding's books (all zero without one): buffers the kernel still owns, and
  // how its cancels ended.
  struct PortBooks {
    std::size_t owned_buffers = 0;
    std::size_t cancelled = 0, not_found = 0, already = 0, not_found_after_reap = 0;
    std::size_t discarded_bytes = 0, silent_loss_bytes = 0;
    std::size_t reads_with_data = 0, bytes_read = 0;
  };
  PortBooks port_books() const;
  // Runs loop iterations until done() or the deadline; false on the deadline.
  bool run_until(const std::function<bool()>& done, Nanos limit);

  // How a watched run ended. A real run that meets its time limit proves nothing by that alone:
  // one whose data still moved in its last `stretch` ran out of time (incomplete, like a
  // simulated run the step bound cut off); only one in which nothing moved for that whole
  // stretch stalled, which is a hang.
  // too_short: nothing moved yet, and the limit came before a stretch of quiet could show a
  // hang (incomplete too).
  enum class End { done, out_of_time, too_short, stalled };
  // The run proves nothing either way: it ran out of time, not into a hang.
  static bool ran_out(End end) { return end == End::out_of_time || end == End::too_short; }
  struct Watch {
    std::function<std::size_t()> progress;  // grows while the run gets somewhere (bytes moved)
    Nanos stretch;                          // at least the longest pause the experiment makes
  };
  // run_until, telling out_of_time from stalled by `watch` (sampled every 100 ms).
  End run_watched(const std::function<bool()>& done, Nanos limit, const Watch& watch);

  MonotonicClock clock;
  std::unique_ptr<EpollPoller> poller;
  FirstChoice choices;  // kernel order; nothing to choose in the real world
  NullTracer tracer;
  std::unique_ptr<EventLoop> loop;
  PosixSockets sockets;
  BugSet bugs;
  CompletionApi* completions = nullptr;  // io_uring, once enable_io_uring() succeeded
#if LOOPCHECK_HAS_IO_URING
  std::unique_ptr<UringProactor> uring;
#endif
};

// Exit code for an experiment this machine cannot run (ctest's SKIP_RETURN_CODE).
constexpr int kSkipped = 77;

// Prints an experiment's verdict line and gives its exit code: 0 pass; 3 when the run only ran
// out of time, data still moving and nothing wrong seen (`sound_so_far`); 1 otherwise, a run
// that stalled or went wrong.
int print_verdict(bool pass, RealWorld::End end, bool sound_so_far, Nanos limit);
// The stretch a watched echo waits without progress before calling it a hang: ten seconds, or
// twice the pause period when that is longer (a paused reader legitimately moves nothing).
Nanos quiet_stretch(std::int64_t pause_every_ms);
// How an incomplete run's line says it ran out: "while data still moved" or that nothing had yet.
const char* ran_out_how(RealWorld::End end);
// How a checksum line reads: an unfinished run's stream is not judged, its checksums cover
// different lengths.
const char* checksum_word(bool intact, RealWorld::End end);

struct DrainOptions {
  std::size_t count = 1000;
  std::size_t runs = 1;
  bool io_uring = false;  // the proactor transport on io_uring instead of the selector on epoll
  std::int64_t seconds = 60;  // each run's time bound (see RealWorld::End)
};
int real_dgram_drain(const BugSet& bugs, const DrainOptions& options);

struct EchoOptions {
  std::size_t bytes = 16 * 1024 * 1024;
  std::int64_t pause_every_ms = 5;
  // false: no checksums and no monitor, only the binding (the throughput benchmark's baseline
  // comparison); true: every byte and every callback checked.
  bool checked = true;
  // true: ProactorStream transports on io_uring (the world must have enable_io_uring()'d);
  // false: SelectorStream transports on epoll.
  bool overlapped = false;
  // The most one read asks for, both ends (0: the transport's own, asyncio's: the selector's
  // max_size of 256 KiB, the proactor's buffer_size of 64 KiB).
  std::size_t read_size = 0;
  std::size_t write_size = 64 * 1024;  // the client's write() size
  // Over TLS there is no write_eof(): the client closes (close_notify) once all is echoed.
  bool tls = false;
  // The most the client writes ahead of what has come back (0: no limit, flow control alone).
  std::size_t window = 0;
  std::int64_t seconds = 120;  // the connection's time bound (see RealWorld::End)
};
int real_echo(const BugSet& bugs, const EchoOptions& options);

// One echo connection, start to finish: what the CLI prints and what the benchmark times.
struct EchoResult {
  bool finished = false;
  RealWorld::End end = RealWorld::End::done;  // the transfer's (finished: it and the drain ended)
  bool intact = false;
  std::size_t sent = 0, received = 0;
  std::uint64_t sent_digest = 0, received_digest = 0;
  int pauses = 0;
  int client_lost = 0, server_lost = 0;
  std::optional<Error> client_error, server_error;
  std::optional<Violation> violation;
  // overlapped: what the io_uring binding saw (cancel outcomes, and data after a cancel).
  std::size_t cancelled = 0, not_found = 0, already = 0;
  std::size_t not_found_after_reap = 0;  // of not_found: the CQE was reaped, not yet run
  std::size_t discarded_after_cancel = 0, lost_after_cancel = 0;
  std::size_t reads_with_data = 0, bytes_read = 0;  // this echo's receives that brought data
  double seconds = 0;
  std::string setup_error;  // non-empty: the sockets could not be set up
};
EchoResult run_echo(RealWorld& world, const EchoOptions& options);

struct RaceOptions {
  std::size_t packets = 2000;
  std::size_t size = 16 * 1024;
  std::int64_t pause_every_ms = 1;
  std::size_t runs = 1;
  std::size_t read_size = 0;  // the proactor's buffer_size (0: asyncio's 64 KiB)
  std::int64_t seconds = 120;  // each run's time bound
};
// `real race-echo`: the bpo-33694 experiment on io_uring (exit 77 where io_uring is unavailable).
int real_race_echo(const BugSet& bugs, const RaceOptions& options);

struct LoadOptions {
  std::size_t connections = 1000;
  std::size_t bytes = 1024 * 1024;
  std::size_t reset_percent = 10;
  std::uint64_t seed = 1;
  std::int64_t seconds = 120;  // the whole experiment's time bound
  std::size_t window = 0;  // EchoOptions::window of every client
  // Each client toggles its reading every P ms, P drawn uniformly from [pause_min_ms, pause_max_ms].
  std::int64_t pause_min_ms = 1;
  std::int64_t pause_max_ms = 20;
};

int real_load(const BugSet& bugs, const LoadOptions& options);

// `real differential`: one script of transport calls and peer actions on the SelectorStream
// transport over epoll, recorded as JSON for tests/differential/run.py to compare with CPython's.
int real_differential(const std::string& script_path);

}  // namespace loopcheck::cli
