// The monitor owns the oracles' view of a run. It observes every protocol (through the
// ObservedStream / ObservedDatagram decorators) and every loop callback, records the first
// violation with the step it happened at, and runs the end-of-run checks.
#pragma once

#include <map>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/oracles/kernel_ledger.h"
#include "model/oracles/observed_datagram.h"
#include "model/oracles/observed_stream.h"
#include "model/oracles/oracle.h"
#include "src/core/loop.h"
#include "src/loop/event_loop.h"
#include "src/core/task.h"
#include "src/tls/ssl_states.h"

namespace loopcheck {

// It is also the SSL protocols' state observer: O8 judges every move they report.
class StreamReader;
class SslProtocol;

class Monitor final : public LoopObserver, public SslStateObserver, public TaskObserver {
 public:
  // kernel may be null (real sockets): then the checks that need the kernel's own accounting
  // (O5's open fds, O6's error counts, O10, datagram O2) have nothing to judge and stay quiet;
  // the callback-level oracles (O1, O3, O4, O7) work the same.
  Monitor(OracleSet oracles, Tracer& tracer, const KernelLedger* kernel, EventLoop& loop);

  // `kind`: which asyncio transport it is, since what each may deliver after close() and how it
  // reports its buffer differ (see StreamKind).
  ObservedStream& observe_stream(Protocol& app, int fd, const StreamPeerView* peer,
                                 StreamKind kind = StreamKind::selector);
  ObservedDatagram& observe_datagram(DatagramProtocol& app, int fd);

  // Scenario obligations for O4: something that must have happened by quiescence.
  int open_obligation(std::string what);
  void discharge(int id);
  // O2 for a stream reader whose app reads everything it is sent: bytes still in its buffer at
  // quiescence were read from the socket and reached nobody (gh-142352's stranded ClientHello).
  void watch_read_ahead(const StreamReader& reader, std::string who);
  // O4 for an SSL protocol: while the loop sleeps, nothing it made may wait in its outgoing BIO
  // when its transport could take it; a peer may be waiting for those bytes (its handshake
  // cannot finish without a TLS 1.3 client's Finished).
  void watch_ssl_outgoing(const SslProtocol& ssl, int fd);

  void flag(Oracle oracle, std::string message);
  // A protocol callback or app call, for the trace (cheap when tracing is off).
  void note(Component component, const std::string& text);
  bool tracing() const { return tracer_.enabled(); }
  bool violated() const { return violation_.has_value(); }
  const std::optional<Violation>& violation() const { return violation_; }
  void set_step(std::size_t step) { step_ = step; }

  void check_step();
  // The loop has nothing to run and would block in its poller: judges what may not wait then.
  void check_idle();
  // quiescent: nothing runnable and nothing pending; liveness and resources are judged only then.
  void check_end(bool quiescent);

  // LoopObserver
  void on_callback(const Tag& tag) override;
  void on_exception(const ExceptionContext& context) override;
  // SslStateObserver (O8)
  void on_ssl_state(const void* protocol, SslState from, SslState to) override;
  void on_app_state(const void* protocol, AppState from, AppState to) override;
  void on_tls_error(const void* protocol, const Error& error) override;
  void on_waiter(const void* protocol, const std::optional<Error>& error, bool handshake_done) override;
  void on_ssl_flow(const void* protocol, bool pause, bool believed_paused) override;
  // TaskObserver (O6): a task's exception that nobody retrieves is swallowed.
  void on_task_failed(const void* task, const char* name, const Error& error) override;
  void on_task_exception_retrieved(const void* task) override;

  // The record of the observed stream whose transport (or SSL protocol) is `owner`.
  ObservedStream& observed_of(const void* owner) { return *record_of(owner).stream; }
  // An observed stream or datagram endpoint says whose callbacks are its (its set_owner).
  void bind_owner(const void* owner, ObservedStream* stream, ObservedDatagram* datagram) {
    OwnerRecord& record = owners_[owner];
    if (stream) record.stream = stream;
    if (datagram) record.datagram = datagram;
  }
  FdStats stats(int fd) const { return kernel_ ? kernel_->stats(fd) : FdStats{}; }
  void fingerprint(StateHasher& h) const;
  // Owners in a canonical order, for StateHasher::owner().
  void list_owners(std::vector<const void*>& out) const;
  const EventLoop& loop() const { return loop_; }

 private:
  struct Obligation {
    std::string what;
    bool done = false;
  };

  OracleSet oracles_;
  Tracer& tracer_;
  const KernelLedger* kernel_;
  EventLoop& loop_;
  std::vector<std::unique_ptr<ObservedStream>> streams_;
  std::vector<std::unique_ptr<ObservedDatagram>> datagrams_;
  std::vector<Obligation> obligations_;
  std::vector<std::pair<const StreamReader*, std::string>> readers_;
  std::vector<std::pair<const SslProtocol*, int>> ssl_protocols_;
  struct FailedTask {
    const void* task;
    std::string what;
    bool retrieved = false;
  };
  std::vector<FailedTask> failed_tasks_;
  // owner -> its observed record, filled as owners are bound (set_owner): real runs have
  // thousands of transports and millions of callbacks, most of them of owners that are no
  // transport (apps, timers, sendfiles), which must cost a lookup, not a scan. Looked up only,
  // never iterated.
  struct OwnerRecord {
    ObservedStream* stream = nullptr;
    ObservedDatagram* datagram = nullptr;
  };
  const OwnerRecord& record_of(const void* owner);
  std::unordered_map<const void*, OwnerRecord> owners_;
  std::optional<Violation> violation_;
  std::size_t step_ = 0;
};

}  // namespace loopcheck
