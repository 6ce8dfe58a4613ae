#include "model/oracles/monitor.h"

#include "src/streams/stream_reader.h"
#include "src/tls/ssl_protocol.h"

namespace loopcheck {

Monitor::Monitor(OracleSet oracles, Tracer& tracer, const KernelLedger* kernel, EventLoop& loop)
    : oracles_(oracles), tracer_(tracer), kernel_(kernel), loop_(loop) {}

ObservedStream& Monitor::observe_stream(Protocol& app, int fd, const StreamPeerView* peer,
                                        StreamKind kind) {
  streams_.push_back(std::make_unique<ObservedStream>(*this, app, fd, peer, kind));
  return *streams_.back();
}

ObservedDatagram& Monitor::observe_datagram(DatagramProtocol& app, int fd) {
  datagrams_.push_back(std::make_unique<ObservedDatagram>(*this, app, fd));
  return *datagrams_.back();
}

int Monitor::open_obligation(std::string what) {
  obligations_.push_back(Obligation{std::move(what), false});
  return static_cast<int>(obligations_.size()) - 1;
}

void Monitor::discharge(int id) { obligations_.at(static_cast<std::size_t>(id)).done = true; }

void Monitor::flag(Oracle oracle, std::string message) {
  if (!oracles_.on(oracle) || violation_) return;
  if (tracer_.enabled()) {
    tracer_.record(Component::oracle,
                   "VIOLATION " + std::string(oracle_id(oracle)) + " (" +
                       std::string(oracle_title(oracle)) + "): " + message);
  }
  violation_ = Violation{oracle, std::move(message), step_};
}

void Monitor::note(Component component, const std::string& text) {
  if (tracer_.enabled()) tracer_.record(component, text);
}

// O1 also covers the transport itself: once connection_lost has run, no callback the transport
// scheduled may run. A read callback that fires after the loss is the bug, whatever it does.
const Monitor::OwnerRecord& Monitor::record_of(const void* owner) {
  static const OwnerRecord kNone;
  auto it = owners_.find(owner);
  return it == owners_.end() ? kNone : it->second;
}

void Monitor::on_callback(const Tag& tag) {
  if (tracer_.enabled()) tracer_.record(Component::loop, std::string("run ") + tag.label);
  if (!tag.owner || tag.completion) return;
  const OwnerRecord& record = record_of(tag.owner);
  // An SSL protocol's own callbacks may run after the app's connection_lost (a resume the app
  // asked for, say) and find nothing to do, as in asyncio; only the plain transports' may not.
  if (record.stream && record.stream->lost_ && record.stream->kind_ != StreamKind::ssl) {
    flag(Oracle::O1, "stream fd " + std::to_string(record.stream->fd_) + ": transport callback " +
                         tag.label + " ran after connection_lost");
  }
  if (record.datagram && record.datagram->lost_) {
    flag(Oracle::O1, "datagram fd " + std::to_string(record.datagram->fd_) + ": transport callback " +
                         tag.label + " ran after connection_lost");
  }
}

void Monitor::on_exception(const ExceptionContext& context) {
  if (!context.owner) return;
  const OwnerRecord& record = record_of(context.owner);
  if (record.stream) record.stream->note_error_reported();
  if (record.datagram) record.datagram->note_error_reported();
}

// A transport whose connection is lost must not keep timers alive: they would fire on a dead
// transport, or keep the loop from ever going idle. Checked after every step, because a
// leaked timer simply fires later and is gone by the end.
void Monitor::fingerprint(StateHasher& h) const {
  for (const auto& stream : streams_) stream->fingerprint(h);
  for (const auto& datagram : datagrams_) datagram->fingerprint(h);
  for (const Obligation& o : obligations_) h.value(o.done);
  for (const FailedTask& task : failed_tasks_) h.value(task.retrieved);
  h.value(violation_.has_value());
}

void Monitor::list_owners(std::vector<const void*>& out) const {
  for (const auto& stream : streams_) out.push_back(stream.get());
  for (const auto& datagram : datagrams_) out.push_back(datagram.get());
}

void Monitor::on_task_failed(const void* task, const char* name, const Error& error) {
  failed_tasks_.push_back({task, std::string("task ") + name + " failed with " + error.describe()});
}

void Monitor::on_task_exception_retrieved(const void* task) {
  for (FailedTask& failed : failed_tasks_) {
    if (failed.task == task) failed.retrieved = true;
  }
}

void Monitor::watch_read_ahead(const StreamReader& reader, std::string who) {
  readers_.emplace_back(&reader, std::move(who));
}

void Monitor::watch_ssl_outgoing(const SslProtocol& ssl, int fd) { ssl_protocols_.emplace_back(&ssl, fd); }

void Monitor::check_idle() {
  for (const auto& [ssl, fd] : ssl_protocols_) {
    if (std::size_t held = ssl->held_outgoing()) {
      flag(Oracle::O4, "ssl protocol fd " + std::to_string(fd) + ": the loop sleeps with " + std::to_string(held) +
                           " bytes the TLS engine made still in its outgoing BIO, though the transport could take "
                           "them (the peer may be waiting for them to finish its handshake)");
    }
  }
}

void Monitor::check_step() {
  for (const auto& stream : streams_) {
    stream->check_step();
    if (stream->lost_ && loop_.live_timers_owned_by(stream->owner()) > 0) {
      flag(Oracle::O5, "stream fd " + std::to_string(stream->fd_) +
                           ": a timer of the transport is still live after connection_lost");
    }
  }
  for (const auto& datagram : datagrams_) {
    datagram->check_step();
    if (datagram->lost_ && loop_.live_timers_owned_by(datagram->owner()) > 0) {
      flag(Oracle::O5, "datagram fd " + std::to_string(datagram->fd_) +
                           ": a timer of the transport is still live after connection_lost");
    }
  }
}

void Monitor::check_end(bool quiescent) {
  for (const auto& stream : streams_) stream->check_end(quiescent);
  for (const auto& datagram : datagrams_) datagram->check_end(quiescent);
  if (!quiescent) return;
  for (const auto& [reader, who] : readers_) {
    if (reader->buffer().empty()) continue;
    flag(Oracle::O2, who + ": " + std::to_string(reader->buffer().size()) +
                         " bytes read from the socket are still in the stream's buffer at the end: neither the "
                         "app nor TLS will ever see them");
  }
  for (const Obligation& obligation : obligations_) {
    if (!obligation.done) flag(Oracle::O4, "at quiescence, still waiting: " + obligation.what);
  }
  for (const FailedTask& task : failed_tasks_) {
    if (!task.retrieved) flag(Oracle::O6, task.what + ", and nobody ever retrieved it from the task's future");
  }
  for (int fd : kernel_ ? kernel_->open_app_fds() : std::vector<int>{}) {
    flag(Oracle::O5, "fd " + std::to_string(fd) + " is still open at the end");
  }
  if (loop_.registration_count() > 0) {
    flag(Oracle::O5, std::to_string(loop_.registration_count()) +
                         " reader/writer registration(s) left at the end");
  }
  if (loop_.live_timer_count() > 0) {
    flag(Oracle::O5, std::to_string(loop_.live_timer_count()) + " live timer(s) left at the end");
  }
}

void Monitor::on_ssl_state(const void*, SslState from, SslState to) {
  if (!legal_ssl_move(from, to)) {
    flag(Oracle::O8, std::string("ssl protocol: ") + std::string(ssl_state_name(from)) + " -> " +
                         std::string(ssl_state_name(to)) + " is not an edge of SSLProtocolState");
  }
}

void Monitor::on_app_state(const void*, AppState from, AppState to) {
  if (tracing()) note(Component::protocol, "ssl app state " + std::string(app_state_name(from)) + " -> " +
                                               std::string(app_state_name(to)));
  if (!legal_app_move(from, to)) {
    flag(Oracle::O8, std::string("ssl protocol: app state ") + std::string(app_state_name(from)) + " -> " +
                         std::string(app_state_name(to)) + " is not an edge of AppProtocolState");
  }
}

void Monitor::on_tls_error(const void* protocol, const Error& error) {
  if (ObservedStream* stream = record_of(protocol).stream) stream->note_tls_error(error);
}

// O3 as the SSL protocol sees it: the transport beneath may have paused it before it was its
// protocol (start_tls), so alternation is judged against what the protocol was told, which
// includes the state start_tls handed it.
void Monitor::on_ssl_flow(const void*, bool pause, bool believed_paused) {
  if (pause != believed_paused) return;
  flag(Oracle::O3, pause ? "ssl protocol: pause_writing while it is already paused"
                         : "ssl protocol: resume_writing without a pause_writing before it");
}

// O4: create_connection and start_tls return a transport only for a finished handshake; a
// waiter woken without an error before then hands the app a dead connection (asyncio's
// start_tls returns None) and no callback will ever tell it so.
void Monitor::on_waiter(const void* protocol, const std::optional<Error>& error, bool handshake_done) {
  if (!error && !handshake_done) {
    flag(Oracle::O4, "ssl protocol: the handshake's waiter was woken without an error, but the handshake never "
                     "finished (the connection was lost first): the app is never told its connection is gone");
  }
  if (ObservedStream* stream = record_of(protocol).stream) stream->note_waiter(error);
}

}  // namespace loopcheck
