#include "src/streams/stream_reader.h"

#include <utility>

namespace loopcheck {

void StreamReader::feed_data(BytesView data) {
  if (data.empty()) return;
  buffer_.append(data.data(), data.size());
  wake();
  if (transport_ && !paused_ && buffer_.size() > 2 * limit_) {
    paused_ = true;
    transport_->pause_reading();
  }
}

void StreamReader::feed_eof() {
  eof_ = true;
  wake();
}

void StreamReader::set_exception(const Error& error) {
  error_ = error;
  wake();
}

Bytes StreamReader::take_buffer() {
  Bytes taken = std::move(buffer_);
  buffer_.clear();
  return taken;
}

// asyncio's _wakeup_waiter: the waiting task resumes on a later turn, not inside the callback
// that fed the data (so a read-ahead stays in the buffer until then).
void StreamReader::wake() {
  if (waiting_ == Kind::none || wake_scheduled_) return;
  wake_scheduled_ = true;
  loop_.call_soon(tag("stream_reader.wakeup"), [this] {
    wake_scheduled_ = false;
    try_finish();
  });
}

void StreamReader::maybe_resume_transport() {
  if (buffer_.size() <= limit_) resume_if_paused();
}

void StreamReader::resume_if_paused() {
  if (paused_) {
    paused_ = false;
    transport_->resume_reading();
  }
}

// Finishes the waiting read if the buffer (or the stream's end) can answer it now.
// Otherwise the read waits, and as asyncio's _wait_for_data it first resumes a transport the
// reader paused, which would never bring more.
void StreamReader::try_finish() {
  if (waiting_ == Kind::none) return;
  StreamRead out;
  if (error_) {
    out.error = error_;
  } else if (waiting_ == Kind::line) {
    std::size_t end = buffer_.find('\n');
    if (end != Bytes::npos && end > limit_) {  // LimitOverrunError: readline drops the line
      buffer_.erase(0, end + 1);
      out.error = make_error(Errc::invalid_argument, "Separator is found, but chunk is longer than limit");
    } else if (end != Bytes::npos) {
      out.data = buffer_.substr(0, end + 1);
      buffer_.erase(0, end + 1);
    } else if (buffer_.size() > limit_) {  // LimitOverrunError: readline drops the buffer
      buffer_.clear();
      out.error = make_error(Errc::invalid_argument, "Separator is not found, and chunk exceed the limit");
    } else if (eof_) {  // IncompleteReadError: readline returns the partial line
      out.data = take_buffer();
      out.eof_early = !out.data.empty();
    } else {
      resume_if_paused();
      return;
    }
  } else if (waiting_ == Kind::exactly) {
    if (buffer_.size() >= want_) {
      out.data = buffer_.substr(0, want_);
      buffer_.erase(0, want_);
    } else if (eof_) {
      out.data = take_buffer();
      out.eof_early = true;
    } else {
      resume_if_paused();
      return;
    }
  } else {
    if (buffer_.empty() && !eof_) {
      resume_if_paused();
      return;
    }
    out.data = buffer_.substr(0, want_);
    buffer_.erase(0, out.data.size());
  }
  maybe_resume_transport();
  waiting_ = Kind::none;
  ReadDone done = std::move(done_);
  done_ = nullptr;
  done(std::move(out));
}

Status StreamReader::readline(ReadDone done) {
  if (waiting_ != Kind::none) return make_error(Errc::already, "readline() called while another read is waiting");
  waiting_ = Kind::line;
  done_ = std::move(done);
  try_finish();
  return std::nullopt;
}

Status StreamReader::readexactly(std::size_t n, ReadDone done) {
  if (waiting_ != Kind::none) return make_error(Errc::already, "readexactly() called while another read is waiting");
  waiting_ = Kind::exactly;
  want_ = n;
  done_ = std::move(done);
  try_finish();
  return std::nullopt;
}

Status StreamReader::read(std::size_t n, ReadDone done) {
  if (waiting_ != Kind::none) return make_error(Errc::already, "read() called while another read is waiting");
  if (n == 0) {
    done(StreamRead{});
    return std::nullopt;
  }
  waiting_ = Kind::some;
  want_ = n;
  done_ = std::move(done);
  try_finish();
  return std::nullopt;
}

void StreamReader::fingerprint(StateHasher& h) const {
  h.text(buffer_);
  h.value(eof_);
  h.value(error_.has_value());
  h.value(paused_);
  h.value(static_cast<int>(waiting_));
  h.value(want_);
  h.value(wake_scheduled_);
}

// ---- StreamReaderProtocol ----------------------------------------------------------------

void StreamReaderProtocol::connection_made(Transport& transport) {
  transport_ = &transport;
  reader_.set_transport(transport);
  over_ssl_ = transport.get_extra_info("sslcontext").has_value();
  // asyncio starts client_connected_cb as a task: its first step runs on the next turn.
  if (client_connected_) {
    Transport* t = &transport;
    Connected cb = client_connected_;
    // The reader's loop is the protocol's; the reader owns no transport-specific state here.
    reader_.loop().call_soon(Tag{this, "client_connected_cb"}, [cb, t] { cb(*t); });
  }
}

bool StreamReaderProtocol::eof_received() {
  reader_.feed_eof();
  return !over_ssl_;  // keep the transport open for writing, except over SSL
}

void StreamReaderProtocol::connection_lost(std::optional<Error> error) {
  if (error) {
    reader_.set_exception(*error);
  } else {
    reader_.feed_eof();
  }
  lost_ = true;
  lost_error_ = error;
  wake_drain_waiters(error);
  transport_ = nullptr;
}

void StreamReaderProtocol::resume_writing() {
  writing_paused_ = false;
  wake_drain_waiters(std::nullopt);
}

// Each waiting drain() resumes on a later turn, with the connection's error if it was lost.
// The label says which: the fingerprint sees a queued callback only by its owner and label.
void StreamReaderProtocol::wake_drain_waiters(const std::optional<Error>& error) {
  for (auto& waiter : drain_waiters_) {
    reader_.loop().call_soon(Tag{this, error ? "drain.wakeup(lost)" : "drain.wakeup"},
                             [waiter, error] { waiter(error); });
  }
  drain_waiters_.clear();
}

void StreamReaderProtocol::replace_transport(Transport& transport, bool over_ssl) {
  transport_ = &transport;
  over_ssl_ = over_ssl;
}

void StreamReaderProtocol::drain_helper(std::function<void(std::optional<Error>)> done) {
  if (lost_) {
    done(make_error(Errc::connection_reset, "Connection lost"));
    return;
  }
  if (!writing_paused_) {
    done(std::nullopt);
    return;
  }
  drain_waiters_.push_back(std::move(done));
}

void StreamReaderProtocol::fingerprint(StateHasher& h) const {
  h.value(over_ssl_);
  h.value(writing_paused_);
  h.value(lost_);
  h.value(lost_error_.has_value());  // what a drain woken by the loss is told
  if (lost_error_) h.value(lost_error_->code);
  h.value(drain_waiters_.size());
}

}  // namespace loopcheck
