// `loopcheck real echo`: a TCP echo client and server on loopback, both on SelectorStream
// transports over epoll (or, for race-echo, ProactorStream transports over io_uring). The client writes `bytes` under flow control and pauses and resumes
// reading on a timer; the server echoes, pausing its reading while its own writes back up.
// Each direction is checked byte for byte with an xxHash checksum, and every callback on both
// sides goes through the same monitor the simulation uses (O1, O3, O4, O7 on real callbacks).
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "model/oracles/monitor.h"
#include "src/transport/proactor_stream.h"
#include "src/transport/selector_stream.h"
#include "tools/loopcheck/echo_parts.h"

namespace loopcheck::cli {

EchoResult run_echo(RealWorld& world, const EchoOptions& options) {
  EchoResult result;
  Monitor monitor(OracleSet::all(), world.tracer, nullptr, *world.loop);
  world.loop->set_observer(&monitor);
  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:0");
  if (!listener.ok()) {
    result.setup_error = listener.error().describe();
    return result;
  }
  IoResult<int> client_fd = PosixSockets::tcp_connect(world.sockets.sockname(listener.value()));
  if (!client_fd.ok()) {
    ::close(listener.value());
    result.setup_error = client_fd.error().describe();
    return result;
  }
  EchoServer server;
  EchoClient client(*world.loop, options);
  // A read size of 0 keeps the transport's own; any other cannot be refused.
  auto make_transport = [&](int fd, Protocol& app) -> std::unique_ptr<Transport> {
    if (options.overlapped) {
      auto transport = std::make_unique<ProactorStreamTransport>(world.context(), fd, app);
      if (options.read_size) (void)transport->set_buffer_size(options.read_size);
      return transport;
    }
    auto transport = std::make_unique<SelectorStreamTransport>(world.context(), fd, app);
    if (options.read_size) (void)transport->set_max_size(options.read_size);
    return transport;
  };
  std::unique_ptr<Transport> server_transport;
  if (!options.checked) world.loop->set_observer(nullptr);
  // Checked: the protocol is reached through the monitor's view; unchecked: directly.
  auto attach = [&](Protocol& app, int fd) -> Protocol& {
    return options.checked ? static_cast<Protocol&>(monitor.observe_stream(app, fd, nullptr)) : app;
  };
  auto bind_owner = [&](Protocol& view, const void* transport) {
    if (options.checked) static_cast<ObservedStream&>(view).set_owner(transport);
  };
  Protocol& client_view = attach(client, client_fd.value());
  std::unique_ptr<Transport> client_transport = make_transport(client_fd.value(), client_view);
  bind_owner(client_view, client_transport.get());
  (void)world.loop->add_reader(listener.value(), Tag{nullptr, "accept"}, [&] {
    IoResult<int> fd = PosixSockets::tcp_accept(listener.value());
    if (!fd.ok()) return;  // EAGAIN: the handshake is not done yet
    world.loop->remove_reader(listener.value());
    ::close(listener.value());
    Protocol& server_view = attach(server, fd.value());
    server_transport = make_transport(fd.value(), server_view);
    bind_owner(server_view, server_transport.get());
  });
  const RealWorld::PortBooks before = world.port_books();
  Nanos start = world.clock.now();
  result.end = world.run_watched([&] { return client.lost > 0 && server.lost > 0; }, options.seconds * kSecond,
                                 {[&] { return client.sent.bytes() + client.received.bytes(); },
                                  quiet_stretch(options.pause_every_ms)});
  result.finished = result.end == RealWorld::End::done;
  result.seconds = static_cast<double>(world.clock.now() - start) / kSecond;
  // Overlapped: the kernel still owns the buffers of reads cancelled at close, and their
  // handlers point at the transports; those must outlive every final completion.
  if (result.finished && options.overlapped && world.completions) {
    bool drained = world.run_until([&] { return world.port_books().owned_buffers == 0; }, 5 * kSecond);
    result.finished = result.finished && drained;
  }
  monitor.check_end(result.finished);
  world.loop->set_observer(nullptr);
  result.sent = client.sent.bytes();
  result.received = client.received.bytes();
  result.sent_digest = client.sent.digest();
  result.received_digest = client.received.digest();
  result.intact = result.received == result.sent && result.received_digest == result.sent_digest &&
                  result.sent == options.bytes;  // unchecked: digests are both empty-input hashes
  result.pauses = client.pauses;
  result.client_lost = client.lost;
  result.server_lost = server.lost;
  result.client_error = client.error;
  result.server_error = server.error;
  result.violation = monitor.violation();
  if (options.overlapped && world.completions) {
    const RealWorld::PortBooks books = world.port_books();
    result.cancelled = books.cancelled;
    result.not_found = books.not_found;
    result.already = books.already;
    result.not_found_after_reap = books.not_found_after_reap;
    result.discarded_after_cancel = books.discarded_bytes;
    result.lost_after_cancel = books.silent_loss_bytes;
    result.reads_with_data = books.reads_with_data - before.reads_with_data;
    result.bytes_read = books.bytes_read - before.bytes_read;
  }
  return result;
}

int real_echo(const BugSet& bugs, const EchoOptions& options) {
  auto created = RealWorld::create(bugs);
  if (auto* why = std::get_if<std::string>(&created)) {
    std::fprintf(stderr, "loopcheck: %s\n", why->c_str());
    return 2;
  }
  EchoResult r = run_echo(*std::get<std::unique_ptr<RealWorld>>(created), options);
  if (!r.setup_error.empty()) {
    std::fprintf(stderr, "loopcheck: %s\n", r.setup_error.c_str());
    return 2;
  }
  std::printf("bytes sent %zu, echoed back %zu, checksum %s (xxh3 %016llx / %016llx), %.3f s\n", r.sent,
              r.received, checksum_word(r.intact, r.end), static_cast<unsigned long long>(r.sent_digest),
              static_cast<unsigned long long>(r.received_digest), r.seconds);
  std::printf("client paused reading %d times; connection_lost: client %s, server %s\n", r.pauses,
              r.client_error ? r.client_error->describe().c_str() : "None",
              r.server_error ? r.server_error->describe().c_str() : "None");
  if (r.violation) {
    std::printf("callback grammar: VIOLATION %s: %s\n", std::string(oracle_id(r.violation->oracle)).c_str(),
                r.violation->message.c_str());
  } else {
    std::printf("callback grammar: ok (O1, O3, O4, O7 checked on every real callback)\n");
  }
  bool sound = !r.violation && !r.client_error && !r.server_error && r.client_lost <= 1 && r.server_lost <= 1;
  return print_verdict(r.finished && r.intact && sound && r.client_lost == 1 && r.server_lost == 1, r.end, sound,
                       options.seconds * kSecond);
}

}  // namespace loopcheck::cli
