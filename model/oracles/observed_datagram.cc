#include "model/oracles/observed_datagram.h"

#include <algorithm>

#include "model/oracles/monitor.h"

namespace loopcheck {

ObservedDatagram::ObservedDatagram(Monitor& monitor, DatagramProtocol& app, int fd)
    : monitor_(monitor), app_(&app), fd_(fd) {}

void ObservedDatagram::set_owner(const void* transport) {
  owner_ = transport;
  monitor_.bind_owner(transport, nullptr, this);
}

std::string ObservedDatagram::who() const { return "datagram fd " + std::to_string(fd_); }

bool ObservedDatagram::check_callback(const char* name) {
  if (!made_) monitor_.flag(Oracle::O1, who() + ": " + name + " before connection_made");
  if (lost_) monitor_.flag(Oracle::O1, who() + ": " + name + " after connection_lost");
  return made_ && !lost_;
}

void ObservedDatagram::connection_made(DatagramTransport& transport) {
  if (made_) monitor_.flag(Oracle::O1, who() + ": connection_made called twice");
  made_ = true;
  inner_ = &transport;
  trace("connection_made");
  app_->connection_made(*this);
}

void ObservedDatagram::datagram_received(BytesView data, const Address& from) {
  check_callback("datagram_received");
  ++delivered_;
  trace("datagram_received(" + std::to_string(data.size()) + " bytes from " + from + ")");
  app_->datagram_received(data, from);
}

void ObservedDatagram::error_received(const Error& error) {
  check_callback("error_received");
  ++errors_reported_;
  trace("error_received(" + error.describe() + ")");
  app_->error_received(error);
}

void ObservedDatagram::connection_lost(std::optional<Error> error) {
  if (lost_) monitor_.flag(Oracle::O1, who() + ": connection_lost called twice");
  if (!made_) monitor_.flag(Oracle::O1, who() + ": connection_lost without connection_made");
  ++lost_;
  if (lost_ > 1) return;
  lost_error_ = error;
  trace("connection_lost(" + (error ? error->describe() : std::string("None")) + ")");
  app_->connection_lost(std::move(error));
}

void ObservedDatagram::pause_writing() {
  if (writing_paused_) monitor_.flag(Oracle::O3, who() + ": pause_writing twice in a row");
  if (inner_->get_write_buffer_size() <= inner_->get_write_buffer_limits().high) {
    monitor_.flag(Oracle::O3, who() + ": pause_writing not above the high mark");
  }
  writing_paused_ = true;
  app_->pause_writing();
}

void ObservedDatagram::resume_writing() {
  if (!writing_paused_) monitor_.flag(Oracle::O3, who() + ": resume_writing without pause_writing");
  if (inner_->get_write_buffer_size() > inner_->get_write_buffer_limits().low) {
    monitor_.flag(Oracle::O3, who() + ": resume_writing above the low mark");
  }
  writing_paused_ = false;
  app_->resume_writing();
}

void ObservedDatagram::trace(const std::string& text) const {
  if (monitor_.tracing()) monitor_.note(Component::protocol, "fd " + std::to_string(fd_) + ": " + text);
}

Status ObservedDatagram::sendto(BytesView data, const Address& to) {
  trace("app: sendto(" + std::to_string(data.size()) + " bytes)");
  Status status = inner_->sendto(data, to);
  if (!status) ++accepted_;
  return status;
}

void ObservedDatagram::close() {
  if (!close_called_) enqueued_at_close_ = monitor_.stats(fd_).dgrams_enqueued;
  close_called_ = true;
  trace("app: close()");
  inner_->close();
}

void ObservedDatagram::abort() {
  if (!abort_called_) errors_at_abort_ = monitor_.stats(fd_).errors;
  abort_called_ = true;
  trace("app: abort()");
  inner_->abort();
}

Status ObservedDatagram::set_write_buffer_limits(std::optional<std::size_t> high,
                                                 std::optional<std::size_t> low) {
  return inner_->set_write_buffer_limits(high, low);
}

void ObservedDatagram::fingerprint(StateHasher& h) const {
  for (bool b : {made_, writing_paused_, close_called_, abort_called_}) h.value(b);
  h.value(lost_);
  h.value(lost_error_.has_value());
  if (lost_error_) h.value(lost_error_->code);
  for (std::size_t v : {delivered_, accepted_, enqueued_at_close_}) h.value(v);
  h.value(errors_reported_);
  h.value(errors_at_abort_.value_or(~std::size_t{0}));  // caps the errors owed (owed_errors)
}

void ObservedDatagram::check_step() {
  if (!inner_) return;
  if ((close_called_ || abort_called_ || lost_) && !inner_->is_closing()) {
    monitor_.flag(Oracle::O7, who() + ": is_closing() is false after close, abort or loss");
  }
}

void ObservedDatagram::check_end(bool quiescent) {
  const FdStats stats = monitor_.stats(fd_);
  // Each datagram socket error is its own report: count them, one for one. Only at quiescence:
  // in a run cut off by its bound, a report may still be on its way.
  std::size_t reported = static_cast<std::size_t>(errors_reported_) + (lost_error_ ? 1 : 0);
  std::size_t owed = owed_errors(stats, errors_at_abort_);
  if (quiescent && owed > reported) {
    monitor_.flag(Oracle::O6, who() + ": " + std::to_string(owed - reported) + " of " + std::to_string(owed) +
                                  " socket error(s) never reached error_received, connection_lost "
                                  "or the exception handler");
  }
  if (quiescent && (close_called_ || abort_called_ || inner_->is_closing()) && !lost_) {
    monitor_.flag(Oracle::O4, who() + ": " + (abort_called_ ? "abort()" : "close()") +
                                  " never reached connection_lost");
  }
  // A graceful close must flush what sendto() accepted, whether or not the close finished.
  bool closed_gracefully = close_called_ && !abort_called_ && !lost_error_;
  // A datagram the kernel refused with an error was reported (error_received) and is not lost.
  std::size_t accounted = stats.dgrams_sent + stats.send_errors;
  if (quiescent && closed_gracefully && accounted < accepted_) {
    monitor_.flag(Oracle::O2, who() + ": sendto() accepted " + std::to_string(accepted_) +
                                  " datagrams but only " + std::to_string(accounted) +
                                  " reached the kernel or were reported as errors");
  }
  bool graceful = lost_ && closed_gracefully;
  if (graceful && delivered_ < enqueued_at_close_) {
    monitor_.flag(Oracle::O10, who() + ": " + std::to_string(enqueued_at_close_ - delivered_) +
                                   " of " + std::to_string(enqueued_at_close_) +
                                   " datagrams queued before close() were never delivered");
  }
  if (lost_ && abort_called_ && stats.dropped_at_close > 0) {
    monitor_.flag(Oracle::O10, who() + ": abort() let the kernel drop " +
                                   std::to_string(stats.dropped_at_close) +
                                   " datagrams without counting them");
  }
}

}  // namespace loopcheck
