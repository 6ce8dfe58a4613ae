#include "line_scenario.h"

#include <memory>
#include <string>

#include "line_server.h"
#include "model/world/peers.h"
#include "model/world/world.h"

namespace line_protocol {
namespace {

using namespace loopcheck;

// The client: sends `lines` numbered lines, `chunk` bytes at a time, then half-closes, and
// reads replies until the server closes. At that point every reply must be there, in order.
// A StreamPeer records what it sent and received, which also feeds loopcheck's own byte
// oracle (O2) on the server's transport.
class LineClient final : public StreamPeer {
 public:
  LineClient(SimWorld& world, int fd, std::size_t lines, std::size_t chunk)
      : StreamPeer(world.kernel(), fd, "line client"), monitor_(world.monitor()), chunk_(chunk) {
    for (std::size_t i = 0; i < lines; ++i) {
      script_ += "line " + std::to_string(i) + "\n";
      expected_ += "OK line " + std::to_string(i) + "\n";
    }
    // Your own obligation: by quiescence, this must have been discharged (else O4).
    obligation_ = monitor_.open_obligation("the line client got a reply to every line");
  }

 protected:
  // Two actions, each a separate event the world may schedule: send a piece, read replies.
  int action_count() const override { return 2; }
  bool can(int action) const override {
    if (action == 0) return !done_sending_ && kernel_.writable(fd_);
    return !saw_eof_ && kernel_.readable(fd_);
  }
  const char* action_name(int action) const override { return action == 0 ? "send" : "read"; }
  void act(int action) override {
    if (action == 0) {
      if (outbox_.empty()) outbox_ = script_.substr(sent_.size(), chunk_);
      flush();
      if (!closed_ && outbox_.empty() && sent_.size() == script_.size()) {
        done_sending_ = true;
        (void)kernel_.shutdown_write(fd_);
      }
      return;
    }
    if (!read_available() || !saw_eof_) return;
    if (received_ == expected_) {
      monitor_.discharge(obligation_);
    } else {
      // A wrong reply is a data violation: the bytes that came back are not the ones owed.
      monitor_.flag(Oracle::O2, "line client: " + first_difference());
    }
    close_socket();
  }
  void fingerprint_stream_peer(StateHasher& h) const override { h.value(done_sending_); }

  // "reply 2 is 'line 1', expected 'OK line 1'": one line, for the trace and the reproducer.
  std::string first_difference() const {
    std::size_t at = 0, line = 1;
    while (at < received_.size() && at < expected_.size()) {
      std::size_t got_end = received_.find('\n', at), want_end = expected_.find('\n', at);
      std::string got = received_.substr(at, got_end - at), want = expected_.substr(at, want_end - at);
      if (got != want) return "reply " + std::to_string(line) + " is '" + got + "', expected '" + want + "'";
      at = want_end + 1;
      ++line;
    }
    return "got " + std::to_string(received_.size()) + " bytes of replies, expected " +
           std::to_string(expected_.size());
  }

 private:
  Monitor& monitor_;
  std::size_t chunk_;
  Bytes script_, expected_;
  bool done_sending_ = false;
  int obligation_ = -1;
};

class LineEcho final : public Scenario {
 public:
  std::string_view name() const override { return "line-echo"; }
  std::string_view family() const override { return "line protocol"; }
  std::string_view summary() const override {
    return "a client sends numbered lines in small pieces; the line server must answer each";
  }
  Params default_params() const override { return {{"lines", 2}, {"chunk", 4}}; }
  Bounds default_bounds() const override { return {400, 1, 1}; }  // steps, preemptions, faults
  void setup(SimWorld& world, const Params& p) const override {
    auto [server_fd, client_fd] = world.kernel().stream_pair(
        SocketKind::tcp, Owner::app, Owner::peer, "127.0.0.1:7000", "127.0.0.1:50000");
    auto& client = world.own(std::make_unique<LineClient>(
        world, client_fd, static_cast<std::size_t>(param(p, "lines", 2)),
        static_cast<std::size_t>(param(p, "chunk", 4))));
    world.add_source(client);  // without this the client never acts, and run() refuses
    auto& server = world.own(std::make_unique<LineServer>(world.bugs()));
    world.stream_transport(server_fd, server, &client);
  }
};

}  // namespace

const Scenario& line_echo_scenario() {
  static const LineEcho scenario;
  return scenario;
}

CatalogEntry line_split_switch() {
  return CatalogEntry{Bug::kCount, "line-split", "line server",
                      "examples/line_protocol: a server that assumed one line per chunk",
                      "data_received takes each chunk for a whole line, so a line sent in pieces "
                      "gets one reply per piece",
                      "line-echo", {Oracle::O2}, 0};
}

}  // namespace line_protocol
