// `loopcheck real echo`: a TCP echo client and server on loopback, both on SelectorStream
// transports over epoll. The client writes `bytes` under flow control and pauses and resumes
// reading on a timer; the server echoes, pausing its reading while its own writes back up.
// Each direction is checked byte for byte with an xxHash checksum, and every callback on both
// sides goes through the same monitor the simulation uses (O1, O3, O4, O7 on real callbacks).
#include <cstdio>
#include <memory>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "model/monitor.h"
#include "src/transport/selector_stream.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {
namespace {

// A repeating pattern with a prime period, so a byte that lands in the wrong place shows.
class Pattern {
 public:
  Pattern() : block_(kChunk + kPeriod, '\0') {
    for (std::size_t i = 0; i < block_.size(); ++i) block_[i] = static_cast<char>(i % kPeriod);
  }
  BytesView at(std::size_t offset, std::size_t n) const { return BytesView(block_).substr(offset % kPeriod, n); }
  static constexpr std::size_t kChunk = 64 * 1024;

 private:
  static constexpr std::size_t kPeriod = 251;
  Bytes block_;
};

class Checksum {
 public:
  Checksum() : state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~Checksum() { XXH3_freeState(state_); }
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  void add(BytesView data) {
    XXH3_64bits_update(state_, data.data(), data.size());
    bytes_ += data.size();
  }
  std::uint64_t digest() const { return XXH3_64bits_digest(state_); }
  std::size_t bytes() const { return bytes_; }

 private:
  XXH3_state_t* state_;
  std::size_t bytes_ = 0;
};

class EchoServer final : public Protocol {
 public:
  void connection_made(Transport& t) override { transport_ = &t; }
  void data_received(BytesView data) override { (void)transport_->write(data); }
  bool eof_received() override { return false; }  // close once everything is echoed
  void connection_lost(std::optional<Error> error) override {
    lost = true;
    this->error = error;
  }
  void pause_writing() override { transport_->pause_reading(); }  // backpressure
  void resume_writing() override { transport_->resume_reading(); }
  bool lost = false;
  std::optional<Error> error;

 private:
  Transport* transport_ = nullptr;
};

class EchoClient final : public Protocol {
 public:
  EchoClient(Loop& loop, const EchoOptions& options) : loop_(loop), options_(options) {}
  void connection_made(Transport& t) override {
    transport_ = &t;
    pump();
    if (options_.pause_every_ms > 0) schedule_toggle();
  }
  void data_received(BytesView data) override { received.add(data); }
  bool eof_received() override { return false; }
  void connection_lost(std::optional<Error> error) override {
    lost = true;
    this->error = error;
    toggle_.cancel();
  }
  void pause_writing() override { writing_paused_ = true; }
  void resume_writing() override {
    writing_paused_ = false;
    pump();
  }
  Checksum sent, received;
  bool lost = false;
  std::optional<Error> error;
  int pauses = 0;

 private:
  void pump() {
    while (!writing_paused_ && sent.bytes() < options_.bytes) {
      BytesView chunk = pattern_.at(sent.bytes(), std::min(Pattern::kChunk, options_.bytes - sent.bytes()));
      if (transport_->write(chunk)) return;  // an error; connection_lost will say which
      sent.add(chunk);
    }
    if (sent.bytes() == options_.bytes && !eof_sent_) {
      eof_sent_ = true;
      (void)transport_->write_eof();
    }
  }
  void schedule_toggle() {
    toggle_ = loop_.call_later(options_.pause_every_ms * kMillisecond, Tag{this, "toggle_reading"}, [this] {
      if (transport_->is_reading()) {
        transport_->pause_reading();
        ++pauses;
      } else {
        transport_->resume_reading();
      }
      schedule_toggle();
    });
  }
  Loop& loop_;
  EchoOptions options_;
  Transport* transport_ = nullptr;
  Pattern pattern_;
  bool writing_paused_ = false;
  bool eof_sent_ = false;
  TimerHandle toggle_;
};

}  // namespace

int real_echo(const BugSet& bugs, const EchoOptions& options) {
  auto created = RealWorld::create(bugs);
  if (auto* why = std::get_if<std::string>(&created)) {
    std::fprintf(stderr, "loopcheck: %s\n", why->c_str());
    return 2;
  }
  RealWorld& world = *std::get<std::unique_ptr<RealWorld>>(created);
  Monitor monitor(OracleSet::all(), world.tracer, nullptr, *world.loop);
  world.loop->set_observer(&monitor);

  IoResult<int> listener = PosixSockets::tcp_listen("127.0.0.1:0");
  if (!listener.ok()) {
    std::fprintf(stderr, "loopcheck: %s\n", listener.error().describe().c_str());
    return 2;
  }
  IoResult<int> client_fd = PosixSockets::tcp_connect(world.sockets.sockname(listener.value()));
  if (!client_fd.ok()) {
    std::fprintf(stderr, "loopcheck: %s\n", client_fd.error().describe().c_str());
    return 2;
  }
  EchoServer server;
  EchoClient client(*world.loop, options);
  std::unique_ptr<SelectorStreamTransport> server_transport;
  ObservedStream& client_view = monitor.observe_stream(client, client_fd.value(), nullptr);
  SelectorStreamTransport client_transport(world.context(), client_fd.value(), client_view);
  client_view.set_owner(&client_transport);
  (void)world.loop->add_reader(listener.value(), Tag{nullptr, "accept"}, [&] {
    IoResult<int> fd = PosixSockets::tcp_accept(listener.value());
    if (!fd.ok()) return;  // EAGAIN: the handshake is not done yet
    world.loop->remove_reader(listener.value());
    ::close(listener.value());
    ObservedStream& server_view = monitor.observe_stream(server, fd.value(), nullptr);
    server_transport = std::make_unique<SelectorStreamTransport>(world.context(), fd.value(), server_view);
    server_view.set_owner(server_transport.get());
  });
  bool finished = world.run_until([&] { return client.lost && server.lost; }, 120 * kSecond);
  monitor.check_end(finished);

  bool intact = client.received.bytes() == client.sent.bytes() &&
                client.received.digest() == client.sent.digest() && client.sent.bytes() == options.bytes;
  std::printf("bytes sent %zu, echoed back %zu, checksum %s (xxh3 %016llx / %016llx)\n",
              client.sent.bytes(), client.received.bytes(), intact ? "ok" : "MISMATCH",
              static_cast<unsigned long long>(client.sent.digest()),
              static_cast<unsigned long long>(client.received.digest()));
  std::printf("client paused reading %d times; connection_lost: client %s, server %s\n", client.pauses,
              client.error ? client.error->describe().c_str() : "None",
              server.error ? server.error->describe().c_str() : "None");
  if (monitor.violated()) {
    std::printf("callback grammar: VIOLATION %s: %s\n",
                std::string(oracle_id(monitor.violation()->oracle)).c_str(),
                monitor.violation()->message.c_str());
  } else {
    std::printf("callback grammar: ok (O1, O3, O4, O7 checked on every real callback)\n");
  }
  bool ok = finished && intact && !monitor.violated() && !client.error && !server.error;
  std::printf("verdict: %s\n", ok ? "pass" : (finished ? "FAIL" : "FAIL (timed out)"));
  return ok ? 0 : 1;
}

}  // namespace loopcheck::cli
