#include "model/oracles/observed_stream.h"

#include <algorithm>
#include <cstdio>

#include "model/oracles/monitor.h"

namespace loopcheck {

ObservedStream::ObservedStream(Monitor& monitor, Protocol& app, int fd, const StreamPeerView* peer,
                               StreamKind kind)
    : monitor_(monitor), app_(&app), fd_(fd), peer_(peer), kind_(kind) {}

// asyncio's selector transports remove the reader at close() and abort(), so no read callback
// follows either. Its proactor transports deliver a recv that completed before the cancel even
// after close() (the `finally` of _loop_reading), and its SSL transport reads on while it
// flushes (FLUSHING), so there only abort() ends reading here.
// After abort() the write buffer is gone, so no flow-control callback follows in either family.
void ObservedStream::check_not_after_close(const char* callback, bool after_close_too) {
  if (lost_) return;  // "after connection_lost" is its own O1 message
  if (abort_called_) monitor_.flag(Oracle::O1, who() + ": " + callback + " after abort()");
  if (after_close_too && close_called_) monitor_.flag(Oracle::O1, who() + ": " + callback + " after close()");
}

std::string ObservedStream::who() const {
  return (kind_ == StreamKind::ssl ? "ssl over fd " : "stream fd ") + std::to_string(fd_);
}

void ObservedStream::connection_made(Transport& transport) {
  if (made_) monitor_.flag(Oracle::O1, who() + ": connection_made called twice");
  if (lost_) monitor_.flag(Oracle::O1, who() + ": connection_made after connection_lost");
  made_ = true;
  inner_ = &transport;
  trace("connection_made");
  app_->connection_made(*this);
}

void ObservedStream::data_received(BytesView data) {
  check_data(data);
  trace("data_received(" + std::to_string(data.size()) + " bytes, " + std::to_string(received_) + " in all)");
  app_->data_received(data);
}

std::span<char> ObservedStream::get_buffer(std::int64_t sizehint) {
  lent_ = app_->as_buffered()->get_buffer(sizehint);
  return lent_;
}

void ObservedStream::buffer_updated(std::size_t nbytes) {
  if (nbytes > lent_.size()) {
    monitor_.flag(Oracle::O1, who() + ": buffer_updated(" + std::to_string(nbytes) +
                                  ") beyond the " + std::to_string(lent_.size()) + "-byte buffer lent");
    nbytes = lent_.size();
  }
  check_data(BytesView(lent_.data(), nbytes));
  trace("buffer_updated(" + std::to_string(nbytes) + " bytes, " + std::to_string(received_) + " in all)");
  app_->as_buffered()->buffer_updated(nbytes);
}

void ObservedStream::check_data(BytesView data) {
  // Bytes first: delivering the wrong bytes (ciphertext as plaintext) is the finding that
  // explains the rest.
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
  if (!made_) monitor_.flag(Oracle::O1, who() + ": data_received before connection_made");
  if (lost_) monitor_.flag(Oracle::O1, who() + ": data_received after connection_lost");
  if (eof_) monitor_.flag(Oracle::O1, who() + ": data_received after eof_received");
  if (app_paused_reading_) {
    monitor_.flag(Oracle::O1, who() + ": data_received while reading is paused");
  }
  check_not_after_close("data_received", kind_ == StreamKind::selector);
  received_ += data.size();
}

bool ObservedStream::eof_received() {
  if (!made_ || lost_ || eof_) {
    monitor_.flag(Oracle::O1, who() + ": eof_received out of order (made=" + std::to_string(made_) +
                                  " lost=" + std::to_string(lost_) + " eof=" + std::to_string(eof_) + ")");
  }
  // asyncio's SSL transport still calls eof_received after an abort() made inside the
  // data_received of the same read, when that read also brought the close_notify
  // (_do_read__copied goes on to _call_eof_received, whose app state is still CON_MADE).
  if (kind_ != StreamKind::ssl) check_not_after_close("eof_received", kind_ == StreamKind::selector);
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
  // The plain transports pause above the high mark, asyncio's SSL protocol at it.
  bool early = kind_ == StreamKind::ssl ? size < limits.high : size <= limits.high;
  if (early) {
    monitor_.flag(Oracle::O3, who() + ": pause_writing at " + std::to_string(size) + " bytes, below the high mark " +
                                  std::to_string(limits.high));
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

void ObservedStream::set_owner(const void* transport) {
  owner_ = transport;
  monitor_.bind_owner(transport, this, nullptr);
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

// As write(), for the chunks joined: O2 counts what the call accepted, in the stream's order.
Status ObservedStream::writelines(const std::vector<Bytes>& chunks) {
  std::size_t total = 0;
  for (const Bytes& chunk : chunks) total += chunk.size();
  trace("app: writelines(" + std::to_string(chunks.size()) + " chunks, " + std::to_string(total) + " bytes)");
  std::size_t mark = accepted_.size();
  if (peer_) {
    for (const Bytes& chunk : chunks) accepted_.append(chunk.data(), chunk.size());
  }
  Status status = inner_->writelines(chunks);
  if (status && peer_) accepted_.erase(mark, total);
  if (!status) accepted_bytes_ += total;
  note_status(status);
  return status;
}

void ObservedStream::sendfile_started(const FileObject& file, std::uint64_t offset, std::optional<std::size_t> count) {
  trace("app: sendfile(offset " + std::to_string(offset) + ", " +
        (count ? "count " + std::to_string(*count) : std::string("to the end")) + ", a " +
        std::to_string(file.size()) + "-byte " + (file.fileno() ? "regular file" : "file without fileno") + ")");
  ++sendfiles_;
}

void ObservedStream::sendfile_finished(const FileObject& file, std::uint64_t offset, std::optional<std::size_t> count,
                                       const SendfileResult& result) {
  --sendfiles_;
  if (result.native && result.sent > 0) {
    Bytes sent = file.pread(offset, result.sent);
    if (peer_) accepted_ += sent;
    accepted_bytes_ += sent.size();
  }
  note_status(result.error);
  if (result.error) return;
  // Returned: the whole range has left (asyncio's sendfile stops early only by raising).
  std::uint64_t size = file.size();
  std::uint64_t rest = offset < size ? size - offset : 0;
  std::uint64_t owed = count && *count > 0 ? std::min<std::uint64_t>(*count, rest) : rest;
  if (result.sent != owed) {
    monitor_.flag(Oracle::O2, who() + ": sendfile(offset " + std::to_string(offset) + ") of a " + std::to_string(size) +
                                  "-byte file returned " + std::to_string(result.sent) + " bytes sent, not the " +
                                  std::to_string(owed) + " it was asked for: the rest never left");
  }
}

Status ObservedStream::write_eof() {
  trace("app: write_eof()");
  Status status = inner_->write_eof();
  note_status(status);
  return status;
}

void ObservedStream::close() {
  close_called_ = true;
  if (!closed_at_) closed_at_ = monitor_.loop().time();
  trace("app: close()");
  inner_->close();
}

void ObservedStream::abort() {
  if (!abort_called_) errors_at_abort_ = monitor_.stats(fd_).errors;
  abort_called_ = true;
  trace("app: abort()");
  inner_->abort();
}

// The SSL protocol's way of aborting the transport beneath it: an abort, as far as O1 goes.
void ObservedStream::force_close(std::optional<Error> error) {
  if (!abort_called_) errors_at_abort_ = monitor_.stats(fd_).errors;
  abort_called_ = true;
  trace("force_close(" + (error ? error->describe() : std::string("None")) + ")");
  inner_->force_close(std::move(error));
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
  // What write() accepted is read by O2 at the end, only after a graceful close (no abort, no
  // error, no reset: each final once it came), and by O7's buffer check, only until the
  // transport closes (is_closing() false after close(), abort() or connection_lost is
  // flagged by O7 before that check). Past those, states that wrote more or less alike are
  // the same state: an empty value is written instead (the flags that decide are hashed
  // above), and the kernel is asked only when there are accepted bytes to hash.
  bool accepted_read = !accepted_.empty() && !abort_called_ && !lost_error_ &&
                       monitor_.stats(fd_).resets_after_close == 0;
  h.text(accepted_read ? BytesView(accepted_) : BytesView());
  bool buffer_checked = kind_ != StreamKind::ssl && !close_called_ && !abort_called_ && !lost_;
  h.value(buffer_checked ? accepted_bytes_ : 0);
  // O6 asks only whether any error was reported, and whether any was owed before an abort:
  // owed_errors() is the kernel's count (hashed there) capped by its count at the abort.
  h.value(errors_reported_ > 0);
  h.value(errors_at_abort_.has_value() && *errors_at_abort_ > 0);
  // What the end-of-run verdicts read (O6 over TLS, O4 after a failed start_tls).
  h.value(adopted_);
  h.value(waiter_error_);
  h.value(tls_error_.has_value());
  h.value(sendfiles_);
  // The close deadline (O4 over TLS) counts from the close, but only until the connection
  // beneath is lost or the deadline flagged: after that nothing reads the time of the close,
  // and states that differ only in how long ago it was have the same future.
  bool deadline_running = closed_at_ && beneath_ && !beneath_->lost() && !deadline_flagged_;
  h.time(deadline_running ? *closed_at_ : -1);
}

void ObservedStream::check_step() {
  check_close_deadline();
  if (!inner_) return;
  bool closing = inner_->is_closing();
  if ((close_called_ || abort_called_ || lost_) && !closing) {
    monitor_.flag(Oracle::O7, who() + ": is_closing() is false after " +
                                  (lost_ ? "connection_lost" : close_called_ ? "close()" : "abort()"));
  }
  // What the transport says of itself against what the monitor saw. is_reading() is asyncio's
  // `not paused and not closing`; after an EOF kept half-open asyncio itself still says true
  // with its reader gone, so that case is left alone.
  // asyncio's SSL transport answers only whether the app paused reading.
  bool expect_reading = kind_ == StreamKind::ssl ? !app_paused_reading_ : !closing && !app_paused_reading_;
  if (!eof_ && inner_->is_reading() != expect_reading) {
    monitor_.flag(Oracle::O7, who() + ": is_reading() is " + (inner_->is_reading() ? "true" : "false") +
                                  (closing ? " while closing" : app_paused_reading_ ? " after pause_reading()"
                                                                                   : " with reading never paused"));
  }
  // Until it closes, a transport's write buffer holds at least what write() accepted and the
  // kernel has not taken. The selector transport sends synchronously, so it holds exactly
  // that. A proactor send in flight still counts in asyncio's figure after the kernel took it,
  // so there the buffer may hold more, but never more than write() accepted.
  // The SSL transport's buffer is ciphertext and backlog, with no kernel count to hold it to.
  if (!closing && kind_ != StreamKind::ssl) {
    std::size_t sent = monitor_.stats(fd_).stream_bytes_sent;
    std::size_t unsent = accepted_bytes_ > sent ? accepted_bytes_ - sent : 0;
    std::size_t size = inner_->get_write_buffer_size();
    if (kind_ == StreamKind::proactor ? size < unsent || size > accepted_bytes_ : size != unsent) {
      monitor_.flag(Oracle::O7, who() + ": get_write_buffer_size() is " + std::to_string(size) +
                                    ", but write() accepted " + std::to_string(accepted_bytes_) +
                                    " bytes and the kernel took " + std::to_string(sent));
    }
  }
}

// O4 with a clock: asyncio 3.13 promises that a close() of an SSL transport gives up the
// connection beneath within its shutdown timeout (at once during the handshake), so a
// connection still open a second after that is a hang even if something frees it later.
void ObservedStream::check_close_deadline() {
  if (!beneath_ || !closed_at_ || beneath_->lost() || deadline_flagged_) return;
  Nanos limit = add_time(*closed_at_, shutdown_timeout_ + kSecond);
  if (monitor_.loop().time() <= limit) return;
  deadline_flagged_ = true;
  // How long ago, not when: a real run's clock counts from boot.
  char ago[32];
  std::snprintf(ago, sizeof ago, "%.3f", static_cast<double>(monitor_.loop().time() - *closed_at_) / kSecond);
  monitor_.flag(Oracle::O4, who() + ": close(), " + ago + " s ago, has not released the connection beneath " +
                                "after the " + std::to_string(shutdown_timeout_ / kSecond) + " s shutdown timeout");
}

void ObservedStream::check_end(bool quiescent) {
  const FdStats stats = monitor_.stats(fd_);
  // Only at quiescence: in a run cut off by its bound, the error may still be on its way.
  // Over TLS the socket's errors are owed one layer down, where the plain transport's own
  // record judges them; the SSL protocol passes them on as connection_lost or to the waiter.
  std::size_t owed = kind_ == StreamKind::ssl ? 0 : owed_errors(stats, errors_at_abort_);
  if (quiescent && owed > 0 && !lost_error_ && errors_reported_ == 0) {
    monitor_.flag(Oracle::O6, who() + ": " + std::to_string(owed) +
                                  " socket error(s) never reached the protocol");
  }
  // A TLS failure (an alert, a bad record, a failed or timed-out handshake) must reach the app:
  // as its connection_lost(error), or, before it had a connection, as the waiter's error.
  if (quiescent && tls_error_ && !lost_error_ && !waiter_error_ && !abort_called_) {
    monitor_.flag(Oracle::O6, who() + ": the TLS failure '" + tls_error_->describe() +
                                  "' reached neither connection_lost nor the handshake's waiter");
  }
  // A close the transport started itself (EOF, a fatal error) must finish too. An SSL app that
  // never got connection_made (it closed during the handshake) is owed no connection_lost:
  // there the socket beneath must go, and the deadline check above holds it to that. Nor is
  // the app of a start_tls whose handshake failed: asyncio raises the error from start_tls,
  // and the SSL protocol, still in DO_HANDSHAKE when the connection goes, tells the app nothing.
  bool owed_lost = (made_ && !(adopted_ && waiter_error_)) || kind_ != StreamKind::ssl;
  if (quiescent && owed_lost && (close_called_ || abort_called_ || (inner_ && inner_->is_closing())) && !lost_) {
    monitor_.flag(Oracle::O4, who() + ": " + (abort_called_ ? "abort()" : "close()") +
                                  " never reached connection_lost");
  }
  // loop.sendfile must end once the connection has: returned, or raised what ended it.
  if (quiescent && lost_ && sendfiles_ > 0) {
    monitor_.flag(Oracle::O4, who() + ": connection_lost has come, but loop.sendfile has neither returned nor raised");
  }
  // A close that TCP itself turned into a reset (unread or late data) owes the peer nothing.
  bool graceful = lost_ && !lost_error_ && !abort_called_ && stats.resets_after_close == 0;
  if (quiescent && graceful && peer_ && peer_->reads_to_eof()) {
    const Bytes& got = peer_->received();
    if (got == accepted_ && !peer_->clean_end()) {
      monitor_.flag(Oracle::O2, who() + ": after a graceful close the peer has all " + std::to_string(got.size()) +
                                    " bytes but no close_notify: it cannot tell them from a cut stream");
    }
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
