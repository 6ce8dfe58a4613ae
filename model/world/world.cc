#include "model/world/world.h"

#include "model/world/sim_tls.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace loopcheck {

std::uint32_t SimWorld::TracedChoices::choose(std::uint32_t n, ChoiceKind kind) {
  return note(inner_.choose(n, kind), n, kind);
}

std::uint32_t SimWorld::TracedChoices::choose_among(const std::uint32_t* ids, std::uint32_t n,
                                                    ChoiceKind kind) {
  return note(inner_.choose_among(ids, n, kind), n, kind);
}

std::uint32_t SimWorld::TracedChoices::choose_option(const ChoiceOption* options, std::uint32_t n,
                                                     ChoiceKind kind) {
  return note(inner_.choose_option(options, n, kind), n, kind);
}

std::uint32_t SimWorld::TracedChoices::note(std::uint32_t value, std::uint32_t n, ChoiceKind kind) {
  ++count_;
  // "No fault" and "no preemption" are the default path; the trace shows only real decisions.
  bool bounded = is_bounded(kind);
  if (bounded && value != 0) ++deviations_;
  if (value != 0) ++branched_;
  bool default_path = value == 0 && bounded;
  if (tracer_.enabled() && !default_path) {
    tracer_.record(Component::choice, "#" + std::to_string(count_) + " " +
                                          std::string(choice_kind_name(kind)) + " = " +
                                          std::to_string(value) + " of " + std::to_string(n));
  }
  return value;
}

SimWorld::SimWorld(const WorldConfig& config, ChoiceSource& choices)
    : bugs_(config.bugs),
      tracer_(clock_, config.trace),
      choices_(choices, tracer_),
      kernel_(clock_, choices_, tracer_, config.kernel),
      completions_(kernel_, choices_, tracer_, bugs_),
      poller_(kernel_),
      loop_(clock_, poller_, choices_, tracer_),
      monitor_(config.oracles, tracer_, &kernel_, loop_),
      defer_environment_(config.defer_environment) {
  loop_.set_observer(&monitor_);
  sources_.push_back(&kernel_);
  sources_.push_back(&completions_);
  poller_.attach(completions_);
}

ObservedStream& SimWorld::observed_stream(int fd, Protocol& app, const StreamPeerView* peer, bool proactor) {
  ObservedStream& observed =
      monitor_.observe_stream(app, fd, peer, proactor ? StreamKind::proactor : StreamKind::selector);
  Transport* transport = nullptr;
  if (proactor) {
    transport = &own(std::make_unique<ProactorStreamTransport>(context(), fd, observed));
  } else {
    transport = &own(std::make_unique<SelectorStreamTransport>(context(), fd, observed));
  }
  observed.set_owner(transport);
  return observed;
}

Transport& SimWorld::stream_transport(int fd, Protocol& app, const StreamPeerView* peer) {
  return observed_stream(fd, app, peer, false);
}

Transport& SimWorld::proactor_stream_transport(int fd, Protocol& app, const StreamPeerView* peer) {
  return observed_stream(fd, app, peer, true);
}

SslProtocol& SimWorld::ssl_protocol(int fd, Protocol& app, const StreamPeerView* plain_peer, SslSetup setup) {
  ObservedStream& observed = monitor_.observe_stream(app, fd, plain_peer, StreamKind::ssl);
  std::unique_ptr<TlsEngine> engine = tls_engine(setup.tls, setup.options.server_side, setup.seed);
  auto& ssl = own(std::make_unique<SslProtocol>(SslContext{loop_, bugs_, tracer_, &monitor_, /*digest_engine_calls=*/true}, std::move(engine),
                                                observed, setup.options, std::move(setup.waiter)));
  observed.set_owner(&ssl);
  observed.attach(ssl.app_transport());
  monitor_.watch_ssl_outgoing(ssl, fd);
  return ssl;
}

Transport& SimWorld::ssl_transport(int fd, Protocol& app, const StreamPeerView* wire_peer,
                                   const StreamPeerView* plain_peer, SslSetup setup) {
  bool proactor = setup.proactor;
  Nanos shutdown_timeout = setup.options.shutdown_timeout;
  SslProtocol& ssl = ssl_protocol(fd, app, plain_peer, std::move(setup));
  ObservedStream& beneath = observed_stream(fd, ssl, wire_peer, proactor);
  ObservedStream& above = monitor_.observed_of(&ssl);
  above.set_beneath(&beneath, shutdown_timeout);
  return above;
}

std::unique_ptr<TlsEngine> SimWorld::tls_engine(SimTls tls, bool server, std::uint64_t seed) {
  foreign_heap_ = true;  // OpenSSL allocates with malloc, not operator new
  std::string error;
  std::unique_ptr<TlsEngine> engine =
      make_sim_engine(tls, server, seed, [this] { return kSimEpochSeconds + clock_.now() / kSecond; }, error);
  if (!engine) throw SetupError("the app's TLS engine: " + error);
  return engine;
}

SslProtocolFactory SimWorld::start_tls_factory(Transport& plain, Protocol& app, const StreamPeerView* plain_peer,
                                               SslSetup setup) {
  auto* beneath = dynamic_cast<ObservedStream*>(&plain);
  if (!beneath) throw SetupError("start_tls needs a transport this world made");
  return [this, beneath, &app, plain_peer, setup](const SslOptions& options, SslWaiter waiter) -> TlsUpgrade {
    SslSetup made = setup;
    made.options = options;
    made.waiter = std::move(waiter);
    SslProtocol& ssl = ssl_protocol(beneath->fd(), app, plain_peer, std::move(made));
    ObservedStream& above = monitor_.observed_of(&ssl);
    above.adopt_connection();
    above.set_beneath(beneath, options.shutdown_timeout);
    return TlsUpgrade{ssl, above};
  };
}

void SimWorld::sendfile(Transport& transport, FileObject& file, SendfileRequest request, Sendfile::Done done) {
  auto* observed = dynamic_cast<ObservedStream*>(&transport);
  if (observed) observed->sendfile_started(file, request.offset, request.count);
  Sendfile& operation = own(std::make_unique<Sendfile>(
      context(), transport, file, request, [observed, &file, request, done = std::move(done)](const SendfileResult& result) {
        if (observed) observed->sendfile_finished(file, request.offset, request.count, result);
        done(result);
      }));
  operation.start();
}

DatagramTransport& SimWorld::datagram_transport(int fd, DatagramProtocol& app, Address connected) {
  ObservedDatagram& observed = monitor_.observe_datagram(app, fd);
  auto& transport = own(
      std::make_unique<SelectorDatagramTransport>(context(), fd, observed, std::move(connected)));
  observed.set_owner(&transport);
  return observed;
}

DatagramTransport& SimWorld::proactor_datagram_transport(int fd, DatagramProtocol& app, Address connected) {
  ObservedDatagram& observed = monitor_.observe_datagram(app, fd);
  auto& transport = own(std::make_unique<ProactorDatagramTransport>(context(), fd, observed, std::move(connected)));
  observed.set_owner(&transport);
  return observed;
}

// Actors: 0 = the loop, 1 = the timer queue, then one id per (event source, event index).
ChoiceOption SimWorld::describe_option(const PendingEvent& event) const {
  std::uint32_t source = 0;
  while (source < sources_.size() && sources_[source] != event.source) ++source;
  auto [fd_a, fd_b] = event.source->footprint(event);
  // An event on a socket the loop watches can change what the loop may run next, and so what
  // a preemption costs: it is dependent with everything. Only events away from the loop's
  // sockets commute under a preemption bound.
  if (poller_.watches(fd_a) || poller_.watches(fd_b)) fd_a = fd_b = -2;
  return ChoiceOption{2 + (source << 16) + event.index, fd_a, fd_b, event.earliest <= clock_.now()};
}

bool SimWorld::loop_runnable() {
  if (held()) return false;
  if (loop_.in_iteration() || loop_.has_ready_callbacks() || poller_.any_ready()) return true;
  std::optional<Nanos> next = loop_.next_timer_time();
  return next && *next <= clock_.now();
}

void SimWorld::fire(const PendingEvent& event) {
  if (tracer_.enabled()) tracer_.record(event.source->component(), event.source->describe(event));
  event.source->fire(event);
}

bool SimWorld::step() {
  pending_.clear();
  Nanos now = clock_.now();
  for (EventSource* source : sources_) source->collect(now, pending_);

  stepped_idle_ = !loop_runnable();
  if (!stepped_idle_) {
    options_.clear();
    waiting_.clear();
    for (const PendingEvent& event : pending_) {
      if (event.earliest <= now) options_.push_back(event);
    }
    std::uint32_t pick = 0;
    if (!options_.empty()) {
      option_info_.assign(1, ChoiceOption{0, -2, -2, true});  // the loop's next callback
      for (const PendingEvent& event : options_) {
        option_info_.push_back(describe_option(event));
        if (!defer_environment_) continue;
        Reach reach = event.source->reach(event);
        if (reach.known) {
          option_info_.back().deferred = true;
          waiting_.push_back(reach);
        }
      }
      pick = choices_.choose_option(option_info_.data(), static_cast<std::uint32_t>(option_info_.size()),
                                    ChoiceKind::preempt);
    }
    // What the step depends on is checked against what waits (a deferred event is taken only
    // where its deferral was undone).
    bool watched = !waiting_.empty() && !option_info_[pick].deferred;
    if (watched) deferral_.watch(kernel_);
    const PendingEvent* fired = pick > 0 ? &options_[pick - 1] : nullptr;
    if (fired) {
      fire(*fired);
    } else if (loop_.in_iteration()) {
      loop_.run_next();
    } else {
      batch_branched_ = choices_.branched();
      loop_.begin_iteration();
    }
    if (watched) {
      std::optional<int> touched = deferral_.check(kernel_, completions_, sources_, waiting_);
      if (touched && !choices_.undefer_last_option()) {
        deferral_.note_conflict(*touched, fired != nullptr, steps_ + 1, waiting_.size());
      }
    }
    return true;
  }

  monitor_.check_idle();  // the loop would block in its poller now
  std::optional<Nanos> next_timer = loop_.next_timer_time();
  if (pending_.empty()) {
    if (!next_timer) return false;
    clock_.advance_to(*next_timer);
    return true;
  }
  // Nothing may jump past the earliest deadline among pending events.
  Nanos horizon = std::numeric_limits<Nanos>::max();
  for (const PendingEvent& event : pending_) horizon = std::min(horizon, event.latest);
  horizon = std::max(horizon, now);  // an overdue event is due now, not in the past
  options_.clear();
  for (const PendingEvent& event : pending_) {
    bool before_deadline = std::max(event.earliest, now) <= horizon;
    bool before_timer = !next_timer || event.earliest <= *next_timer;
    if (before_deadline && before_timer) options_.push_back(event);
  }
  // Option 0 is the earliest thing to happen, so the default schedule is the natural one.
  std::stable_sort(options_.begin(), options_.end(),
                   [](const PendingEvent& a, const PendingEvent& b) { return a.earliest < b.earliest; });
  bool timer_option = next_timer && *next_timer <= horizon;
  std::size_t timer_slot = options_.size();
  if (timer_option) {
    timer_slot = 0;
    while (timer_slot < options_.size() && options_[timer_slot].earliest <= *next_timer) ++timer_slot;
  }
  std::size_t count = options_.size() + (timer_option ? 1 : 0);
  std::size_t pick = 0;
  if (count > 1) {
    option_info_.clear();
    for (const PendingEvent& event : options_) option_info_.push_back(describe_option(event));
    if (timer_option) {
      option_info_.insert(option_info_.begin() + static_cast<long>(timer_slot), ChoiceOption{1, -2, -2, false});
    }
    pick = choices_.choose_option(option_info_.data(), static_cast<std::uint32_t>(count), ChoiceKind::deliver);
  }
  if (timer_option && pick == timer_slot) {
    clock_.advance_to(*next_timer);
    return true;
  }
  if (timer_option && pick > timer_slot) --pick;
  if (options_.empty()) {  // cannot happen with horizon >= now; never index an empty list
    clock_.advance_to(next_timer.value_or(now));
    return next_timer.has_value();
  }
  const PendingEvent& event = options_[pick];
  clock_.advance_to(std::max(now, event.earliest));
  fire(event);
  return true;
}

std::uint64_t SimWorld::fingerprint() {
  if (at_boundary_ && boundary_fingerprint_) return *boundary_fingerprint_;
  hashed_owners_ = owners_;
  monitor_.list_owners(hashed_owners_);
  XxhStateHasher& hasher = hasher_;  // one per world: a fingerprint allocates nothing
  hasher.restart(hashed_owners_, clock_.now());
  completions_.live_operations(hasher.live_operations());
  // Every time is hashed relative to now (StateHasher::time). Only TLS reads the clock as a
  // date, and only to the second (certificate and ticket lifetimes), so that is all of the
  // absolute time a state keeps.
  hasher.value(clock_.now() / kSecond);
  hasher.value(held());
  loop_.fingerprint(hasher);
  for (const EventSource* source : sources_) source->fingerprint(hasher);
  for (const Fingerprinted* object : fingerprinted_) object->fingerprint(hasher);
  monitor_.fingerprint(hasher);
  std::uint64_t digest = hasher.digest();
  if (at_boundary_) boundary_fingerprint_ = digest;
  return digest;
}

// Completion-mode accounting (O9 at every step; O5 at quiescence, when every operation has had
// its one final completion and the kernel owns no buffer).
void SimWorld::check_completions(bool at_end) {
  if (!completions_.silent_losses().empty()) monitor_.flag(Oracle::O9, completions_.silent_losses().front());
  if (completions_.double_completions() > 0) {
    monitor_.flag(Oracle::O9, std::to_string(completions_.double_completions()) +
                                  " operation(s) completed more than once");
  }
  if (at_end && completions_.owned_buffers() > 0) {
    monitor_.flag(Oracle::O5, std::to_string(completions_.owned_buffers()) +
                                  " operation buffer(s) still owned by the kernel at the end");
  }
}

void SimWorld::check_setup() const {
  for (const OwnedSource& owned : owned_sources_) {
    if (std::find(sources_.begin(), sources_.end(), owned.source) != sources_.end()) continue;
    int status = 0;
    char* readable = abi::__cxa_demangle(owned.type, nullptr, nullptr, &status);
    std::string type = status == 0 && readable ? readable : owned.type;
    std::free(readable);
    throw SetupError("the world owns an event source (" + type +
                     ") that was never registered with add_source(): it would never act, and "
                     "the run would pass having tested nothing");
  }
}

RunEnd SimWorld::run(std::size_t max_steps) {
  check_setup();
  steps_ = 0;
  busy_.restart(clock_.now(), 0, choices_.deviations());
  last_step_busy_ = false;
  return resume(max_steps);
}

RunEnd SimWorld::resume(std::size_t max_steps) {
  // Callbacks take no simulated time, so a loop that keeps itself busy freezes the clock. A
  // state that comes back at the same instant, with no bounded choice (preemption or fault)
  // made since, can come back forever: the loop never goes idle and nothing will let time move.
  // That is a hang (O4). A run that only runs out of steps is cut off, and judged on nothing.
  // States are hashed only once a run has spent kBusySteps at one instant: that is rare, but
  // for untimed instances, where every step is at one instant.
  for (; steps_ < max_steps; ++steps_) {
    monitor_.set_step(steps_ + 1);
    tracer_.set_step(steps_ + 1);
    at_boundary_ = true;
    bool go_on = !visitor_ || visitor_(*this);
    at_boundary_ = false;
    boundary_fingerprint_.reset();  // the step changes the state
    if (!go_on) return RunEnd::pruned;
    if (!step()) {
      monitor_.check_end(true);
      check_completions(true);
      if (!monitor_.violated()) return RunEnd::quiescent;
      ++steps_;  // the end-of-run judgement is the run's last step, as the violation says
      return RunEnd::violation;
    }
    monitor_.check_step();
    check_completions(false);
    if (monitor_.violated()) {
      ++steps_;
      return RunEnd::violation;
    }
    last_step_busy_ = clock_.now() == busy_.instant && choices_.deviations() == busy_.deviations && !stepped_idle_;
    if (!last_step_busy_) {
      busy_.restart(clock_.now(), steps_, choices_.deviations());
    } else if (steps_ - busy_.since >= kBusySteps) {
      // Nothing changes the state before the next boundary: one digest serves both.
      at_boundary_ = true;
      std::uint64_t state = fingerprint();
      at_boundary_ = false;
      auto it = std::find(busy_.seen.begin(), busy_.seen.end(), state);
      std::size_t first = busy_.since + kBusySteps + 1 + static_cast<std::size_t>(it - busy_.seen.begin());
      busy_.seen.push_back(state);
      if (first != steps_ + 1) {
        monitor_.flag(Oracle::O4, "zero-time livelock: the state after step " + std::to_string(first) +
                                      " came back after step " + std::to_string(steps_ + 1) + ", all at t=" +
                                      format_time(clock_.now()) + ": the loop never goes idle");
        ++steps_;
        return RunEnd::violation;
      }
    }
  }
  monitor_.check_end(false);
  return monitor_.violated() ? RunEnd::violation : RunEnd::step_bound;
}

}  // namespace loopcheck
