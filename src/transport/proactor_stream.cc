#include "src/transport/proactor_stream.h"

#include <utility>

#include "src/transport/protocol_calls.h"

namespace loopcheck {

ProactorStreamTransport::ProactorStreamTransport(TransportContext ctx, int fd, Protocol& protocol)
    : ctx_(ctx), fd_(fd), protocol_(&protocol) {
  ctx_.loop.call_soon(tag("connection_made"), [this] { protocol_->connection_made(*this); });
  ctx_.loop.call_soon(tag("start_read"), [this] { start_read(); });
}

void ProactorStreamTransport::start_read() {
  if (closing_ || paused_ || read_op_) return;
  // No read may follow an EOF: it would end in a second eof_received (proactor-eof-twice: 3.13's
  // resume_reading reads again after an EOF that came while reading was paused).
  if (eof_seen_ && !ctx_.bugs.on(Bug::proactor_eof_twice)) return;
  IoResult<OperationId> op = ctx_.completions->submit_recv(
      fd_, buffer_size_, tag("read_done"), [this](const CompletionResult& r) { read_done(r); });
  if (!op.ok()) {
    fatal_error(op.error(), "recv submission failed");
    return;
  }
  read_op_ = op.value();
}

void ProactorStreamTransport::read_done(const CompletionResult& r) {
  bool current = read_op_ && *read_op_ == r.id;
  bool abandoned = abandoned_reads_.erase(r.id) > 0;
  if (abandoned && ctx_.bugs.on(Bug::twisted_11020)) current = true;  // delivered anyway
  if (!current) {
    if (abandoned) drop_abandoned_read(r);
    return;  // not an operation this transport knows of
  }
  read_op_.reset();
  if (r.error) {
    fatal_error(*r.error, "fatal read error");  // a reset too: asyncio only logs it differently
    return;
  }
  trace("recv completed with " + std::to_string(r.data.size()) + " bytes");
  if (r.data.empty()) {
    eof_seen_ = true;  // even while paused: no read may follow an EOF
  } else {
    start_read();  // the next read is in flight while the protocol works
  }
  deliver(r.data);  // a view: the data is copied only if it must wait for resume_reading
}

// A read cancelled at close still completes: the kernel hands its buffer back, and any data in
// it is dropped on purpose and said so (O9), since nothing may reach the protocol after close.
// So is an error it carries (a reset that completed just before close()): asyncio 3.13 drops it
// too, since its _force_close finds connection_lost already scheduled.
void ProactorStreamTransport::drop_abandoned_read(const CompletionResult& r) {
  if (r.error && r.error->code != Errc::aborted) {
    ctx_.completions->settle(r.id, 0, Settlement::discarded);
    trace("read #" + std::to_string(r.id) + " completed after its cancel with " + r.error->describe() +
          ": dropped, as asyncio does once closing");
    return;
  }
  if (r.data.empty()) return;
  ctx_.completions->settle(r.id, r.data.size(), Settlement::discarded);
  trace("read #" + std::to_string(r.id) + " completed after its cancel: " + std::to_string(r.data.size()) +
        " bytes discarded");
}

void ProactorStreamTransport::abandon_read() {
  if (!read_op_) return;
  (void)ctx_.completions->cancel(*read_op_);  // whatever the outcome, a final completion follows
  abandoned_reads_.insert(*read_op_);
  read_op_.reset();
}

// Hands data (or EOF, as empty data) to the protocol, or keeps it while reading is paused.
void ProactorStreamTransport::deliver(BytesView data) {
  if (paused_) {
    pending_data_ = Bytes(data);
    return;
  }
  if (data.empty()) {
    eof_seen_ = true;
    bool keep_open = false;
    if (std::optional<Error> failed = guard_protocol_call([&] { keep_open = protocol_->eof_received(); })) {
      fatal_error(*failed, "Fatal error: protocol.eof_received() call failed.");
      return;
    }
    if (!keep_open) close();
    return;
  }
  if (BufferedProtocol* buffered = protocol_->as_buffered()) {
    // asyncio's proactor reads into its own buffer and copies into a buffered protocol's,
    // guarding the copy (an empty buffer or a throwing callback fails the connection); a plain
    // data_received is not guarded there: what it throws goes to the loop.
    bool fed = false;
    std::optional<Error> failed = guard_protocol_call([&] { fed = feed_buffered(*buffered, data); });
    if (!failed && !fed) failed = make_error(Errc::protocol_error, "get_buffer() returned an empty buffer");
    if (failed) fatal_error(*failed, "Fatal error: protocol.buffer_updated() call failed.");
    return;
  }
  protocol_->data_received(data);
}

void ProactorStreamTransport::pause_reading() {
  if (closing_ || paused_) return;
  paused_ = true;
  if (ctx_.bugs.on(Bug::bpo_33694) && read_op_) {
    (void)ctx_.completions->cancel(*read_op_);  // NOT_FOUND means the data is already on its way
    read_op_.reset();
  }
}

void ProactorStreamTransport::resume_reading() {
  if (closing_ || !paused_) return;
  paused_ = false;
  ctx_.loop.call_soon(tag("start_read"), [this] { start_read(); });
  if (pending_data_) {
    delivering_.push_back(std::move(*pending_data_));
    pending_data_.reset();
    ctx_.loop.call_soon(tag("deliver_pending"), [this] {
      Bytes data = std::move(delivering_.front());
      delivering_.pop_front();
      if (!closing_) deliver(data);
    });
  }
}

Status ProactorStreamTransport::write(BytesView data) {
  if (eof_requested_) return make_error(Errc::closed, "cannot call write() after write_eof()");
  if (data.empty()) return std::nullopt;
  if (conn_lost_) {
    ++conn_lost_;
    return make_error(Errc::closed, "write() after the connection was lost; data dropped");
  }
  if (!write_op_) {  // IDLE -> WRITING
    send_now(Bytes(data));
  } else {           // WRITING or BACKED UP -> BACKED UP
    buffer_.append(data);
    flow_.maybe_pause(get_write_buffer_size(), *protocol_);
  }
  return std::nullopt;
}

void ProactorStreamTransport::send_now(Bytes data) {
  std::size_t size = data.size();
  IoResult<OperationId> op = ctx_.completions->submit_send(
      fd_, std::move(data), tag("write_done"), [this](const CompletionResult& r) { write_done(r); });
  if (!op.ok()) {
    fatal_error(op.error(), "send submission failed");
    return;
  }
  write_op_ = op.value();
  pending_write_ = size;
  flow_.maybe_pause(get_write_buffer_size(), *protocol_);
}

void ProactorStreamTransport::write_done(const CompletionResult& r) {
  if (!write_op_ || *write_op_ != r.id) return;  // aborted: the kernel returns the buffer
  write_op_.reset();
  std::size_t sent = pending_write_;
  pending_write_ = 0;
  if (r.error) {
    fatal_error(*r.error, "fatal write error");  // a reset too: asyncio only logs it differently
    return;
  }
  if (r.transferred < sent) {
    // A partial completion (io_uring may give one): what the port handed back goes first,
    // ahead of the buffer.
    trace("short send: " + std::to_string(r.transferred) + " of " + std::to_string(sent));
    buffer_.prepend(r.unsent);
  }
  if (buffer_.empty()) {
    if (closing_) {
      lost_scheduled_ = true;
      ctx_.loop.call_soon(tag("call_connection_lost"), [this] { call_connection_lost(std::nullopt); });
    } else if (eof_requested_) {
      if (Status status = ctx_.sockets.shutdown_write(fd_)) fatal_error(*status, "shutdown failed");
    }
    flow_.maybe_resume(0, *protocol_);
    return;
  }
  send_now(buffer_.take());
}

Status ProactorStreamTransport::write_eof() {
  if (closing_ || eof_requested_) return std::nullopt;
  eof_requested_ = true;
  if (write_op_) return std::nullopt;
  return ctx_.sockets.shutdown_write(fd_);
}

void ProactorStreamTransport::close() {
  if (closing_) return;
  closing_ = true;
  ++conn_lost_;
  trace("close");
  if (!write_op_ && buffer_.empty()) {
    lost_scheduled_ = true;
    ctx_.loop.call_soon(tag("call_connection_lost"), [this] { call_connection_lost(std::nullopt); });
  }
  abandon_read();
  pending_data_.reset();
}

void ProactorStreamTransport::abort() {
  trace("abort");
  force_close(std::nullopt);
}

void ProactorStreamTransport::fatal_error(const Error& error, const char* where) {
  trace(std::string(where) + ": " + error.describe());
  ctx_.report_fatal(this, error, where);
  force_close(error);
}

// Cancels everything outstanding and loses the connection, even during a graceful close that
// is still waiting for its writes (an abort() after close() must end it).
void ProactorStreamTransport::force_close(std::optional<Error> error) {
  if (lost_scheduled_) return;
  if (closing_ && ctx_.bugs.on(Bug::bpo_44428)) return;  // close() is waiting for writes: stuck
  closing_ = true;
  lost_scheduled_ = true;
  ++conn_lost_;
  if (write_op_) {
    (void)ctx_.completions->cancel(*write_op_);
    write_op_.reset();
  }
  abandon_read();
  pending_write_ = 0;
  buffer_.clear();
  pending_data_.reset();
  lost_with_ = std::move(error);
  ctx_.loop.call_soon(tag("call_connection_lost"), [this] { call_connection_lost(lost_with_); });
}

void ProactorStreamTransport::call_connection_lost(std::optional<Error> error) {
  connection_lost_then_close(ctx_, fd_, *protocol_, std::move(error));
}

Status ProactorStreamTransport::set_write_buffer_limits(std::optional<std::size_t> high,
                                                        std::optional<std::size_t> low) {
  if (Status status = flow_.set_limits(high, low)) return status;
  flow_.maybe_pause(get_write_buffer_size(), *protocol_);
  return std::nullopt;
}

Status ProactorStreamTransport::set_buffer_size(std::size_t bytes) {
  if (bytes == 0) return make_error(Errc::invalid_argument, "buffer_size must be at least 1 byte, got 0");
  buffer_size_ = bytes;
  return std::nullopt;
}

std::optional<std::string> ProactorStreamTransport::get_extra_info(std::string_view name) const {
  if (name == "socket") return std::to_string(fd_);
  if (name == "sockname") return ctx_.sockets.sockname(fd_);
  if (name == "peername") return ctx_.sockets.peername(fd_);
  return std::nullopt;
}

void ProactorStreamTransport::fingerprint(StateHasher& h) const {
  h.value(fd_);
  h.value(h.owner(protocol_));
  h.value(buffer_size_);
  h.value(h.operation(read_op_.value_or(0)));
  h.value(abandoned_reads_.size());
  for (OperationId id : abandoned_reads_) h.value(h.operation(id));
  h.value(pending_data_.has_value());
  if (pending_data_) h.text(*pending_data_);
  h.value(delivering_.size());
  for (const Bytes& data : delivering_) h.text(data);
  h.value(h.operation(write_op_.value_or(0)));
  h.value(pending_write_);
  h.text(buffer_.view());
  flow_.fingerprint(h);
  for (bool b : {closing_, paused_, eof_requested_, eof_seen_, lost_scheduled_}) h.value(b);
  h.value(conn_lost_ > 0);  // its count (writes after the loss) is read only as nonzero
  h.value(lost_with_.has_value());
  if (lost_with_) h.value(lost_with_->code);
}

}  // namespace loopcheck
