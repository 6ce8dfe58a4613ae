// Selector stream scenarios: clean workloads and the exposures of bpo-27223 and gh-156512.
#include <algorithm>
#include <memory>
#include <vector>

#include "model/world/peers.h"
#include "model/apps/app_stream.h"
#include "model/apps/pausing_reader.h"
#include "model/scenarios/scenarios.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

// ---- stream-echo -------------------------------------------------------------------------
// Writes `bytes` in chunks under flow control, then write_eof(); the echo peer answers and
// closes; the client must get every byte back before EOF.
class EchoClient final : public AppStream {
 public:
  EchoClient(SimWorld& world, const Params& p)
      : AppStream(world),
        total_(static_cast<std::size_t>(param(p, "bytes", 0))),
        chunk_(static_cast<std::size_t>(param(p, "chunk", 1))),
        high_(static_cast<std::size_t>(param(p, "high", 0))),
        obligation_(world.monitor().open_obligation("the echo client gets all its bytes back")) {}

  bool eof_received() override {
    if (received_ == total_) world_.monitor().discharge(obligation_);
    return false;
  }
  void pause_writing() override { paused_ = true; }
  void resume_writing() override {
    paused_ = false;
    pump();
  }

 private:
  void on_made() override {
    (void)transport_->set_write_buffer_limits(high_, high_ / 4);
    pump();
  }
  void pump() {
    while (!paused_ && written_ < total_) {
      std::size_t n = std::min(chunk_, total_ - written_);
      (void)transport_->write(SenderPeer::payload(written_, n));
      written_ += n;
    }
    if (written_ == total_ && !eof_sent_) {
      eof_sent_ = true;
      (void)transport_->write_eof();
    }
  }

  void fingerprint_app(StateHasher& h) const override {
    h.value(written_);
    h.value(paused_);
    h.value(eof_sent_);
  }
  std::size_t total_, chunk_, high_;
  int obligation_;
  std::size_t written_ = 0;
  bool paused_ = false;
  bool eof_sent_ = false;
};

class StreamEcho final : public Scenario {
 public:
  std::string_view name() const override { return "stream-echo"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "client writes under flow control, half-closes, and must get every byte echoed back";
  }
  Params default_params() const override { return {{"bytes", 300}, {"chunk", 100}, {"high", 128}}; }
  Bounds default_bounds() const override { return {400, 2, 1}; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;
    config.stream_send_capacity = 128;
    config.stream_recv_capacity = 128;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = world.own(std::make_unique<EchoPeer>(world.kernel(), peer_fd, "echo peer"));
    world.add_source(peer);
    auto& app = world.own(std::make_unique<EchoClient>(world, p));
    world.stream_transport(app_fd, app, &peer);
  }
};

// ---- stream-two-clients ------------------------------------------------------------------
// Two echo clients on one loop, each on its own connection: the deliveries on one connection
// are independent of the other's, which is what partial-order reduction exploits.
class StreamTwoClients final : public Scenario {
 public:
  std::string_view name() const override { return "stream-two-clients"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "two echo clients on one loop, on independent connections";
  }
  Params default_params() const override { return {{"bytes", 40}, {"chunk", 40}, {"high", 128}}; }
  Bounds default_bounds() const override { return {400, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    for (int client = 0; client < 2; ++client) {
      std::string port = std::to_string(40000 + client);
      auto [app_fd, peer_fd] = world.kernel().stream_pair(SocketKind::tcp, Owner::app, Owner::peer,
                                                          "127.0.0.1:" + port, "127.0.0.1:8080");
      auto& peer = world.own(std::make_unique<EchoPeer>(world.kernel(), peer_fd, "echo peer " + port));
      world.add_source(peer);
      auto& app = world.own(std::make_unique<EchoClient>(world, p));
      world.stream_transport(app_fd, app, &peer);
    }
  }
};

// ---- stream-half-close -------------------------------------------------------------------
// The peer sends and half-closes; the app pauses reading after every chunk and resumes on a
// timer, keeps the connection half-open on EOF, replies, and closes (model/apps/pausing_reader).

class StreamHalfClose final : public Scenario {
 public:
  std::string_view name() const override { return "stream-half-close"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "peer sends then half-closes; app pauses/resumes reading on a timer, replies on EOF";
  }
  Params default_params() const override {
    return {{"bytes", 120}, {"chunk", 40}, {"pause_us", 200}, {"pause_min_us", 0}};
  }
  Bounds default_bounds() const override { return {400, 3, 2}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_sender_peer(world, peer_fd, p, "sender peer", SenderPeer::Ending::fin);
    auto& app = world.own(std::make_unique<PausingReader>(world, p, PausingReader::CloseAfterEof::at_once));
    world.stream_transport(app_fd, app, &peer);
  }
};

// ---- stream-reset ------------------------------------------------------------------------
// The peer sends, then resets the connection. The app must see the bytes in order and then
// connection_lost with the error.
class ResetVictim final : public AppStream {
 public:
  explicit ResetVictim(SimWorld& world)
      : AppStream(world),
        obligation_(world.monitor().open_obligation("connection_lost arrives after the peer's RST")) {}
  void connection_lost(std::optional<Error> error) override {
    if (error) world_.monitor().discharge(obligation_);
  }

 private:
  void on_made() override { (void)transport_->write("hello"); }
  void fingerprint_app(StateHasher&) const override {}
  int obligation_;
};

class StreamReset final : public Scenario {
 public:
  std::string_view name() const override { return "stream-reset"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "peer sends then resets; the error must reach connection_lost";
  }
  Params default_params() const override { return {{"bytes", 90}, {"chunk", 30}}; }
  Bounds default_bounds() const override { return {400, 3, 1}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_sender_peer(world, peer_fd, p, "resetting peer", SenderPeer::Ending::rst);
    auto& app = world.own(std::make_unique<ResetVictim>(world));
    world.stream_transport(app_fd, app, &peer);
  }
};

// The writers' world (stream-resume-close, stream-writelines): a send buffer the app's writes
// overrun, and a sink peer that reads everything.
KernelConfig small_send_buffer() {
  KernelConfig config;
  config.stream_send_capacity = 64;
  config.stream_recv_capacity = 128;
  return config;
}

void with_sink_peer(SimWorld& world, Protocol& app) {
  auto [app_fd, peer_fd] = app_peer_pair(world);
  auto& peer = world.own(std::make_unique<SinkPeer>(world.kernel(), peer_fd, "sink peer"));
  world.add_source(peer);
  world.stream_transport(app_fd, app, &peer);
}

// ---- stream-resume-close (gh-156512) -----------------------------------------------------
// The app writes, then closes as soon as the write buffer has drained: from inside
// resume_writing() when the write went past the high mark, at once when it did not.
class CloseOnResume final : public AppStream {
 public:
  CloseOnResume(SimWorld& world, const Params& p)
      : AppStream(world),
        bytes_(static_cast<std::size_t>(param(p, "bytes", 0))),
        high_(static_cast<std::size_t>(param(p, "high", 0))) {}
  void resume_writing() override { transport_->close(); }

 private:
  void on_made() override {
    (void)transport_->set_write_buffer_limits(high_, high_ / 4);
    (void)transport_->write(SenderPeer::payload(0, bytes_));
    if (transport_->get_write_buffer_size() <= high_) transport_->close();
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t bytes_, high_;
};

class StreamResumeClose final : public Scenario {
 public:
  std::string_view name() const override { return "stream-resume-close"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "app writes past the high mark and calls close() inside resume_writing()";
  }
  Params default_params() const override { return {{"bytes", 128}, {"high", 32}}; }
  Bounds default_bounds() const override { return {300, 3, 2}; }
  KernelConfig kernel_config(const Params&) const override { return small_send_buffer(); }
  void setup(SimWorld& world, const Params& p) const override {
    with_sink_peer(world, world.own(std::make_unique<CloseOnResume>(world, p)));
  }
};

// ---- stream-writelines (gh-155888, gh-103462) ---------------------------------------------
// The app hands `bytes` to writelines() in chunks of `chunk`, then an empty chunk (a line
// with nothing to say), and closes at once. More than the kernel takes at once, so the
// rest leaves through the writer; close() completes once the last chunk is out.
class WritelinesThenClose final : public AppStream {
 public:
  WritelinesThenClose(SimWorld& world, const Params& p)
      : AppStream(world),
        bytes_(static_cast<std::size_t>(param(p, "bytes", 0))),
        chunk_(static_cast<std::size_t>(param(p, "chunk", 1))) {}

 private:
  void on_made() override {
    std::vector<Bytes> chunks;
    for (std::size_t at = 0; at < bytes_; at += chunk_) {
      chunks.push_back(SenderPeer::payload(at, std::min(chunk_, bytes_ - at)));
    }
    chunks.emplace_back();  // the empty chunk, last
    (void)transport_->writelines(chunks);
    transport_->close();
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t bytes_, chunk_;
};

class StreamWritelines final : public Scenario {
 public:
  std::string_view name() const override { return "stream-writelines"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "app writes chunks (one empty) with writelines() and closes; a sink peer reads them all";
  }
  Params default_params() const override { return {{"bytes", 96}, {"chunk", 32}}; }
  Bounds default_bounds() const override { return {300, 2, 1}; }
  KernelConfig kernel_config(const Params&) const override { return small_send_buffer(); }
  void setup(SimWorld& world, const Params& p) const override {
    with_sink_peer(world, world.own(std::make_unique<WritelinesThenClose>(world, p)));
  }
};

// ---- stream-sendfile (gh-150107) ---------------------------------------------------------
// A server sending a response with loop.sendfile: a header written first (`request` bytes),
// a file on disk (os.sendfile sends it once the header has left), then a cached body twice
// (`bytes` in memory: no fileno, so the fallback reads and writes it), then close(). A sink
// peer reads it all. The cached body's second sendfile starts where the first left its
// position: at its end.
class ServesFiles final : public AppStream {
 public:
  ServesFiles(SimWorld& world, const Params& p)
      : AppStream(world),
        header_(static_cast<std::size_t>(param(p, "request", 0))),
        bytes_(static_cast<std::size_t>(param(p, "bytes", 1))),
        disk_(SenderPeer::payload(header_, bytes_), /*regular=*/true),
        cached_(SenderPeer::payload(header_ + bytes_, bytes_), /*regular=*/false) {}

 private:
  void on_made() override {
    if (header_ > 0) (void)transport_->write(SenderPeer::payload(0, header_));
    next();
  }
  // One sendfile after another; an error ends the response.
  void next() {
    ++stage_;
    if (stage_ > 3) {
      transport_->close();
      return;
    }
    FileObject& file = stage_ == 1 ? static_cast<FileObject&>(disk_) : cached_;
    world_.sendfile(*transport_, file, SendfileRequest{}, [this](const SendfileResult& result) {
      if (result.error) {
        transport_->close();
        return;
      }
      next();
    });
  }
  void fingerprint_app(StateHasher& h) const override {
    h.value(stage_);
    disk_.fingerprint(h);
    cached_.fingerprint(h);
  }
  std::size_t header_, bytes_;
  MemoryFile disk_, cached_;
  int stage_ = 0;
};

class StreamSendfile final : public Scenario {
 public:
  std::string_view name() const override { return "stream-sendfile"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "app writes a header, sends a file natively and a cached body twice by the fallback, closes";
  }
  Params default_params() const override { return {{"request", 16}, {"bytes", 48}}; }
  Bounds default_bounds() const override { return {300, 2, 1}; }
  KernelConfig kernel_config(const Params&) const override { return small_send_buffer(); }
  void setup(SimWorld& world, const Params& p) const override {
    with_sink_peer(world, world.own(std::make_unique<ServesFiles>(world, p)));
  }
};

// ---- stream-sendfile-abort (sendfile-close-hang) ------------------------------------------
// A server sends a file on disk after a header (`request` bytes) to a sink peer, and gives up
// when its deadline (`abort_us`) passes first: abort() while the sendfile waits for the header
// to leave, while os.sendfile has the socket, or never, when the sendfile returned in time.
class AbortsSendfile final : public AppStream {
 public:
  AbortsSendfile(SimWorld& world, const Params& p)
      : AppStream(world),
        header_(static_cast<std::size_t>(param(p, "request", 0))),
        file_(SenderPeer::payload(header_, static_cast<std::size_t>(param(p, "bytes", 1))), /*regular=*/true),
        deadline_(timing_param(p, "abort")),
        timer_(world.app_timer("the app's deadline")) {}
  void connection_lost(std::optional<Error>) override { timer_.cancel(); }

 private:
  void on_made() override {
    if (header_ > 0) (void)transport_->write(SenderPeer::payload(0, header_));
    timer_.arm(deadline_, tag("app.deadline"), [this] { transport_->abort(); });
    world_.sendfile(*transport_, file_, SendfileRequest{}, [this](const SendfileResult& result) {
      returned_ = true;
      if (result.error) return;
      timer_.cancel();
      transport_->close();
    });
  }
  void fingerprint_app(StateHasher& h) const override {
    h.value(returned_);
    file_.fingerprint(h);
  }
  std::size_t header_;
  MemoryFile file_;
  TimeWindow deadline_;
  AppTimer& timer_;
  bool returned_ = false;
};

class StreamSendfileAbort final : public Scenario {
 public:
  std::string_view name() const override { return "stream-sendfile-abort"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "app sends a file natively after a header and aborts when its deadline passes first";
  }
  Params default_params() const override {
    return {{"request", 96}, {"bytes", 96}, {"abort_us", 60}, {"abort_min_us", 1}};
  }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  KernelConfig kernel_config(const Params&) const override { return small_send_buffer(); }
  void setup(SimWorld& world, const Params& p) const override {
    with_sink_peer(world, world.own(std::make_unique<AbortsSendfile>(world, p)));
  }
};

// ---- stream-abort-early (bpo-27223) ------------------------------------------------------
// A server that rejects the connection: abort() from inside connection_made(), while the peer
// is already sending.
class RejectOnMade final : public AppStream {
 public:
  using AppStream::AppStream;

 private:
  void on_made() override { transport_->abort(); }
  void fingerprint_app(StateHasher&) const override {}
};

class StreamAbortEarly final : public Scenario {
 public:
  std::string_view name() const override { return "stream-abort-early"; }
  std::string_view family() const override { return "selector stream"; }
  std::string_view summary() const override {
    return "app aborts inside connection_made() while the peer is sending";
  }
  Params default_params() const override { return {{"bytes", 64}}; }
  Bounds default_bounds() const override { return {200, 3, 2}; }
  // Loopback: the peer's first bytes may land before the loop's second iteration.
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;
    config.min_latency = 0;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    std::size_t bytes = static_cast<std::size_t>(param(p, "bytes", 0));
    auto& peer = world.own(std::make_unique<SenderPeer>(world.kernel(), peer_fd, "sender peer", bytes,
                                                        bytes, SenderPeer::Ending::fin));
    world.add_source(peer);
    auto& app = world.own(std::make_unique<RejectOnMade>(world));
    world.stream_transport(app_fd, app, &peer);
  }
};

}  // namespace

const Scenario& stream_echo_scenario() {
  static const StreamEcho kScenario;
  return kScenario;
}
const Scenario& stream_two_clients_scenario() {
  static const StreamTwoClients kScenario;
  return kScenario;
}
const Scenario& stream_half_close_scenario() {
  static const StreamHalfClose kScenario;
  return kScenario;
}
const Scenario& stream_reset_scenario() {
  static const StreamReset kScenario;
  return kScenario;
}
const Scenario& stream_resume_close_scenario() {
  static const StreamResumeClose kScenario;
  return kScenario;
}
const Scenario& stream_writelines_scenario() {
  static const StreamWritelines kScenario;
  return kScenario;
}
const Scenario& stream_sendfile_scenario() {
  static const StreamSendfile kScenario;
  return kScenario;
}
const Scenario& stream_sendfile_abort_scenario() {
  static const StreamSendfileAbort kScenario;
  return kScenario;
}
const Scenario& stream_abort_early_scenario() {
  static const StreamAbortEarly kScenario;
  return kScenario;
}

}  // namespace loopcheck
