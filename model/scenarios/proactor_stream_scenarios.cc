// Proactor stream scenarios (overlapped I/O): the exposures of bpo-33694, bpo-44428,
// twisted-11020 and bpo-32710.
#include <algorithm>
#include <memory>

#include "model/world/peers.h"
#include "model/apps/app_stream.h"
#include "model/apps/pausing_reader.h"
#include "model/scenarios/scenarios.h"
#include "model/world/world.h"

namespace loopcheck {
namespace {

// ---- proactor-pause (bpo-33694) ----------------------------------------------------------
// The write-up's race on overlapped I/O: the peer sends and half-closes while the app pauses
// and resumes reading on a timer. A pause may meet a recv that has already completed.
class TimedPauser final : public AppStream {
 public:
  TimedPauser(SimWorld& world, const Params& p)
      : AppStream(world),
        total_(static_cast<std::size_t>(param(p, "bytes", 0))),
        period_(timing_param(p, "pause")),
        timer_(world.app_timer("app timer")),
        obligation_(world.monitor().open_obligation("the reader gets every byte before EOF")) {}
  bool eof_received() override {
    if (received_ == total_) world_.monitor().discharge(obligation_);
    timer_.cancel();
    return false;
  }
  void connection_lost(std::optional<Error>) override { timer_.cancel(); }

 private:
  void on_made() override { toggle_later(); }
  void toggle_later() {
    timer_.arm(period_, tag("app.toggle_reading"), [this] {
      if (transport_->is_closing()) return;
      if (transport_->is_reading()) {
        transport_->pause_reading();
      } else {
        transport_->resume_reading();
      }
      toggle_later();
    });
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t total_;
  TimeWindow period_;
  AppTimer& timer_;
  int obligation_;
};

// The same race with SPIN's pauses (SPIN's model of it has the app as a process of its own):
// the app may pause reading at any moment, at most `pauses` times, and resume at any later
// moment. Each is an event the world schedules like a peer's action, with no window of time:
// a `deliver` choice while the loop is idle, a preemption while the loop has work (so the
// preemption bound limits where the pauses can come).
class ChoicePauser final : public AppStream {
 public:
  ChoicePauser(SimWorld& world, std::size_t total, std::int64_t pauses)
      : AppStream(world),
        total_(total),
        pauses_left_(pauses),
        obligation_(world.monitor().open_obligation("the reader gets every byte before EOF")) {}
  bool eof_received() override {
    if (received_ == total_) world_.monitor().discharge(obligation_);
    return false;
  }
  // What the app may do next: 0 pause, 1 resume, or nothing (-1).
  int next_action() const {
    if (!transport_ || transport_->is_closing()) return -1;
    if (!transport_->is_reading()) return 1;
    return pauses_left_ > 0 ? 0 : -1;
  }
  void act(int action) {
    if (action == 0) {
      --pauses_left_;
      transport_->pause_reading();
    } else {
      transport_->resume_reading();
    }
  }

 private:
  void fingerprint_app(StateHasher& h) const override { h.value(pauses_left_); }
  std::size_t total_;
  std::int64_t pauses_left_;
  int obligation_;
};

// The pauser's decisions as world events: never overdue, but offered only where a callback of
// the app's could run. App code runs in a loop callback, and one that a poll or a timer made
// ready runs after every callback that was ready before that poll: so the app acts between
// batches, or within a batch once those earlier callbacks have run, never between two of them
// (resume_reading's start_read and deliver_pending, say). Letting it act there made the fixed
// transport lose data in a schedule asyncio cannot take.
class PauseChoices final : public EventSource {
 public:
  PauseChoices(ChoicePauser& app, EventLoop& loop) : app_(app), loop_(loop) {}
  void collect(Nanos now, std::vector<PendingEvent>& out) override {
    if (loop_.running_earlier_callbacks()) return;
    int action = app_.next_action();
    if (action >= 0) out.push_back(PendingEvent{this, static_cast<std::uint32_t>(action), now});
  }
  void fire(const PendingEvent& event) override { app_.act(static_cast<int>(event.index)); }
  std::string describe(const PendingEvent& event) const override {
    return event.index == 0 ? "app: pause_reading()" : "app: resume_reading()";
  }
  Component component() const override { return Component::protocol; }
  void fingerprint(StateHasher&) const override {}  // the app's own fingerprint has its state

 private:
  ChoicePauser& app_;
  EventLoop& loop_;
};

class ProactorPause final : public Scenario {
 public:
  std::string_view name() const override { return "proactor-pause"; }
  std::string_view family() const override { return "proactor stream"; }
  std::string_view summary() const override {
    return "overlapped reads; the app pauses and resumes reading (on a timer, or anywhere with pauses=N) while the peer sends";
  }
  // Each toggle comes 11 to 15 us after the last. The shortest period is longer than the
  // kernel's processing time (10 us), so a recv the app resumes has time to complete; a
  // shorter one lets the app starve itself forever (runs then end cut off, never clean).
  //
  // SPIN's parameters: chunks=K sends K one-byte chunks (in place of bytes and chunk), and
  // pauses=N makes the app pause at most N times, as choices (ChoicePauser), in place of the
  // timer; 0 keeps the timer. With the pauses as choices no timer is left, so when things
  // happen cannot matter, only in which order: every delay (network latency, the peer's
  // reaction) is then zero, time stands still, and the world explores orders alone, as SPIN's
  // untimed model does. The processing window of a completion stays, but with nothing timed
  // left it never moves the clock either.
  Params default_params() const override {
    return {{"bytes", 60}, {"chunk", 30}, {"pause_us", 15}, {"pause_min_us", 11}, {"chunks", 0}, {"pauses", 0}};
  }
  ParamRange param_range(std::string_view key) const override {
    if (key == "chunks") return {0, 100000, ""};
    if (key == "pauses") return {0, 1000, ""};
    return default_param_range(key);
  }
  // chunks=K replaces bytes and chunk, pauses=N the timer's periods: a value given for what is
  // replaced would be ignored, so it must stay at its default.
  std::optional<std::string> check_params(const Params& p) const override {
    const Params defaults = default_params();
    auto changed = [&](const char* key) { return param(p, key, 0) != defaults.at(key); };
    for (const char* key : {"bytes", "chunk"}) {
      if (param(p, "chunks", 0) > 0 && changed(key)) {
        return std::string("chunks=K sends K one-byte chunks in place of bytes and chunk; give ") + key +
               " or chunks, not both";
      }
    }
    for (const char* key : {"pause_us", "pause_min_us"}) {
      if (param(p, "pauses", 0) > 0 && changed(key)) {
        return std::string("pauses=N makes the pauses choices in place of the timer; give ") + key +
               " or pauses, not both";
      }
    }
    return std::nullopt;
  }
  std::string timing(const Params& p) const override {
    if (param(p, "pauses", 0) > 0) return "no timer: every order of events, no delays";
    return describe_timing(p);
  }
  KernelConfig kernel_config(const Params& p) const override {
    KernelConfig config;
    if (param(p, "pauses", 0) > 0) config.min_latency = config.max_latency = 0;
    return config;
  }
  // The race needs no preemption: timer, delivery and cancel outcomes are all free choices.
  Bounds default_bounds() const override { return {400, 0, 0}; }
  void setup(SimWorld& world, const Params& params) const override {
    Params p = params;
    if (param(p, "chunks", 0) > 0) {
      p["bytes"] = param(p, "chunks", 0);
      p["chunk"] = 1;
    }
    std::int64_t pauses = param(p, "pauses", 0);
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_sender_peer(world, peer_fd, p, "sender peer", SenderPeer::Ending::fin,
                                 pauses > 0 ? 0 : ScriptedPeer::kDefaultReaction);
    if (pauses > 0) {
      auto& app = world.own(std::make_unique<ChoicePauser>(world, static_cast<std::size_t>(p["bytes"]), pauses));
      world.add_source(world.own(std::make_unique<PauseChoices>(app, world.loop())));
      world.proactor_stream_transport(app_fd, app, &peer);
      return;
    }
    auto& app = world.own(std::make_unique<TimedPauser>(world, p));
    world.proactor_stream_transport(app_fd, app, &peer);
  }
};

// ---- proactor-abort-after-close (bpo-44428) -----------------------------------------------
// The peer never reads, so a graceful close() waits for writes that cannot finish; the app
// then gives up with abort(), which must end the connection.
class GiveUpOnClose final : public AppStream {
 public:
  GiveUpOnClose(SimWorld& world, const Params& p)
      : AppStream(world),
        bytes_(static_cast<std::size_t>(param(p, "bytes", 0))),
        patience_(timing_param(p, "patience")),
        timer_(world.app_timer("app timer")) {}
  void connection_lost(std::optional<Error>) override { timer_.cancel(); }

 private:
  void on_made() override {
    (void)transport_->write(SenderPeer::payload(0, bytes_));
    transport_->close();
    timer_.arm(patience_, tag("app.give_up"), [this] { transport_->abort(); });
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t bytes_;
  TimeWindow patience_;
  AppTimer& timer_;
};

// ---- proactor-half-close (proactor-eof-twice) -----------------------------------------------
// The peer sends and half-closes; the app pauses reading after every chunk and resumes on a
// timer; on EOF it replies and keeps the connection half-open until its timer closes it
// (model/apps/pausing_reader).

class ProactorHalfClose final : public Scenario {
 public:
  std::string_view name() const override { return "proactor-half-close"; }
  std::string_view family() const override { return "proactor stream"; }
  std::string_view summary() const override {
    return "peer sends then half-closes; app pauses/resumes reading on a timer, replies on EOF and closes later";
  }
  Params default_params() const override {
    return {{"bytes", 60}, {"chunk", 30}, {"pause_us", 15}, {"pause_min_us", 11}};
  }
  Bounds default_bounds() const override { return {400, 0, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_sender_peer(world, peer_fd, p, "sender peer", SenderPeer::Ending::fin);
    auto& app = world.own(std::make_unique<PausingReader>(world, p, PausingReader::CloseAfterEof::one_pause_later));
    world.proactor_stream_transport(app_fd, app, &peer);
  }
};

class ProactorAbortAfterClose final : public Scenario {
 public:
  std::string_view name() const override { return "proactor-abort-after-close"; }
  std::string_view family() const override { return "proactor stream"; }
  std::string_view summary() const override {
    return "close() waits on writes a silent peer never reads; abort() must still end it";
  }
  Params default_params() const override {
    return {{"bytes", 12000}, {"patience_us", 1000}, {"patience_min_us", 0}};
  }
  Bounds default_bounds() const override { return {300, 1, 1}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = world.own(std::make_unique<SilentPeer>(world.kernel(), peer_fd, "silent peer"));
    world.add_source(peer);
    auto& app = world.own(std::make_unique<GiveUpOnClose>(world, p));
    world.proactor_stream_transport(app_fd, app, &peer);
  }
};

// ---- proactor-abort-mid-stream (twisted-11020) -------------------------------------------
// The app aborts on its first data, while the next overlapped read is already outstanding;
// that read's completion may still carry data. None of it may reach the protocol.
class AbortOnFirstData final : public AppStream {
 public:
  using AppStream::AppStream;
  void data_received(BytesView data) override {
    AppStream::data_received(data);
    if (!aborted_) {
      aborted_ = true;
      transport_->abort();
    }
  }

 private:
  void fingerprint_app(StateHasher& h) const override { h.value(aborted_); }
  bool aborted_ = false;
};

class ProactorAbortMidStream final : public Scenario {
 public:
  std::string_view name() const override { return "proactor-abort-mid-stream"; }
  std::string_view family() const override { return "proactor stream"; }
  std::string_view summary() const override {
    return "the app aborts on its first data while the next overlapped read is outstanding";
  }
  Params default_params() const override { return {{"bytes", 60}, {"chunk", 30}}; }
  Bounds default_bounds() const override { return {300, 1, 0}; }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = add_sender_peer(world, peer_fd, p, "sender peer", SenderPeer::Ending::fin);
    auto& app = world.own(std::make_unique<AbortOnFirstData>(world));
    world.proactor_stream_transport(app_fd, app, &peer);
  }
};

// ---- proactor-send-fails (bpo-32710) -----------------------------------------------------
// The app writes in chunks to a sink and closes; any submission may fail at once, as WSASend does on a
// connection the peer has reset. The transport must fail the connection, and the binding must
// hand back the buffer the failed submission was given.
class WriteThenClose final : public AppStream {
 public:
  WriteThenClose(SimWorld& world, const Params& p)
      : AppStream(world),
        bytes_(static_cast<std::size_t>(param(p, "bytes", 0))),
        chunk_(static_cast<std::size_t>(param(p, "chunk", 1))) {}

 private:
  void on_made() override {
    for (std::size_t at = 0; at < bytes_ && !transport_->is_closing(); at += chunk_) {
      (void)transport_->write(SenderPeer::payload(at, std::min(chunk_, bytes_ - at)));
    }
    transport_->close();
  }
  void fingerprint_app(StateHasher&) const override {}
  std::size_t bytes_;
  std::size_t chunk_;
};

class ProactorSendFails final : public Scenario {
 public:
  std::string_view name() const override { return "proactor-send-fails"; }
  std::string_view family() const override { return "proactor stream"; }
  std::string_view summary() const override {
    return "overlapped sends to a sink peer; a submission may fail at once (ECONNRESET)";
  }
  Params default_params() const override { return {{"bytes", 60}, {"chunk", 30}}; }
  Bounds default_bounds() const override { return {300, 1, 1}; }
  KernelConfig kernel_config(const Params&) const override {
    KernelConfig config;
    config.submit_faults = true;
    return config;
  }
  void setup(SimWorld& world, const Params& p) const override {
    auto [app_fd, peer_fd] = app_peer_pair(world);
    auto& peer = world.own(std::make_unique<SinkPeer>(world.kernel(), peer_fd, "sink peer"));
    world.add_source(peer);
    auto& app = world.own(std::make_unique<WriteThenClose>(world, p));
    world.proactor_stream_transport(app_fd, app, &peer);
  }
};

}  // namespace

const Scenario& proactor_send_fails_scenario() {
  static const ProactorSendFails kScenario;
  return kScenario;
}

const Scenario& proactor_half_close_scenario() {
  static const ProactorHalfClose kScenario;
  return kScenario;
}

const Scenario& proactor_abort_mid_stream_scenario() {
  static const ProactorAbortMidStream kScenario;
  return kScenario;
}

const Scenario& proactor_abort_after_close_scenario() {
  static const ProactorAbortAfterClose kScenario;
  return kScenario;
}

const Scenario& proactor_pause_scenario() {
  static const ProactorPause kScenario;
  return kScenario;
}

}  // namespace loopcheck
