// `loopcheck real differential --script FILE`: one script of transport calls and peer actions,
// run on loopcheck's SelectorStream transport over epoll and an AF_UNIX socketpair (or, with
// "transport": "datagram", on its SelectorDatagram transport: real_differential_datagram.cc). It
// prints what happened as one JSON object: every protocol callback in order, and after each step
// the call's result and what the transport and the peer then say. tests/differential/run.py
// runs the same script on CPython's own selector transport and compares the two
// (docs/FIDELITY.md).
//
// The stream script (JSON): {"sndbuf": N (optional, the app socket's SO_SNDBUF), "steps": [...]},
// each step one of
//   {"do": "write", "n": N}   {"do": "writelines", "n": N, "parts": K}  (K chunks, then an empty one)
//   {"do": "write_eof"}   {"do": "close"}   {"do": "abort"}
//   {"do": "pause_reading"}   {"do": "resume_reading"}   {"do": "set_limits", "high": H, "low": L}
//   {"do": "keep_open", "value": true|false}      what eof_received answers from now on
//   {"do": "hook", "on": CALLBACK, "act": STEP}   STEP runs inside the next CALLBACK (data_received,
//                                                 eof_received, pause_writing, resume_writing)
//   {"do": "peer_send", "n": N}   {"do": "peer_read"}   {"do": "peer_shutdown"}   {"do": "peer_close"}
//   {"do": "sendfile", "n": N, "native": true|false}  loop.sendfile of an N-byte file, started as a
//                     task (a loop turn later): a file on disk (os.sendfile) or one without a
//                     fileno (the fallback). Its end is the event {"cb": "sendfile_done", "exc",
//                     "tell"}: what it raised ("None") and the file's position after it.
// Between steps the loop runs until it has nothing left to do (AF_UNIX delivers at once, so a
// fixed number of non-blocking iterations settles it).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "src/core/file_object.h"
#include "src/real/posix_file.h"
#include "src/transport/selector_stream.h"
#include "src/transport/sendfile.h"
#include "tools/loopcheck/differential_parts.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli {
namespace {

using namespace differential;

// Hands every callback to the record (which runs the script's hooks).
class DiffProtocol final : public Protocol {
 public:
  CallbackRecord record;
  bool keep_open = false;  // what eof_received answers

  void connection_made(Transport&) override { record.note({{"cb", "connection_made"}}); }
  void data_received(BytesView data) override {
    record.note({{"cb", "data_received"}, {"n", data.size()}}, "data_received");
  }
  bool eof_received() override {
    record.note({{"cb", "eof_received"}}, "eof_received");
    return keep_open;
  }
  void connection_lost(std::optional<Error> error) override {
    record.lost = true;
    record.note({{"cb", "connection_lost"}, {"exc", kind_of(error)}});
  }
  void pause_writing() override { record.note({{"cb", "pause_writing"}}, "pause_writing"); }
  void resume_writing() override { record.note({{"cb", "resume_writing"}}, "resume_writing"); }
};

// The far end of the socketpair: plain non-blocking socket calls, and what they saw.
struct Peer {
  int fd = -1;
  std::size_t received = 0;
  bool eof = false;
  std::string error;  // the first error a read or send met

  std::string send(std::size_t n, std::size_t offset) {
    Bytes data = payload(offset, n);
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) return note(errno);
    return "sent " + std::to_string(sent);
  }
  std::string read_all() {
    char buffer[65536];
    for (;;) {
      ssize_t got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got > 0) {
        received += static_cast<std::size_t>(got);
        continue;
      }
      if (got == 0) {
        eof = true;
        return "ok";
      }
      if (errno == EAGAIN || errno == EWOULDBLOCK) return "ok";
      return note(errno);
    }
  }
  std::string note(int err) {
    std::string name = err == EPIPE ? "BrokenPipeError" : err == ECONNRESET ? "ConnectionResetError" : std::strerror(err);
    if (error.empty()) error = name;
    return name;
  }
};

struct Run {
  explicit Run(RealWorld& w) : world(w) {}
  RealWorld& world;
  DiffProtocol protocol;
  Peer peer;
  std::unique_ptr<SelectorStreamTransport> transport;
  std::size_t app_sent = 0, peer_sent = 0;
  std::vector<std::unique_ptr<FileObject>> files;
  std::vector<std::unique_ptr<Sendfile>> sendfiles;

  // loop.sendfile as asyncio.ensure_future(loop.sendfile(...)): it starts a loop turn later.
  std::string start_sendfile(const json& step) {
    std::size_t n = step.value("n", std::size_t{0});
    Bytes body = payload(app_sent, n);
    app_sent += n;
    if (step.value("native", true)) {
      auto made = PosixFile::temporary(body);
      if (!made.ok()) return "file: " + made.error().describe();
      files.push_back(std::move(made.value()));
    } else {
      files.push_back(std::make_unique<MemoryFile>(body, /*regular=*/false));
    }
    FileObject& file = *files.back();
    sendfiles.push_back(std::make_unique<Sendfile>(
        world.context(), *transport, file, SendfileRequest{}, [this, &file](const SendfileResult& result) {
          protocol.record.note({{"cb", "sendfile_done"}, {"exc", kind_of(result.error)}, {"tell", file.tell()}});
        }));
    Sendfile& operation = *sendfiles.back();
    world.loop->call_soon(Tag{&operation, "sendfile_task"}, [&operation] { operation.start(); });
    return "ok";
  }

  // One app or peer action; the result is "ok" or what the call returned instead.
  std::string act(const json& step) {
    const std::string what = step.value("do", "");
    auto status = [](Status s) { return s ? std::string(errc_name(s->code)) : std::string("ok"); };
    if (what == "write") {
      std::size_t n = step.value("n", std::size_t{0});
      Bytes data = payload(app_sent, n);
      Status s = transport->write(data);
      if (!s) app_sent += n;
      return status(s);
    }
    if (what == "writelines") {
      std::size_t n = step.value("n", std::size_t{0});
      std::size_t parts = std::max<std::size_t>(1, step.value("parts", std::size_t{1}));
      std::vector<Bytes> chunks;
      for (std::size_t at = 0; at < n; at += (n + parts - 1) / parts) {
        chunks.push_back(payload(app_sent + at, std::min((n + parts - 1) / parts, n - at)));
      }
      chunks.emplace_back();
      Status s = transport->writelines(chunks);
      if (!s) app_sent += n;
      return status(s);
    }
    if (what == "sendfile") return start_sendfile(step);
    if (what == "write_eof") return status(transport->write_eof());
    if (what == "set_limits") {
      return status(transport->set_write_buffer_limits(step.value("high", std::size_t{0}), step.value("low", std::size_t{0})));
    }
    if (what == "close") {
      transport->close();
    } else if (what == "abort") {
      transport->abort();
    } else if (what == "pause_reading") {
      transport->pause_reading();
    } else if (what == "resume_reading") {
      transport->resume_reading();
    } else if (what == "keep_open") {
      protocol.keep_open = step.value("value", false);
    } else if (what == "hook") {
      protocol.record.hooks[step.value("on", "")] = step.value("act", json::object());
    }
    if (what.rfind("peer_", 0) != 0) return "ok";
    if (peer.fd < 0) return "closed";  // the peer closed its end earlier in the script
    if (what == "peer_send") {
      std::size_t n = step.value("n", std::size_t{0});
      std::string r = peer.send(n, peer_sent);
      if (r.rfind("sent ", 0) == 0) peer_sent += std::stoul(r.substr(5));
      return r;
    }
    if (what == "peer_read") return peer.read_all();
    if (what == "peer_shutdown") return ::shutdown(peer.fd, SHUT_WR) == 0 ? "ok" : peer.note(errno);
    if (what == "peer_close") {
      ::close(peer.fd);
      peer.fd = -1;
      return "ok";
    }
    return "unknown step";  // check_script lets none through
  }
};

// The stream script's own checks: its steps, and the socket buffer it may ask for.
std::optional<std::string> check_stream_script(const json& script) {
  if (script.contains("sndbuf") && (!script["sndbuf"].is_number_unsigned() || script["sndbuf"].get<std::size_t>() > kMaxStepBytes)) {
    return "sndbuf must be a whole number of bytes up to " + std::to_string(kMaxStepBytes);
  }
  return check_steps(script,
                     {"write", "writelines", "sendfile", "write_eof", "close", "abort", "pause_reading",
                      "resume_reading", "set_limits", "keep_open", "hook", "peer_send", "peer_read",
                      "peer_shutdown", "peer_close"},
                     {"data_received", "eof_received", "pause_writing", "resume_writing"});
}

int run_stream(RealWorld& world, const json& script) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
    std::fprintf(stderr, "loopcheck: real differential: socketpair: %s\n", std::strerror(errno));
    return 1;
  }
  if (script.contains("sndbuf")) {
    int size = static_cast<int>(script["sndbuf"].get<std::size_t>());
    (void)::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  (void)::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  Run run{world};
  run.peer.fd = fds[1];
  run.protocol.record.act = [&run](const json& step) { return run.act(step); };
  run.transport = std::make_unique<SelectorStreamTransport>(world.context(), fds[0], run.protocol);
  int code = play(
      world, script, run.protocol.record,
      [&run] {
        return json{{"closing", run.transport->is_closing()},
                    {"buffer", run.transport->get_write_buffer_size()},
                    {"peer_received", run.peer.received},
                    {"peer_eof", run.peer.eof},
                    {"peer_error", run.peer.error}};
      },
      [&run] { run.transport->abort(); });
  if (run.peer.fd >= 0) ::close(run.peer.fd);
  return code;
}

}  // namespace

int real_differential(const std::string& script_path) {
  std::ifstream in(script_path);
  if (!in) {
    std::fprintf(stderr, "loopcheck: real differential: cannot read '%s'\n", script_path.c_str());
    return 2;
  }
  json script = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (script.is_discarded()) {
    std::fprintf(stderr, "loopcheck: real differential: '%s' is not JSON\n", script_path.c_str());
    return 2;
  }
  std::optional<std::string> problem;
  std::string transport = "stream";
  if (script.is_object() && script.contains("transport")) {
    transport = script["transport"].is_string() ? script["transport"].get<std::string>() : "(not a string)";
  }
  if (!script.is_object() || !script.contains("steps") || !script["steps"].is_array()) {
    problem = "the script must be an object with a \"steps\" array";
  } else if (transport == "stream") {
    problem = check_stream_script(script);
  } else if (transport == "datagram") {
    problem = check_steps(script, {"sendto", "close", "abort", "set_limits", "hook", "peer_send", "peer_read", "peer_close"},
                          {"datagram_received", "error_received", "pause_writing", "resume_writing"});
  } else {
    problem = "\"transport\" is \"stream\" or \"datagram\", got '" + transport + "'";
  }
  if (problem) {
    std::fprintf(stderr, "loopcheck: real differential: %s: %s\n", script_path.c_str(), problem->c_str());
    return 2;
  }
  // The runs compare with asyncio as it is: the datagram close() does not drain (dgram-drain),
  // and the stream's sendfile has gh-150107 and sendfile-close-hang.
  BugSet bugs;
  if (transport == "datagram") bugs.set(Bug::dgram_drain);
  if (transport == "stream") {
    bugs.set(Bug::gh_150107);
    bugs.set(Bug::sendfile_close_hang);
  }
  auto created = RealWorld::create(bugs);
  if (auto* why = std::get_if<std::string>(&created)) {
    std::fprintf(stderr, "loopcheck: real differential: skipped: %s\n", why->c_str());
    return kSkipped;
  }
  RealWorld& world = *std::get<std::unique_ptr<RealWorld>>(created);
  return transport == "datagram" ? run_datagram(world, script) : run_stream(world, script);
}

}  // namespace loopcheck::cli
