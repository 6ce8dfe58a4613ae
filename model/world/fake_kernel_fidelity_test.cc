// Fidelity: the fake kernel against the real one. Seeded random operation sequences run on a
// real AF_UNIX socketpair (and real datagram sockets) and on the FakeKernel, and every
// observable result must match: byte counts and contents, EAGAIN, EOF, EPIPE, ECONNRESET,
// ECONNREFUSED, EBADF. Sizes stay far below the real buffers, so no result depends on buffer
// capacity (which the kernel does not let us set exactly). What cannot match is listed in
// docs/FIDELITY.md. Label `real`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "model/engines/choice_sources.h"
#include "model/world/fake_kernel.h"
#include "model/world/sim_poller.h"
#include "src/real/epoll_poller.h"
#include "src/real/posix_sockets.h"

namespace loopcheck {
namespace {

// One observable outcome, as text: "ok 5", "data abc", "EOF", "EAGAIN", "EPIPE", ...
template <typename T>
std::string outcome(const IoResult<T>& r) {
  if (!r.ok()) return std::string(errc_name(r.error().code));
  if constexpr (std::is_same_v<T, Bytes> || std::is_same_v<T, BytesView>) {
    return r.value().empty() ? "EOF" : "data " + Bytes(r.value());
  }
  else if constexpr (std::is_same_v<T, Datagram>) return "datagram " + r.value().data;
  else return "ok " + std::to_string(r.value());
}
std::string outcome(const Status& s) { return s ? std::string(errc_name(s->code)) : "ok"; }

// recv_into's outcome as recv's: the bytes it wrote into the buffer, or EOF, or the error.
std::string received_into(SocketApi& sockets, int fd, std::size_t max) {
  Bytes buffer(max, '\0');
  IoResult<std::size_t> n = sockets.recv_into(fd, std::span<char>(buffer.data(), buffer.size()));
  if (!n.ok()) return std::string(errc_name(n.error().code));
  return n.value() == 0 ? "EOF" : "data " + buffer.substr(0, n.value());
}

// Lets every in-flight segment land, as it has on a real socketpair by the time send returns.
void settle(FakeKernel& kernel, SimClock& clock) {
  for (int guard = 0; guard < 10000; ++guard) {
    std::vector<PendingEvent> events;
    kernel.collect(clock.now(), events);
    if (events.empty()) return;
    clock.advance_to(events.front().earliest);
    kernel.fire(events.front());
  }
}

struct Fake {
  Fake() : kernel(clock, choices, tracer) {}
  SimClock clock;
  PrefixChoiceSource choices{{}};
  NullTracer tracer;
  FakeKernel kernel;
};

// A connected loopback TCP pair: (client, server).
IoResult<std::pair<int, int>> tcp_pair() {
  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:0");
  if (!listener.ok()) return listener.error();
  PosixSockets sockets;
  IoResult<int> client = PosixSockets::tcp_connect(sockets.sockname(listener.value()));
  if (!client.ok()) return client.error();
  for (int i = 0; i < 1000; ++i) {
    IoResult<int> server = PosixSockets::tcp_accept(listener.value());
    if (server.ok()) {
      ::close(listener.value());
      return std::pair<int, int>{client.value(), server.value()};
    }
    usleep(100);
  }
  return make_error(Errc::timed_out, "accept");
}

// What a poller reports for the two ends of a pair, as text: "A:rw B:r-" ("x" for a closed end).
std::string readiness(Poller& poller, const int fd[2], const bool closed[2]) {
  std::vector<PollEvent> events;
  poller.poll(Nanos{0}, events);
  std::string text;
  for (int side = 0; side < 2; ++side) {
    std::uint8_t mask = 0;
    for (const PollEvent& e : events) {
      if (e.fd == fd[side]) mask |= e.mask;
    }
    text += std::string(side ? " B:" : "A:") +
            (closed[side] ? "x" : std::string(mask & kReadable ? "r" : "-") + (mask & kWritable ? "w" : "-"));
  }
  return text;
}

// The same random sequences on both kinds of stream; TCP needs a moment for loopback segments
// (and the RST answering data sent to a closed socket) to land before the next operation.
void check_stream_fidelity(SocketKind kind, int count) {
  std::mt19937 rng(20261121);
  int sequences = 0, operations = 0;
  std::map<std::string, int> states;  // readiness seen, so a vacuous comparison shows
  for (int seq = 0; seq < count; ++seq) {
    IoResult<std::pair<int, int>> real =
        kind == SocketKind::tcp ? tcp_pair() : PosixSockets::stream_socketpair();
    ASSERT_TRUE(real.ok()) << real.error().describe();
    PosixSockets sockets;
    Fake fake;
    auto [fa, fb] = fake.kernel.stream_pair(kind, Owner::app, Owner::peer, "a", "b");
    int real_fd[2] = {real.value().first, real.value().second};
    int fake_fd[2] = {fa, fb};
    bool closed[2] = {false, false};
    // Readiness too: what epoll reports for each end after each operation, against the sim
    // poller over the fake kernel (level-triggered both, interest in reading and writing).
    auto epoll = EpollPoller::create();
    ASSERT_TRUE(std::holds_alternative<std::unique_ptr<EpollPoller>>(epoll));
    Poller& real_poller = *std::get<std::unique_ptr<EpollPoller>>(epoll);
    SimPoller fake_poller(fake.kernel);
    for (int side = 0; side < 2; ++side) {
      real_poller.set_interest(real_fd[side], kReadable | kWritable);
      fake_poller.set_interest(fake_fd[side], kReadable | kWritable);
    }
    std::string history;
    int length = 1 + static_cast<int>(rng() % 14);
    for (int step = 0; step < length; ++step) {
      int side = static_cast<int>(rng() % 2);
      int op = static_cast<int>(rng() % 10);
      std::string real_result, fake_result, what;
      if (op < 4) {  // send
        Bytes data(1 + rng() % 40, static_cast<char>('a' + rng() % 26));
        what = "send " + std::to_string(data.size());
        real_result = outcome(sockets.send(real_fd[side], data));
        fake_result = outcome(fake.kernel.send(fake_fd[side], data));
      } else if (op < 8) {  // recv, or its two other shapes: into a buffer, and lent
        std::size_t max = 1 + rng() % 60;
        int shape = static_cast<int>(rng() % 3);
        what = std::string(shape == 0 ? "recv " : shape == 1 ? "recv_into " : "recv_view ") + std::to_string(max);
        if (shape == 0) {
          real_result = outcome(sockets.recv(real_fd[side], max));
          fake_result = outcome(fake.kernel.recv(fake_fd[side], max));
        } else if (shape == 1) {
          real_result = received_into(sockets, real_fd[side], max);
          fake_result = received_into(fake.kernel, fake_fd[side], max);
        } else {
          real_result = outcome(sockets.recv_view(real_fd[side], max));
          fake_result = outcome(fake.kernel.recv_view(fake_fd[side], max));
        }
      } else if (op == 8) {
        what = "shutdown(SHUT_WR)";
        real_result = outcome(sockets.shutdown_write(real_fd[side]));
        fake_result = outcome(fake.kernel.shutdown_write(fake_fd[side]));
      } else {
        what = "close";
        if (!closed[side]) {  // a poller forgets an fd before it is closed, as the loop does
          real_poller.set_interest(real_fd[side], 0);
          fake_poller.set_interest(fake_fd[side], 0);
        }
        real_result = outcome(sockets.close(real_fd[side]));
        fake_result = outcome(fake.kernel.close(fake_fd[side]));
        closed[side] = true;
      }
      settle(fake.kernel, fake.clock);
      if (kind == SocketKind::tcp) usleep(2000);
      history += "  " + std::string(side ? "B" : "A") + ": " + what + " -> real " + real_result +
                 ", fake " + fake_result + "\n";
      ++operations;
      ASSERT_EQ(real_result, fake_result) << "sequence " << seq << " diverged:\n" << history;
      std::string real_ready = readiness(real_poller, real_fd, closed);
      std::string fake_ready = readiness(fake_poller, fake_fd, closed);
      history += "     readiness: real " + real_ready + ", fake " + fake_ready + "\n";
      ASSERT_EQ(real_ready, fake_ready) << "sequence " << seq << ": readiness diverged:\n" << history;
      ++states[real_ready];
    }
    for (int side = 0; side < 2; ++side) {
      if (!closed[side]) ::close(real_fd[side]);
    }
    ++sequences;
  }
  std::printf("%d sequences, %d operations: every result and readiness matched\n", sequences, operations);
  for (const auto& [state, n] : states) std::printf("  readiness %s: %d times\n", state.c_str(), n);
  // Both ends seen readable and not, so the comparison was not vacuous.
  EXPECT_GT(states.size(), 4u);
}

TEST(Fidelity, UnixStreamSocketpairMatchesTheRealKernel) { check_stream_fidelity(SocketKind::unix_stream, 300); }

TEST(Fidelity, LoopbackTcpMatchesTheRealKernel) { check_stream_fidelity(SocketKind::tcp, 150); }

int real_unix_dgram_qlen() {
  std::ifstream in("/proc/sys/net/unix/max_dgram_qlen");
  int qlen = 10;
  in >> qlen;
  return qlen;
}

TEST(Fidelity, UnixDatagramQueueAndRefusalMatchTheRealKernel) {
  char dir[] = "/tmp/loopcheck-fidelity-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/server.sock";
  IoResult<int> server = PosixSockets::dgram_socket(true, path);
  IoResult<int> client = PosixSockets::dgram_socket(true, "");
  ASSERT_TRUE(server.ok() && client.ok());
  PosixSockets sockets;
  Fake fake;
  // The real queue holds max_dgram_qlen + 1 datagrams (the kernel refuses only once the queue
  // is longer than the limit); the fake is configured from the same sysctl.
  KernelConfig config;
  config.dgram_queue_packets = static_cast<std::size_t>(real_unix_dgram_qlen()) + 1;
  FakeKernel kernel(fake.clock, fake.choices, fake.tracer, config);
  int fake_server = kernel.dgram_socket(SocketKind::unix_dgram, Owner::app, path);
  int fake_client = kernel.dgram_socket(SocketKind::unix_dgram, Owner::peer, "");
  std::string history;
  for (std::size_t i = 0; i < config.dgram_queue_packets + 3; ++i) {
    std::string real_result = outcome(sockets.sendto(client.value(), "x", path));
    std::string fake_result = outcome(kernel.sendto(fake_client, "x", path));
    history += "  sendto #" + std::to_string(i + 1) + " -> real " + real_result + ", fake " + fake_result + "\n";
    ASSERT_EQ(real_result, fake_result) << history;
  }
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(outcome(sockets.recvfrom(server.value(), 10)).substr(0, 8),
              outcome(kernel.recvfrom(fake_server, 10)).substr(0, 8));
  }
  // Closing the server (its path still exists): what it held is gone, and a sendto is refused.
  ::close(server.value());
  (void)kernel.close(fake_server);
  EXPECT_EQ(outcome(sockets.sendto(client.value(), "x", path)), outcome(kernel.sendto(fake_client, "x", path)));
  ::unlink(path.c_str());
  ::close(client.value());
  ::rmdir(dir);
}

TEST(Fidelity, UdpPortUnreachableIsRefusedOnTheNextRecv) {
  // A connected UDP socket aimed at a port nobody listens on (found by binding and closing).
  IoResult<int> probe = PosixSockets::dgram_socket(false, "127.0.0.1:0");
  ASSERT_TRUE(probe.ok());
  PosixSockets sockets;
  Address dead = sockets.sockname(probe.value());
  ::close(probe.value());
  IoResult<int> client = PosixSockets::dgram_socket(false, "127.0.0.1:0");
  ASSERT_TRUE(client.ok());
  ASSERT_FALSE(PosixSockets::dgram_connect(client.value(), dead));

  Fake fake;
  int fake_client = fake.kernel.dgram_socket(SocketKind::udp, Owner::app, "127.0.0.1:40000");
  ASSERT_FALSE(fake.kernel.connect_dgram(fake_client, dead));

  EXPECT_EQ(outcome(sockets.sendto(client.value(), "ping", "")), outcome(fake.kernel.sendto(fake_client, "ping", "")));
  settle(fake.kernel, fake.clock);
  usleep(20000);  // the real ICMP report arrives asynchronously
  EXPECT_EQ(outcome(sockets.recvfrom(client.value(), 100)), outcome(fake.kernel.recvfrom(fake_client, 100)));
  EXPECT_EQ(outcome(sockets.recvfrom(client.value(), 100)), outcome(fake.kernel.recvfrom(fake_client, 100)));
  ::close(client.value());
}

}  // namespace
}  // namespace loopcheck
