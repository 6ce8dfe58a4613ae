#include "model/oracles/observed_stream.h"

#include <algorithm>

#include "model/oracles/monitor.h"

namespace loopcheck {

ObservedStream::ObservedStream(Monitor& monitor, Protocol& app, int fd, const StreamPeerView* peer,
                               bool completion_mode)
    : monitor_(monitor), app_(&app), fd_(fd), peer_(peer), completion_mode_(completion_mode) {}

// asyncio's selector transports remove the reader at close() and abort(), so no read callback
// follows either. Its proactor transports deliver a recv that completed before the cancel even
// after close() (the `finally` of _loop_reading), so there only abort() ends reading here.
// After abort() the write buffer is gone, so no flow-control callback follows in either family.
void ObservedStream::check_not_after_close(const char* callback, bool after_close_too) {
  if (lost_) return;  // "after connection_lost" is its own O1 message
  if (abort_called_) monitor_.flag(Oracle::O1, who() + ": " + callback + " after abort()");
  if (after_close_too && close_called_) monitor_.flag(Oracle::O1, who() + ": " + callback + " after close()");
}

std::string ObservedStream::who() const { return "stream fd " + std::to_string(fd_); }

void ObservedStream::connection_made(Transport& transport) {
  if (made_) monitor_.flag(Oracle::O1, who() + ": connection_made called twice");
  if (lost_) monitor_.flag(Oracle::O1, who() + ": connection_made after connection_lost");
  made_ = true;
  inner_ = &transport;
  trace("connection_made");
  app_->connection_made(*this);
}

void ObservedStream::data_received(BytesView data) {
  if (!made_) monitor_.flag(Oracle::O1, who() + ": data_received before connection_made");
  if (lost_) monitor_.flag(Oracle::O1, who() + ": data_received after connection_lost");
  if (eof_) monitor_.flag(Oracle::O1, who() + ": data_received after eof_received");
  if (app_paused_reading_) {
    monitor_.flag(Oracle::O1, who() + ": data_received while reading is paused");
  }
  check_not_after_close("data_received", !completion_mode_);
  if (peer_) {
    const Bytes& sent = peer_->sent();
    bool in_order = received_ + data.size() <= sent.size() &&
                    BytesView(sent).substr(received_, data.size()) == data;
    if (!in_order) {
      monitor_.flag(Oracle::O2, who() + ": bytes [" + std::to_string(received_) + ", " +
                                    std::to_string(received_ + data.size()) +
                                    ") are not what the peer sent there");
    }
  }
  received_ += data.size();
  trace("data_received(" + std::to_string(data.size()) + " bytes, " + std::to_string(received_) + " in all)");
  app_->data_received(data);
}

bool ObservedStream::eof_received() {
  if (!made_ || lost_ || eof_) {
    monitor_.flag(Oracle::O1, who() + ": eof_received out of order (made=" + std::to_string(made_) +
                                  " lost=" + std::to_string(lost_) + " eof=" + std::to_string(eof_) + ")");
  }
  check_not_after_close("eof_received", !completion_mode_);
  eof_ = true;
  if (peer_ && received_ != peer_->sent().size()) {
    monitor_.flag(Oracle::O2, who() + ": EOF after " + std::to_string(received_) + " of " +
                                  std::to_string(peer_->sent().size()) + " bytes the peer sent");
  }
  bool keep_open = app_->eof_received();
  trace(std::string("eof_received -> ") + (keep_open ? "true (stay half-open)" : "false"));
  return keep_open;
}

void ObservedStream::connection_lost(std::optional<Error> error) {
  if (lost_) monitor_.flag(Oracle::O1, who() + ": connection_lost called twice");
  if (!made_) monitor_.flag(Oracle::O1, who() + ": connection_lost without connection_made");
  ++lost_;
  if (lost_ > 1) return;  // never forward a second connection_lost to the application
  lost_error_ = error;
  trace("connection_lost(" + (error ? error->describe() : std::string("None")) + ")");
  app_->connection_lost(std::move(error));
}

void ObservedStream::pause_writing() {
  WriteLimits limits = inner_->get_write_buffer_limits();
  std::size_t size = inner_->get_write_buffer_size();
  if (writing_paused_) monitor_.flag(Oracle::O3, who() + ": pause_writing twice in a row");
  check_not_after_close("pause_writing", false);
  if (size <= limits.high) {
    monitor_.flag(Oracle::O3, who() + ": pause_writing at " + std::to_string(size) +
                                  " bytes, not above the high mark " + std::to_string(limits.high));
  }
  writing_paused_ = true;
  trace("pause_writing (buffer " + std::to_string(size) + ")");
  app_->pause_writing();
}

void ObservedStream::resume_writing() {
  WriteLimits limits = inner_->get_write_buffer_limits();
  std::size_t size = inner_->get_write_buffer_size();
  if (!writing_paused_) monitor_.flag(Oracle::O3, who() + ": resume_writing without pause_writing");
  check_not_after_close("resume_writing", false);
  if (size > limits.low) {
    monitor_.flag(Oracle::O3, who() + ": resume_writing at " + std::to_string(size) +
                                  " bytes, above the low mark " + std::to_string(limits.low));
  }
  writing_paused_ = false;
  trace("resume_writing (buffer " + std::to_string(size) + ")");
  app_->resume_writing();
}

void ObservedStream::note_status(const Status& status) {
  if (status && status->code != Errc::closed && status->code != Errc::invalid_argument) {
    ++errors_reported_;
  }
}

void ObservedStream::trace(const std::string& text) const {
  if (monitor_.tracing()) monitor_.note(Component::protocol, "fd " + std::to_string(fd_) + ": " + text);
}

Status ObservedStream::write(BytesView data) {
  trace("app: write(" + std::to_string(data.size()) + " bytes)");
  // Recorded before the call: the transport may call pause_writing() inside it, and a write
  // the app makes there comes after this one in the stream. Taken back if the write fails.
  std::size_t mark = accepted_.size();
  if (peer_) accepted_.append(data.data(), data.size());  // only O2 reads them
  Status status = inner_->write(data);
  if (status && peer_) accepted_.erase(mark, data.size());
  if (!status) accepted_bytes_ += data.size();
  note_status(status);
  return status;
}

Status ObservedStream::write_eof() {
  trace("app: write_eof()");
  Status status = inner_->write_eof();
  note_status(status);
  return status;
}

void ObservedStream::close() {
  close_called_ = true;
  trace("app: close()");
  inner_->close();
}

void ObservedStream::abort() {
  if (!abort_called_) errors_at_abort_ = monitor_.stats(fd_).errors;
  abort_called_ = true;
  trace("app: abort()");
  inner_->abort();
}

void ObservedStream::pause_reading() {
  app_paused_reading_ = true;
  trace("app: pause_reading()");
  inner_->pause_reading();
}

void ObservedStream::resume_reading() {
  app_paused_reading_ = false;
  trace("app: resume_reading()");
  inner_->resume_reading();
}

Status ObservedStream::set_write_buffer_limits(std::optional<std::size_t> high,
                                               std::optional<std::size_t> low) {
  return inner_->set_write_buffer_limits(high, low);
}

void ObservedStream::fingerprint(StateHasher& h) const {
  for (bool b : {made_, eof_, app_paused_reading_, writing_paused_, close_called_, abort_called_}) h.value(b);
  h.value(lost_);
  h.value(lost_error_.has_value());
  if (lost_error_) h.value(lost_error_->code);
  h.value(received_);
  h.text(accepted_);
  h.value(accepted_bytes_);
  h.value(errors_reported_);
}

void ObservedStream::check_step() {
  if (!inner_) return;
  bool closing = inner_->is_closing();
  if ((close_called_ || abort_called_ || lost_) && !closing) {
    monitor_.flag(Oracle::O7, who() + ": is_closing() is false after " +
                                  (lost_ ? "connection_lost" : close_called_ ? "close()" : "abort()"));
  }
  // What the transport says of itself against what the monitor saw. is_reading() is asyncio's
  // `not paused and not closing`; after an EOF kept half-open asyncio itself still says true
  // with its reader gone, so that case is left alone.
  if (!eof_ && inner_->is_reading() != (!closing && !app_paused_reading_)) {
    monitor_.flag(Oracle::O7, who() + ": is_reading() is " + (inner_->is_reading() ? "true" : "false") +
                                  (closing ? " while closing" : app_paused_reading_ ? " after pause_reading()"
                                                                                   : " with reading never paused"));
  }
  // Until it closes, a transport's write buffer holds at least what write() accepted and the
  // kernel has not taken. The selector transport sends synchronously, so it holds exactly
  // that. A proactor send in flight still counts in asyncio's figure after the kernel took it,
  // so there the buffer may hold more, but never more than write() accepted.
  if (!closing) {
    std::size_t sent = monitor_.stats(fd_).stream_bytes_sent;
    std::size_t unsent = accepted_bytes_ > sent ? accepted_bytes_ - sent : 0;
    std::size_t size = inner_->get_write_buffer_size();
    if (completion_mode_ ? size < unsent || size > accepted_bytes_ : size != unsent) {
      monitor_.flag(Oracle::O7, who() + ": get_write_buffer_size() is " + std::to_string(size) +
                                    ", but write() accepted " + std::to_string(accepted_bytes_) +
                                    " bytes and the kernel took " + std::to_string(sent));
    }
  }
}

void ObservedStream::check_end(bool quiescent) {
  const FdStats stats = monitor_.stats(fd_);
  // Only at quiescence: in a run cut off by its bound, the error may still be on its way.
  std::size_t owed = owed_errors(stats, errors_at_abort_);
  if (quiescent && owed > 0 && !lost_error_ && errors_reported_ == 0) {
    monitor_.flag(Oracle::O6, who() + ": " + std::to_string(owed) +
                                  " socket error(s) never reached the protocol");
  }
  // A close the transport started itself (EOF, a fatal error) must finish too.
  if (quiescent && (close_called_ || abort_called_ || (inner_ && inner_->is_closing())) && !lost_) {
    monitor_.flag(Oracle::O4, who() + ": " + (abort_called_ ? "abort()" : "close()") +
                                  " never reached connection_lost");
  }
  // A close that TCP itself turned into a reset (unread or late data) owes the peer nothing.
  bool graceful = lost_ && !lost_error_ && !abort_called_ && stats.resets_after_close == 0;
  if (quiescent && graceful && peer_ && peer_->reads_to_eof()) {
    const Bytes& got = peer_->received();
    if (got != accepted_) {
      monitor_.flag(Oracle::O2, who() + ": after a graceful close the peer has " +
                                    std::to_string(got.size()) + " of the " +
                                    std::to_string(accepted_.size()) + " bytes write() accepted" +
                                    (BytesView(accepted_).substr(0, got.size()) == got
                                         ? ""
                                         : " (and they differ)"));
    }
  }
}

}  // namespace loopcheck
