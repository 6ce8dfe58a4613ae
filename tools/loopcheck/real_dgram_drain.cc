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
  std::string problem;
};

Outcome one_run(RealWorld& world, std::size_t count, bool overlapped) {
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
    if (!world.run_until([&] { return counter.lost; }, 10 * kSecond)) out.problem = "timed out";
    // Overlapped: every operation's final completion runs before the transport goes away.
    if (world.completions &&
        !world.run_until([&] { return world.port_books().owned_buffers == 0; }, 5 * kSecond)) {
      out.problem = "operations still outstanding after connection_lost";
    }
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
    Outcome out = one_run(world, options.count, options.io_uring);
    if (!out.problem.empty()) {
      std::fprintf(stderr, "loopcheck: run %zu: %s\n", run + 1, out.problem.c_str());
      return 2;
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
