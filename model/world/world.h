// SimWorld: one simulated run's universe. It wires the loop core to the fake kernel and the sim
// poller, hands transports their context, and advances the run one step at a time:
//
//  - when the loop has something to do (a callback batch in progress, ready callbacks, a ready
//    fd, a due timer), the next step is its next callback, unless a due kernel or peer event
//    preempts it (a `preempt` choice, bounded by the engines);
//  - when the loop is idle, time jumps to whichever comes next of the pending events and the
//    next timer, within every event's latency bounds (a `deliver` choice when several qualify);
//  - when nothing is runnable and nothing is pending, the world is quiescent and the run ends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "src/core/choice.h"
#include "model/world/app_timer.h"
#include "model/world/deferral.h"
#include "model/world/fake_completion_port.h"
#include "model/world/fake_kernel.h"
#include "model/oracles/monitor.h"
#include "model/world/pending_event.h"
#include "model/world/sim_clock.h"
#include "model/world/sim_tls.h"
#include "model/world/sim_poller.h"
#include "model/world/state_fingerprint.h"
#include "model/world/trace.h"
#include "src/core/bugs.h"
#include "src/loop/event_loop.h"
#include "src/transport/selector_datagram.h"
#include "src/transport/proactor_datagram.h"
#include "src/transport/proactor_stream.h"
#include "src/transport/selector_stream.h"
#include "src/transport/sendfile.h"
#include "src/transport/transport_context.h"
#include "src/tls/ssl_protocol.h"
#include "src/tls/start_tls.h"

namespace loopcheck {

struct WorldConfig {
  KernelConfig kernel;
  BugSet bugs;
  OracleSet oracles = OracleSet::all();
  bool trace = false;
  // The environment's events wait while the loop has work (deferral.h): a reduction for the
  // exhaustive engine, which must start again without it if the run reports a conflict.
  bool defer_environment = false;
};

enum class RunEnd { quiescent, violation, step_bound, pruned };

// One TLS endpoint of the app's: how its SslProtocol is made. Its engine is OpenSSL (TLS 1.3, PSK
// or certificates: see SimTls), its randomness from `seed`, its clock the world's.
struct SslSetup {
  SslOptions options;
  bool proactor = false;  // over the proactor stream transport instead of the selector one
  SimTls tls = SimTls::psk;
  std::uint64_t seed = 1;
  SslWaiter waiter;       // create_connection's (or start_tls's) future
};

// A scenario that built a world that cannot be run honestly: for example a peer the world owns
// but was never told to ask for events. Such a world would pass having tested nothing, so it
// refuses to start; the CLI reports this as bad input (exit 2), never as a verdict.
class SetupError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

class SimWorld {
 public:
  SimWorld(const WorldConfig& config, ChoiceSource& choices);
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;

  SimClock& clock() { return clock_; }
  FakeKernel& kernel() { return kernel_; }
  // Completion mode (overlapped I/O) over the same sockets.
  FakeCompletionPort& completions() { return completions_; }
  EventLoop& loop() { return loop_; }
  // The loop is between two callbacks of one batch, and some choice since the batch began went
  // another way than its first: a state here may have a second way in through that choice.
  bool branched_in_batch() const { return loop_.in_iteration() && choices_.branched() != batch_branched_; }
  // The step just taken could be a step of a zero-time livelock (BusyWatch): the clock stood
  // still, no bounded choice was made and the loop was not idle. Every step of such a cycle is
  // one, which is what lets threads sharing a state cache go on only where one may lie
  // (shared_states.h).
  bool last_step_busy() const { return last_step_busy_; }
  Monitor& monitor() { return monitor_; }
  Tracer& tracer() { return tracer_; }
  ChoiceSource& choices() { return choices_; }
  // The switches of this run: built-in ones by enum, a user's own by id (`bugs().on("my-bug")`).
  const BugSet& bugs() const { return bugs_; }
  TransportContext context() { return TransportContext{loop_, kernel_, bugs_, tracer_, &completions_}; }

  // The world keeps every object a scenario makes; those with state join the fingerprint. An
  // owned event source (a peer) must also be registered with add_source() before run(), or
  // run() throws SetupError: a peer nobody asks for events never acts.
  template <typename T>
  T& own(std::unique_ptr<T> object) {
    T& ref = *object;
    owners_.push_back(&ref);
    if constexpr (std::is_base_of_v<Fingerprinted, T>) fingerprinted_.push_back(&ref);
    if constexpr (requires { T::kOpenSslHeap; }) foreign_heap_ = true;
    if constexpr (std::is_base_of_v<EventSource, T>) {
      owned_sources_.push_back(OwnedSource{&ref, typeid(ref).name()});
    }
    owned_.push_back(std::shared_ptr<void>(std::move(object)));
    return ref;
  }
  void add_source(EventSource& source) { sources_.push_back(&source); }
  // The loop's thread is busy in an app's step until `until` fires (a slow step under load, a
  // thread switch): no loop callback runs, no poll happens, while the kernel and the peers go
  // on. `until` is armed with arm_rest_of_step: the step's rest runs when it fires, and what
  // that rest queues runs before anything the loop polls after the step, as in asyncio.
  void hold_loop(const AppTimer& until) { hold_ = &until; }
  // A timer for a scenario's app whose delay is a window (see AppTimer), owned and registered.
  AppTimer& app_timer(std::string name) {
    AppTimer& timer = own(std::make_unique<AppTimer>(loop_, std::move(name)));
    add_source(timer);
    return timer;
  }

  // A transport for an app protocol, observed by the monitor. The peer view feeds O2.
  Transport& stream_transport(int fd, Protocol& app, const StreamPeerView* peer);
  // The same, over overlapped I/O (the proactor transport).
  Transport& proactor_stream_transport(int fd, Protocol& app, const StreamPeerView* peer);
  // An app protocol over TLS on `fd`, as create_connection(ssl=...) makes it: an SslProtocol on
  // a plain stream transport. Both layers are observed: the plain one against the peer's
  // ciphertext, the SSL one against its plaintext (`plain_peer`). The SSL transport returned is
  // usable at once, as create_connection's is to the code awaiting the handshake.
  Transport& ssl_transport(int fd, Protocol& app, const StreamPeerView* wire_peer, const StreamPeerView* plain_peer,
                           SslSetup setup);
  // Only the SSL layer, observed, for an app that puts it on a plain transport itself (a
  // hand-made STARTTLS): it becomes the plain transport's protocol through set_protocol().
  SslProtocol& ssl_protocol(int fd, Protocol& app, const StreamPeerView* plain_peer, SslSetup setup);
  // An app-side TLS engine on the world's clock (OpenSSL; throws SetupError if it refuses).
  std::unique_ptr<TlsEngine> tls_engine(SimTls tls, bool server, std::uint64_t seed);
  // What loop.start_tls is handed to make its SSL protocol on the observed plain transport
  // `plain` (one this world made): the SSL layer is observed against `plain_peer`, and the app
  // it serves already had connection_made from the plain transport. `setup.options` and
  // `setup.waiter` are start_tls's; the engine comes from `setup.tls` and `setup.seed`.
  SslProtocolFactory start_tls_factory(Transport& plain, Protocol& app, const StreamPeerView* plain_peer,
                                       SslSetup setup);
  DatagramTransport& datagram_transport(int fd, DatagramProtocol& app, Address connected = {});
  // loop.sendfile(transport, file, ...) for an app, on a transport this world made: the world
  // owns the operation (its state joins the fingerprint) and the monitor hears it begin and
  // end. `done` runs once, inside this call when asyncio raises at once.
  void sendfile(Transport& transport, FileObject& file, SendfileRequest request, Sendfile::Done done);
  DatagramTransport& proactor_datagram_transport(int fd, DatagramProtocol& app, Address connected = {});

  // Called before every step; returning false ends the run as `pruned` (its future is known).
  void set_visitor(std::function<bool(SimWorld&)> visitor) { visitor_ = std::move(visitor); }
  // Everything that decides what can happen next and what the oracles will say. Asked again
  // between the same two steps (by a visitor), it answers from memory and allocates nothing.
  std::uint64_t fingerprint();

  RunEnd run(std::size_t max_steps);
  // Goes on with a run from the step it stood at, once the world's bytes were put back as they
  // were before that step (model/engines/checkpoints.h). Everything a run keeps between steps
  // is in the world, so a run resumed is the run that was saved.
  RunEnd resume(std::size_t max_steps);
  std::size_t steps() const { return steps_; }
  // False when some of the world's state lives outside operator new (OpenSSL's own heap), so
  // copying the world's memory would not save all of it.
  bool restorable() const { return !foreign_heap_; }
  // With defer_environment: the first step that touched what a deferred event may reach.
  const std::optional<std::string>& deferral_conflict() const { return deferral_.conflict(); }
  std::vector<TraceLine> take_trace() { return tracer_.take(); }

 private:
  bool step();  // false when quiescent
  bool held() const { return hold_ && hold_->armed(); }
  ObservedStream& observed_stream(int fd, Protocol& app, const StreamPeerView* peer, bool proactor);
  void check_setup() const;  // throws SetupError
  void check_completions(bool at_end);
  bool loop_runnable();
  void fire(const PendingEvent& event);

  // Every choice of the run goes through here, so a trace shows each one where it was made.
  class TracedChoices final : public ChoiceSource {
   public:
    TracedChoices(ChoiceSource& inner, Tracer& tracer) : inner_(inner), tracer_(tracer) {}
    std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override;
    std::uint32_t choose_among(const std::uint32_t* ids, std::uint32_t n, ChoiceKind kind) override;
    std::uint32_t choose_option(const ChoiceOption* options, std::uint32_t n, ChoiceKind kind) override;
    bool undefer_last_option() override { return inner_.undefer_last_option(); }
    // Bounded choices (a preemption or a fault) taken so far in this run.
    std::size_t deviations() const { return deviations_; }
    // Choices taken so far in this run that went another way than their first (value != 0).
    std::size_t branched() const { return branched_; }

   private:
    std::uint32_t note(std::uint32_t value, std::uint32_t n, ChoiceKind kind);
    ChoiceSource& inner_;
    Tracer& tracer_;
    std::size_t count_ = 0;
    std::size_t deviations_ = 0;
    std::size_t branched_ = 0;
  };

  BugSet bugs_;
  SimClock clock_;
  TraceRecorder tracer_;
  TracedChoices choices_;
  FakeKernel kernel_;
  FakeCompletionPort completions_;
  SimPoller poller_;
  EventLoop loop_;
  Monitor monitor_;
  std::vector<EventSource*> sources_;
  std::vector<PendingEvent> pending_;
  std::vector<PendingEvent> options_;
  std::vector<ChoiceOption> option_info_;
  ChoiceOption describe_option(const PendingEvent& event) const;
  bool defer_environment_;
  Deferral deferral_;
  std::vector<Reach> waiting_;  // the reach of this step's deferred events
  std::size_t batch_branched_ = 0;  // choices_.branched() when the loop's batch began
  std::size_t steps_ = 0;
  bool stepped_idle_ = false;  // the last step was taken with the loop blocked in its poller
  bool last_step_busy_ = false;
  // The zero-time livelock watch (O4): since when the clock stood at `instant` with no bounded
  // choice made and the loop never idle, and the states seen in that time. A step taken with the
  // loop idle ends the watch: what comes back then is the environment going round (a peer
  // retrying), which only an unfair schedule repeats forever, not the loop spinning.
  struct BusyWatch {
    Nanos instant = 0;
    std::size_t since = 0;
    std::size_t deviations = 0;
    // The state after each step from step since + kBusySteps + 1 on, in order. A vector, not
    // a map: a saved world copies it at every step (8 bytes a step here, about 50 in a node
    // map), and scanning it once a step costs less than that copy at the depths runs reach.
    std::vector<std::uint64_t> seen;
    void restart(Nanos now, std::size_t step, std::size_t spent) {
      instant = now;
      since = step;
      deviations = spent;
      seen.clear();
    }
  };
  static constexpr std::size_t kBusySteps = 64;  // steps at one instant before states are hashed
  BusyWatch busy_;
  bool at_boundary_ = false;  // between two steps: the visitor, or the busy watch after a step
  std::optional<std::uint64_t> boundary_fingerprint_;  // of the state between two steps, once hashed
  bool foreign_heap_ = false;
  std::function<bool(SimWorld&)> visitor_;
  const AppTimer* hold_ = nullptr;
  std::vector<const void*> owners_;
  std::vector<const Fingerprinted*> fingerprinted_;
  struct OwnedSource {
    const EventSource* source;
    const char* type;  // mangled; demangled only for the error message
  };
  std::vector<OwnedSource> owned_sources_;
  XxhStateHasher hasher_;                  // reused by every fingerprint of the run
  std::vector<const void*> hashed_owners_;  // scratch: the owners of the state being hashed
  std::vector<std::shared_ptr<void>> owned_;  // last: destroyed first
};

}  // namespace loopcheck
