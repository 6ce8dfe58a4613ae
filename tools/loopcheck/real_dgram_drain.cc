// `loopcheck real dgram-drain`: the datagram write-up's experiment on a real AF_UNIX datagram
// socket. A sender fills the server's socket as fast as the kernel takes datagrams, in the same
// loop; when it has sent them all, the server's transport is closed. tx counts what the kernel
// accepted, rx what datagram_received saw. With the switch, what the kernel still held at
// close() is lost; without it, close() drains, so rx == tx.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "src/transport/proactor_datagram.h"
#include "src/transport/selector_datagram.h"
#include "tools/loopcheck/commands.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {
namespace {

struct Counter final : DatagramProtocol {
  void connection_made(DatagramTransport&) override {}
  void datagram_received(BytesView, const Address&) override { ++received; }
  void error_received(const Error& e) override { errors.push_back(e.describe()); }
  void connection_lost(std::optional<Error>) override { lost = true; }
  std::size_t received = 0;
  std::vector<std::string> errors;
  bool lost = false;
};

struct Outcome {
  std::size_t tx = 0, rx = 0;
  std::string problem;  // the sockets could not be set up (exit 2)
  RealWorld::End end = RealWorld::End::done;
  bool outstanding = false;  // operations the kernel still had after connection_lost (a failure)
};

Outcome one_run(RealWorld& world, std::size_t count, bool overlapped, std::int64_t seconds) {
  Outcome out;
  char dir[] = "/tmp/loopcheck-drain-XXXXXX";
  if (!mkdtemp(dir)) {
    out.problem = "cannot make a temporary directory";
    return out;
  }
  std::string path = std::string(dir) + "/server.sock";
  IoResult<int> server = PosixSockets::dgram_socket(true, path);
  IoResult<int> sender = PosixSockets::dgram_socket(true, "");
  if (!server.ok() || !sender.ok() || PosixSockets::dgram_connect(sender.value(), path)) {
    out.problem = "cannot set up AF_UNIX datagram sockets";
    return out;
  }
  Counter counter;
  {
    std::unique_ptr<DatagramTransport> server_transport;
    if (overlapped) {
      server_transport = std::make_unique<ProactorDatagramTransport>(world.context(), server.value(), counter);
    } else {
      server_transport = std::make_unique<SelectorDatagramTransport>(world.context(), server.value(), counter);
    }
    DatagramTransport& transport = *server_transport;
    const Bytes payload(64, 'd');
    (void)world.loop->add_writer(sender.value(), Tag{nullptr, "sender"}, [&] {
      while (out.tx < count) {
        IoResult<std::size_t> sent = world.sockets.send(sender.value(), payload);
        if (sent.would_block()) return;
        if (!sent.ok()) {
          out.problem = "sender: " + sent.error().describe();
          break;
        }
        ++out.tx;
      }
      world.loop->remove_writer(sender.value());
      transport.close();  // the sender is done: shut the server down, as the write-up does
    });
    out.end = world.run_watched([&] { return counter.lost; }, seconds * kSecond,
                                {[&] { return out.tx + counter.received; }, quiet_stretch(0)});
    if (out.end != RealWorld::End::done) {
      // Out of time or stalled: end it, so that nothing the kernel holds outlives the transport
      // (and the sender, whose callback names it, goes quiet first).
      world.loop->remove_writer(sender.value());
      transport.abort();
      (void)world.run_until([&] { return counter.lost; }, 5 * kSecond);
    }
    // Overlapped: every operation's final completion runs before the transport goes away.
    out.outstanding = world.completions &&
                      !world.run_until([&] { return world.port_books().owned_buffers == 0; }, 5 * kSecond);
  }
  out.rx = counter.received;
  ::close(sender.value());
  ::unlink(path.c_str());
  ::rmdir(dir);
  return out;
}

}  // namespace

int real_dgram_drain(const BugSet& bugs, const DrainOptions& options) {
  auto created = RealWorld::create(bugs);
  if (auto* why = std::get_if<std::string>(&created)) {
    std::fprintf(stderr, "loopcheck: %s\n", why->c_str());
    return 2;
  }
  RealWorld& world = *std::get<std::unique_ptr<RealWorld>>(created);
  if (options.io_uring) {
    if (!bugs.none()) {
      std::fprintf(stderr, "loopcheck: the dgram-drain switch lives in the selector transport; drop --io-uring\n");
      return 2;
    }
    if (std::optional<std::string> why = world.enable_io_uring()) {
      std::printf("skipped: %s\n", why->c_str());
      return kSkipped;
    }
  }
  std::size_t lossy = 0, lost_total = 0;
  for (std::size_t run = 0; run < options.runs; ++run) {
    Outcome out = one_run(world, options.count, options.io_uring, options.seconds);
    if (!out.problem.empty()) {
      std::fprintf(stderr, "loopcheck: run %zu: %s\n", run + 1, out.problem.c_str());
      return 2;
    }
    if (out.outstanding) {
      std::printf("run %zu: FAIL: operations still outstanding 5 s after connection_lost\n", run + 1);
      return 1;
    }
    if (RealWorld::ran_out(out.end)) {
      // Datagrams not yet read when the limit came say nothing about close().
      std::printf("run %zu: tx %zu, rx %zu so far; incomplete: the %lld s limit came %s\n", run + 1, out.tx, out.rx,
                  static_cast<long long>(options.seconds), ran_out_how(out.end));
      return kIncomplete;
    }
    if (out.end == RealWorld::End::stalled) {
      std::printf("run %zu: tx %zu, rx %zu; FAIL (timed out: the %lld s limit came with nothing moving and no "
                  "connection_lost)\n",
                  run + 1, out.tx, out.rx, static_cast<long long>(options.seconds));
      return 1;
    }
    std::printf("tx %zu\nrx %zu\n", out.tx, out.rx);
    if (out.rx != out.tx) {
      ++lossy;
      lost_total += out.tx - out.rx;
    }
  }
  std::printf("%zu run(s): %zu lost datagrams (%zu of %zu runs lossy)\n", options.runs, lost_total,
              lossy, options.runs);
  return lossy == 0 ? 0 : 1;
}

}  // namespace loopcheck::cli
