// Benchmark, not a test: echo throughput of loopcheck's real bindings over loopback TCP with
// 64 KiB writes, against a plain epoll echo loop written here (in two ways of writing), alternating five times in one
// process: SelectorStream transports on epoll (bare, and with the monitor and xxHash checksums
// on) and ProactorStream transports on io_uring (bare), each binding also with the other's read
// size, so the two bindings are compared both as asyncio sizes their reads and reading alike.
// Prints each run, the medians and the ratios. Where io_uring is unavailable its columns say so
// and the rest still runs.
// Usage: real_echo_throughput [MiB per run, default 256]
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "src/real/posix_sockets.h"
#include "tools/loopcheck/real_world.h"

namespace {

using loopcheck::IoResult;
using loopcheck::PosixSockets;

// How the plain client writes when its socket is writable. The binding's client is an asyncio
// protocol: it writes until the transport pauses it, so its sends go on until the kernel
// refuses one. The baseline does the same; one send per wakeup is the kinder traffic for
// loopback (about half the kernel time on this machine), measured as a second baseline so the
// ratio is the binding's cost, not the traffic's.
enum class Writes { until_refused, one_per_wakeup };

// The baseline: one thread, level-triggered epoll, a client that writes 64 KiB chunks and
// reads the echo back, a server that echoes through a bounded pending buffer.
double plain_epoll_echo(std::size_t bytes, Writes writes) {
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
        for (bool more = true; more && sent < bytes;) {
          std::size_t want = std::min(chunk.size(), bytes - sent);
          ssize_t w = ::send(c, chunk.data(), want, MSG_NOSIGNAL | MSG_DONTWAIT);
          if (w > 0) sent += static_cast<std::size_t>(w);
          more = writes == Writes::until_refused && w == static_cast<ssize_t>(want);
        }
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
  auto uring_created = loopcheck::cli::RealWorld::create({});
  auto& uring_world = *std::get<std::unique_ptr<loopcheck::cli::RealWorld>>(uring_created);
  std::optional<std::string> no_uring = uring_world.enable_io_uring();
  if (no_uring) std::printf("io_uring column skipped: %s\n", no_uring->c_str());
  // Seven contenders per round, interleaved: the epoll binding alone, the epoll binding with
  // every byte and callback checked (what `loopcheck real echo` runs), the io_uring binding
  // alone, each binding alone with the other's read size (asyncio's selector reads up to
  // 256 KiB, its proactor 64 KiB), and the plain epoll loop writing as the binding's client does
  // and once per wakeup.
  constexpr std::size_t kSmallReads = 64 * 1024, kLargeReads = 256 * 1024;
  std::vector<double> bare, checked, bare_small, uring, uring_large, plain, plain_kind;
  std::map<std::vector<double>*, std::pair<std::size_t, std::size_t>> io_uring_reads;  // reads with data, bytes
  auto echo = [&](loopcheck::cli::RealWorld& in, bool overlapped, bool with_checks, std::size_t read_size,
                  std::vector<double>& into, int run) {
    loopcheck::cli::EchoOptions options{bytes, 0, with_checks};
    options.overlapped = overlapped;
    options.read_size = read_size;
    loopcheck::cli::EchoResult r = loopcheck::cli::run_echo(in, options);
    if (!r.finished || !r.intact) {
      std::fprintf(stderr, "run %d: the %s echo did not finish intact\n", run + 1, overlapped ? "io_uring" : "epoll");
      return false;
    }
    into.push_back(r.seconds);
    io_uring_reads[&into].first += r.reads_with_data;
    io_uring_reads[&into].second += r.bytes_read;
    return true;
  };
  for (int run = 0; run < 5; ++run) {
    if (!echo(world, false, false, 0, bare, run) || !echo(world, false, true, 0, checked, run) ||
        !echo(world, false, false, kSmallReads, bare_small, run)) {
      return 1;
    }
    if (!no_uring && (!echo(uring_world, true, false, 0, uring, run) ||
                      !echo(uring_world, true, false, kLargeReads, uring_large, run))) {
      return 1;
    }
    plain.push_back(plain_epoll_echo(bytes, Writes::until_refused));
    plain_kind.push_back(plain_epoll_echo(bytes, Writes::one_per_wakeup));
    char uring_seconds[64] = "- s, io_uring binding 256 KiB reads -";
    if (!uring.empty()) {
      std::snprintf(uring_seconds, sizeof uring_seconds, "%.3f s, io_uring binding 256 KiB reads %.3f", uring.back(),
                    uring_large.back());
    }
    std::printf("run %d: epoll binding %.3f s, epoll binding+checks %.3f s, epoll binding 64 KiB reads %.3f s, "
                "io_uring binding %s s, plain epoll %.3f s, plain epoll one send per wakeup %.3f s\n",
                run + 1, bare.back(), checked.back(), bare_small.back(), uring_seconds, plain.back(),
                plain_kind.back());
  }
  double m_bare = median(bare), m_checked = median(checked), m_plain = median(plain), m_kind = median(plain_kind);
  std::printf("median of 5, %zu MiB each way, 64 KiB writes: epoll binding %.0f MiB/s, epoll binding+checks %.0f MiB/s, "
              "plain epoll %.0f MiB/s, plain epoll one send per wakeup %.0f MiB/s\n",
              mib, mib / m_bare, mib / m_checked, mib / m_plain, mib / m_kind);
  std::printf("ratio to plain epoll (the same writes): epoll binding %.2f, epoll binding+checks %.2f\n", m_plain / m_bare,
              m_plain / m_checked);
  std::printf("ratio to plain epoll sending once per wakeup: epoll binding %.2f, epoll binding+checks %.2f\n",
              m_kind / m_bare, m_kind / m_checked);
  if (!uring.empty()) {
    double m_uring = median(uring);
    std::printf("io_uring binding %.0f MiB/s; ratio to the epoll binding %.2f, to plain epoll %.2f\n", mib / m_uring,
                m_bare / m_uring, m_plain / m_uring);
    double m_small = median(bare_small), m_large = median(uring_large);
    std::printf("io_uring binding against the epoll binding, reading alike: both 64 KiB reads %.2f "
                "(epoll %.0f MiB/s, io_uring %.0f), both 256 KiB reads %.2f (epoll %.0f, io_uring %.0f)\n",
                m_small / m_uring, mib / m_small, mib / m_uring, m_bare / m_large, mib / m_bare, mib / m_large);
    auto average_read = [&](std::vector<double>& contender) {
      auto [reads, read_bytes] = io_uring_reads[&contender];
      return reads ? static_cast<double>(read_bytes) / static_cast<double>(reads) / 1024 : 0.0;
    };
    std::printf("io_uring reads that brought data averaged %.1f KiB of 64 KiB asked for, %.1f KiB of 256 KiB\n",
                average_read(uring), average_read(uring_large));
  }
  return 0;
}
