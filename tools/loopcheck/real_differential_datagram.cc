// `loopcheck real differential` on the datagram transport: one script on loopcheck's
// SelectorDatagram transport over epoll, between two unconnected UDP sockets on loopback, the
// app's and a peer's. The same script on CPython's _SelectorDatagramTransport is
// tests/differential/asyncio_side.py's; run.py compares them.
//
// The script: {"transport": "datagram", "steps": [...]}, each step one of
//   {"do": "sendto", "n": N}  (one datagram of N bytes to the peer)   {"do": "close"}   {"do": "abort"}
//   {"do": "set_limits", "high": H, "low": L}
//   {"do": "hook", "on": CALLBACK, "act": STEP}   STEP runs inside the next CALLBACK
//                                 (datagram_received, error_received, pause_writing, resume_writing)
//   {"do": "peer_send", "n": N}   {"do": "peer_read"}   {"do": "peer_close"}
// close() is asyncio 3.13's, which does not read what the kernel still holds: the run has the
// dgram-drain switch on (its ON side is 3.13).
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "src/real/posix_sockets.h"
#include "src/transport/selector_datagram.h"
#include "tools/loopcheck/differential_parts.h"

namespace loopcheck::cli::differential {
namespace {

// Hands every callback to the record (which runs the script's hooks); a datagram goes in by its
// size and whether the peer sent it.
class DiffDatagramProtocol final : public DatagramProtocol {
 public:
  CallbackRecord record;
  Address peer;

  void connection_made(DatagramTransport&) override { record.note({{"cb", "connection_made"}}); }
  void datagram_received(BytesView data, const Address& from) override {
    record.note({{"cb", "datagram_received"}, {"n", data.size()}, {"from_peer", from == peer}}, "datagram_received");
  }
  void error_received(const Error& error) override {
    record.note({{"cb", "error_received"}, {"exc", kind_of(error)}}, "error_received");
  }
  void connection_lost(std::optional<Error> error) override {
    record.lost = true;
    record.note({{"cb", "connection_lost"}, {"exc", kind_of(error)}});
  }
  void pause_writing() override { record.note({{"cb", "pause_writing"}}, "pause_writing"); }
  void resume_writing() override { record.note({{"cb", "resume_writing"}}, "resume_writing"); }
};

struct DatagramRun {
  explicit DatagramRun(RealWorld& w) : world(w) {}
  RealWorld& world;
  DiffDatagramProtocol protocol;
  std::unique_ptr<SelectorDatagramTransport> transport;
  int peer_fd = -1;
  Address app_address, peer_address;
  std::size_t sent = 0, peer_sent = 0;
  std::size_t peer_datagrams = 0, peer_bytes = 0;
  std::string peer_error;

  std::string act(const json& step) {
    const std::string what = step.value("do", "");
    auto status = [](Status s) { return s ? std::string(errc_name(s->code)) : std::string("ok"); };
    if (what == "sendto") {
      std::size_t n = step.value("n", std::size_t{0});
      Status s = transport->sendto(payload(sent, n), peer_address);
      if (!s) sent += n;
      return status(s);
    }
    if (what == "set_limits") {
      return status(transport->set_write_buffer_limits(step.value("high", std::size_t{0}), step.value("low", std::size_t{0})));
    }
    if (what == "close") {
      transport->close();
    } else if (what == "abort") {
      transport->abort();
    } else if (what == "hook") {
      protocol.record.hooks[step.value("on", "")] = step.value("act", json::object());
    }
    if (what.rfind("peer_", 0) != 0) return "ok";
    if (peer_fd < 0) return "closed";
    if (what == "peer_send") {
      std::size_t n = step.value("n", std::size_t{0});
      IoResult<std::size_t> r = world.sockets.sendto(peer_fd, payload(peer_sent, n), app_address);
      if (!r.ok()) return note(r.error());
      peer_sent += n;
      return "sent " + std::to_string(r.value());
    }
    if (what == "peer_read") {
      for (;;) {
        IoResult<Datagram> got = world.sockets.recvfrom(peer_fd, 65536);
        if (got.would_block()) return "ok";
        if (!got.ok()) return note(got.error());
        ++peer_datagrams;
        peer_bytes += got.value().data.size();
      }
    }
    if (what == "peer_close") {
      ::close(peer_fd);
      peer_fd = -1;
      return "ok";
    }
    return "unknown step";  // check_steps lets none through
  }
  std::string note(const Error& error) {
    std::string name = kind_of(error);
    if (peer_error.empty()) peer_error = name;
    return name;
  }
};

}  // namespace

int run_datagram(RealWorld& world, const json& script) {
  IoResult<int> app = PosixSockets::dgram_socket(false, "127.0.0.1:0");
  IoResult<int> peer = PosixSockets::dgram_socket(false, "127.0.0.1:0");
  if (!app.ok() || !peer.ok()) {
    std::fprintf(stderr, "loopcheck: real differential: UDP sockets on loopback: %s\n",
                 (!app.ok() ? app.error() : peer.error()).describe().c_str());
    return 1;
  }
  DatagramRun run(world);
  run.peer_fd = peer.value();
  run.app_address = world.sockets.sockname(app.value());
  run.peer_address = world.sockets.sockname(peer.value());
  run.protocol.peer = run.peer_address;
  run.protocol.record.act = [&run](const json& step) { return run.act(step); };
  run.transport = std::make_unique<SelectorDatagramTransport>(world.context(), app.value(), run.protocol);
  int code = play(
      world, script, run.protocol.record,
      [&run] {
        return json{{"closing", run.transport->is_closing()},
                    {"buffer", run.transport->get_write_buffer_size()},
                    {"peer_datagrams", run.peer_datagrams},
                    {"peer_bytes", run.peer_bytes},
                    {"peer_error", run.peer_error}};
      },
      [&run] { run.transport->abort(); });
  if (run.peer_fd >= 0) ::close(run.peer_fd);
  return code;
}

}  // namespace loopcheck::cli::differential
