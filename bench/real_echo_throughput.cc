// Benchmark, not a test: echo throughput of loopcheck's real binding (SelectorStream transports
// on epoll, with the monitor and xxHash checksums on) against a plain epoll echo loop written
// here, over loopback TCP with 64 KiB writes, alternating five times in one process. Prints
// each run, the medians and the ratio (loopcheck throughput / plain throughput).
// Usage: real_echo_throughput [MiB per run, default 256]
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "src/real/posix_sockets.h"
#include "tools/loopcheck/real_world.h"

namespace {

using loopcheck::IoResult;
using loopcheck::PosixSockets;

// The baseline: one thread, level-triggered epoll, a client that writes 64 KiB chunks and
// reads the echo back, a server that echoes through a bounded pending buffer.
double plain_epoll_echo(std::size_t bytes) {
  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:0");
  PosixSockets sockets;
  IoResult<int> client = PosixSockets::tcp_connect(sockets.sockname(listener.value()));
  IoResult<int> server = PosixSockets::tcp_accept(listener.value());
  while (!server.ok()) server = PosixSockets::tcp_accept(listener.value());
  ::close(listener.value());
  int c = client.value(), s = server.value();
  int ep = epoll_create1(0);
  auto watch = [ep](int fd, std::uint32_t events, int op) {
    epoll_event e{};
    e.events = events;
    e.data.fd = fd;
    epoll_ctl(ep, op, fd, &e);
  };
  watch(c, EPOLLIN | EPOLLOUT, EPOLL_CTL_ADD);
  watch(s, EPOLLIN, EPOLL_CTL_ADD);
  const std::string chunk(64 * 1024, 'x');
  std::vector<char> buffer(256 * 1024);
  std::string pending;
  std::size_t sent = 0, received = 0;
  bool client_writing = true, server_writing = false;
  auto start = std::chrono::steady_clock::now();
  epoll_event events[16];
  while (received < bytes) {
    int n = epoll_wait(ep, events, 16, -1);
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      std::uint32_t ev = events[i].events;
      if (fd == c && (ev & EPOLLOUT) && sent < bytes) {
        ssize_t w = ::send(c, chunk.data(), std::min(chunk.size(), bytes - sent), MSG_NOSIGNAL);
        if (w > 0) sent += static_cast<std::size_t>(w);
        if (sent == bytes && client_writing) {
          client_writing = false;
          watch(c, EPOLLIN, EPOLL_CTL_MOD);
        }
      }
      if (fd == c && (ev & EPOLLIN)) {
        ssize_t r = ::recv(c, buffer.data(), buffer.size(), 0);
        if (r > 0) received += static_cast<std::size_t>(r);
      }
      if (fd == s && (ev & EPOLLIN) && pending.size() < 4 * 1024 * 1024) {
        ssize_t r = ::recv(s, buffer.data(), buffer.size(), 0);
        if (r > 0) pending.append(buffer.data(), static_cast<std::size_t>(r));
      }
      if (fd == s && (ev & EPOLLOUT) && !pending.empty()) {
        ssize_t w = ::send(s, pending.data(), pending.size(), MSG_NOSIGNAL);
        if (w > 0) pending.erase(0, static_cast<std::size_t>(w));
      }
      bool want_out = !pending.empty();
      if (want_out != server_writing) {
        server_writing = want_out;
        watch(s, EPOLLIN | (want_out ? EPOLLOUT : 0u), EPOLL_CTL_MOD);
      }
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(c);
  ::close(s);
  ::close(ep);
  return seconds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mib = argc > 1 ? static_cast<std::size_t>(std::atol(argv[1])) : 256;
  if (mib == 0) {
    std::fprintf(stderr, "usage: real_echo_throughput [MiB per run, at least 1]\n");
    return 2;
  }
  std::size_t bytes = mib * 1024 * 1024;
  auto created = loopcheck::cli::RealWorld::create({});
  if (auto* why = std::get_if<std::string>(&created)) {
    std::fprintf(stderr, "%s\n", why->c_str());
    return 2;
  }
  auto& world = *std::get<std::unique_ptr<loopcheck::cli::RealWorld>>(created);
  // Three contenders per round, interleaved: the binding alone, the binding with every byte
  // and callback checked (what `loopcheck real echo` runs), and the plain epoll loop.
  std::vector<double> bare, checked, plain;
  for (int run = 0; run < 5; ++run) {
    for (bool with_checks : {false, true}) {
      loopcheck::cli::EchoResult r = loopcheck::cli::run_echo(world, {bytes, 0, with_checks});
      if (!r.finished || !r.intact) {
        std::fprintf(stderr, "run %d: the loopcheck echo did not finish intact\n", run + 1);
        return 1;
      }
      (with_checks ? checked : bare).push_back(r.seconds);
    }
    plain.push_back(plain_epoll_echo(bytes));
    std::printf("run %d: binding %.3f s, binding+checks %.3f s, plain epoll %.3f s\n", run + 1,
                bare.back(), checked.back(), plain.back());
  }
  double m_bare = median(bare), m_checked = median(checked), m_plain = median(plain);
  std::printf("median of 5, %zu MiB each way, 64 KiB writes: binding %.0f MiB/s, binding+checks %.0f MiB/s, "
              "plain epoll %.0f MiB/s\n",
              mib, mib / m_bare, mib / m_checked, mib / m_plain);
  std::printf("ratio to plain epoll: binding %.2f, binding+checks %.2f\n", m_plain / m_bare, m_plain / m_checked);
  return 0;
}
