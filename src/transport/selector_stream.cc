#include "src/transport/selector_stream.h"

#include <span>
#include <type_traits>
#include <utility>

#include "src/transport/protocol_calls.h"

namespace loopcheck {

SelectorStreamTransport::SelectorStreamTransport(TransportContext ctx, int fd, Protocol& protocol)
    : ctx_(ctx), fd_(fd), protocol_(&protocol) {
  ctx_.loop.call_soon(tag("connection_made"), [this] { protocol_->connection_made(*this); });
  ctx_.loop.call_soon(tag("start_reading"), [this] { start_reading(); });
}

void SelectorStreamTransport::start_reading() {
  if (!is_reading() && !ctx_.bugs.on(Bug::bpo_27223)) return;
  (void)ctx_.loop.add_reader(fd_, tag("read_ready"), [this] { read_ready(); });
}

// asyncio's _read_ready: a BufferedProtocol lends its buffer (_read_ready__get_buffer), any
// other protocol is handed what one recv returned (_read_ready__data_received).
void SelectorStreamTransport::read_ready() {
  if (conn_lost_) return;
  if (BufferedProtocol* buffered = protocol_->as_buffered()) {
    read_ready_get_buffer(*buffered);
  } else {
    read_ready_data_received();
  }
}

// The protocol lends its buffer first, then recv_into fills it. An empty buffer, or a protocol
// callback that throws, is the protocol's error and fails the connection.
void SelectorStreamTransport::read_ready_get_buffer(BufferedProtocol& buffered) {
  std::span<char> buffer;
  std::optional<Error> failed = guard_protocol_call([&] { buffer = buffered.get_buffer(-1); });
  if (!failed && buffer.empty()) failed = make_error(Errc::protocol_error, "get_buffer() returned an empty buffer");
  if (failed) {
    fatal_error(*failed, "Fatal error: protocol.get_buffer() call failed.");
    return;
  }
  IoResult<std::size_t> got = ctx_.sockets.recv_into(fd_, buffer);
  if (!received_data(got)) return;
  trace("recv_into " + std::to_string(got.value()) + " bytes");
  if (std::optional<Error> failed = guard_protocol_call([&] { buffered.buffer_updated(got.value()); })) {
    fatal_error(*failed, "Fatal error: protocol.buffer_updated() call failed.");
  }
}

// The bytes are only lent by the socket layer (recv_view): data_received sees them, as asyncio's
// protocol sees a fresh bytes object, and nothing here keeps them.
void SelectorStreamTransport::read_ready_data_received() {
  IoResult<BytesView> got = ctx_.sockets.recv_view(fd_, max_size_);
  if (!received_data(got)) return;
  trace("recv " + std::to_string(got.value().size()) + " bytes");
  if (std::optional<Error> failed = guard_protocol_call([&] { protocol_->data_received(got.value()); })) {
    fatal_error(*failed, "Fatal error: protocol.data_received() call failed.");
  }
}

// What both reads do with a receive that brought no data: EAGAIN waits for the next
// readiness, an error fails the connection, 0 bytes is EOF. True when there is data to deliver.
template <typename T>
bool SelectorStreamTransport::received_data(const IoResult<T>& got) {
  if (got.would_block()) return false;
  if (!got.ok()) {
    fatal_error(got.error(), "fatal read error");
    return false;
  }
  std::size_t size = 0;
  if constexpr (std::is_same_v<T, std::size_t>) {
    size = got.value();  // recv_into's count
  } else {
    size = got.value().size();  // recv_view's bytes
  }
  if (size == 0) {
    on_eof();
    return false;
  }
  return true;
}

void SelectorStreamTransport::on_eof() {
  trace("recv EOF");
  bool keep_open = false;
  if (std::optional<Error> failed = guard_protocol_call([&] { keep_open = protocol_->eof_received(); })) {
    fatal_error(*failed, "Fatal error: protocol.eof_received() call failed.");
    return;
  }
  if (keep_open) {
    // Half-open: we may still write, but nothing more can be read.
    ctx_.loop.remove_reader(fd_);
  } else {
    close();
  }
}

Status SelectorStreamTransport::write(BytesView data) {
  if (eof_) return make_error(Errc::closed, "cannot call write() after write_eof()");
  if (sendfile_in_progress()) return make_error(Errc::invalid_argument, "unable to write; sendfile is in progress");
  if (data.empty()) return std::nullopt;
  if (conn_lost_) {
    ++conn_lost_;
    return make_error(Errc::closed, "write() after the connection was lost; data dropped");
  }
  if (buffer_.empty()) {
    IoResult<std::size_t> sent = ctx_.sockets.send(fd_, data);
    if (sent.ok()) {
      data.remove_prefix(sent.value());
      trace("write sent " + std::to_string(sent.value()) + " bytes directly");
      if (data.empty()) return std::nullopt;
    } else if (!sent.would_block()) {
      fatal_error(sent.error(), "fatal write error");  // the error goes to connection_lost;
      return std::nullopt;                              // asyncio's write() returns None here
    }
    (void)ctx_.loop.add_writer(fd_, tag("write_ready"), [this] { (void)write_ready(); });
  }
  buffer_.append(data);
  trace("write buffered " + std::to_string(data.size()) + " bytes (buffer " +
        std::to_string(buffer_.size()) + ")");
  flow_.maybe_pause(buffer_.size(), *protocol_);
  return std::nullopt;
}

// asyncio 3.12+'s writelines: the chunks join the buffer as they are and write_ready runs at
// once; the writer is registered for whatever it could not send.
Status SelectorStreamTransport::writelines(const std::vector<Bytes>& chunks) {
  if (eof_) return make_error(Errc::closed, "cannot call writelines() after write_eof()");
  if (sendfile_in_progress()) return make_error(Errc::invalid_argument, "unable to writelines; sendfile is in progress");
  if (chunks.empty()) return std::nullopt;
  if (conn_lost_) {
    ++conn_lost_;
    return make_error(Errc::closed, "writelines() after the connection was lost; data dropped");
  }
  for (const Bytes& chunk : chunks) {
    // An empty chunk would stay in the buffer for ever: sendmsg sends 0 bytes of it, and
    // trimming 0 bytes drops nothing, so the transport never finishes closing (gh-155888).
    if (chunk.empty() && !ctx_.bugs.on(Bug::gh_155888)) continue;
    buffer_.append(chunk);
  }
  if (buffer_.empty()) return std::nullopt;
  trace("writelines " + std::to_string(chunks.size()) + " chunks (buffer " + std::to_string(buffer_.size()) + ")");
  if (!write_ready()) return std::nullopt;  // it ended the connection: nothing of us may be touched
  // What write_ready could not send waits for writability; without the writer it would wait for
  // ever (gh-103462).
  if (!buffer_.empty() && !conn_lost_ && !ctx_.bugs.on(Bug::gh_103462)) {
    (void)ctx_.loop.add_writer(fd_, tag("write_ready"), [this] { (void)write_ready(); });
  }
  flow_.maybe_pause(buffer_.size(), *protocol_);
  return std::nullopt;
}

bool SelectorStreamTransport::write_ready() {
  if (conn_lost_) return true;
  std::vector<BytesView> chunks = buffer_.gather(kIovMax);
  IoResult<std::size_t> sent = ctx_.sockets.sendmsg(fd_, chunks);
  if (!sent.ok()) {
    if (sent.would_block()) return true;
    ctx_.loop.remove_writer(fd_);
    buffer_.clear();
    fatal_error(sent.error(), "fatal write error");
    wake_empty_waiter(sent.error());
    return true;
  }
  buffer_.consume(sent.value());
  trace("write_ready sent " + std::to_string(sent.value()) + " bytes (buffer " +
        std::to_string(buffer_.size()) + ")");
  flow_.maybe_resume(buffer_.size(), *protocol_);  // may write more, or close()
  if (!buffer_.empty()) return true;
  ctx_.loop.remove_writer(fd_);
  wake_empty_waiter(std::nullopt);
  if (closing_) {
    // close() inside resume_writing() has already scheduled connection_lost.
    if (conn_lost_ && !ctx_.bugs.on(Bug::gh_156512)) return true;
    ++conn_lost_;
    call_connection_lost(std::nullopt);
    return false;
  } else if (eof_) {
    if (Status status = ctx_.sockets.shutdown_write(fd_)) fatal_error(*status, "shutdown failed");
  }
  return true;
}

Status SelectorStreamTransport::write_eof() {
  if (closing_ || eof_) return std::nullopt;
  eof_ = true;
  trace("write_eof");
  if (!buffer_.empty()) return std::nullopt;
  return ctx_.sockets.shutdown_write(fd_);
}

void SelectorStreamTransport::close() {
  if (closing_) return;
  closing_ = true;
  trace("close (buffer " + std::to_string(buffer_.size()) + ")");
  ctx_.loop.remove_reader(fd_);
  if (buffer_.empty()) {
    ++conn_lost_;
    ctx_.loop.remove_writer(fd_);
    ctx_.loop.call_soon(tag("call_connection_lost"), [this] { call_connection_lost(std::nullopt); });
  }
}

void SelectorStreamTransport::abort() {
  trace("abort");
  force_close(std::nullopt);
}

void SelectorStreamTransport::pause_reading() {
  if (!is_reading()) return;
  paused_ = true;
  ctx_.loop.remove_reader(fd_);
}

void SelectorStreamTransport::resume_reading() {
  if (closing_ || !paused_) return;
  paused_ = false;
  start_reading();
}

Status SelectorStreamTransport::set_write_buffer_limits(std::optional<std::size_t> high,
                                                        std::optional<std::size_t> low) {
  if (Status status = flow_.set_limits(high, low)) return status;
  flow_.maybe_pause(buffer_.size(), *protocol_);
  return std::nullopt;
}

void SelectorStreamTransport::fingerprint(StateHasher& h) const {
  h.value(fd_);
  h.value(h.owner(protocol_));
  h.value(max_size_);
  h.value(buffer_.chunk_count());
  buffer_.for_each([&h](BytesView chunk) { h.text(chunk); });
  // Once the connection is lost, write() and write_ready() return at once: no pause with the
  // limits set so far and no resume can come.
  flow_.fingerprint(h, conn_lost_ == 0);
  h.value(closing_);
  h.value(paused_);
  h.value(eof_);
  h.value(conn_lost_ > 0);  // its count (writes after the loss) is read only as nonzero
  h.value(lost_with_.has_value());
  if (lost_with_) h.value(lost_with_->code);
  h.value(out_of_registry_);
  h.value(socket_closed_);
  h.value(static_cast<bool>(empty_waiter_));
  h.value(empty_waiter_done_);
}

Status SelectorStreamTransport::set_max_size(std::size_t bytes) {
  if (bytes == 0) return make_error(Errc::invalid_argument, "max_size must be at least 1 byte, got 0");
  max_size_ = bytes;
  return std::nullopt;
}

std::optional<std::string> SelectorStreamTransport::get_extra_info(std::string_view name) const {
  if (name == "socket") return std::to_string(fd_);
  if (name == "sockname") return ctx_.sockets.sockname(fd_);
  if (name == "peername") return ctx_.sockets.peername(fd_);
  return std::nullopt;
}

// asyncio reports OSErrors only through connection_lost(exc); that is where they must arrive.
void SelectorStreamTransport::fatal_error(const Error& error, const char* where) {
  trace(std::string(where) + ": " + error.describe());
  ctx_.report_fatal(this, error, where);
  force_close(error);
}

void SelectorStreamTransport::force_close(std::optional<Error> error) {
  if (conn_lost_) return;
  if (!buffer_.empty()) {
    buffer_.clear();
    ctx_.loop.remove_writer(fd_);
  }
  if (!closing_) {
    closing_ = true;
    ctx_.loop.remove_reader(fd_);
  }
  ++conn_lost_;
  lost_with_ = std::move(error);
  ctx_.loop.call_soon(tag("call_connection_lost"), [this] { call_connection_lost(lost_with_); });
}

Status SelectorStreamTransport::take_from_registry() {
  if (out_of_registry_) return make_error(Errc::already, "KeyError: " + std::to_string(fd_));
  out_of_registry_ = true;
  return std::nullopt;
}

Status SelectorStreamTransport::make_empty_waiter(std::function<void(Status)> done) {
  if (!done) return make_error(Errc::invalid_argument, "make_empty_waiter needs a callback");
  if (sendfile_in_progress()) return make_error(Errc::already, "Empty waiter is already set");
  empty_waiter_ = std::move(done);
  if (buffer_.empty()) wake_empty_waiter(std::nullopt);
  return std::nullopt;
}

void SelectorStreamTransport::wake_empty_waiter(Status status) {
  if (!empty_waiter_ || empty_waiter_done_) return;
  empty_waiter_done_ = true;
  std::function<void(Status)> waiter = empty_waiter_;  // it may reset us
  waiter(std::move(status));
}

void SelectorStreamTransport::call_connection_lost(std::optional<Error> error) {
  // Copied first: the protocol may destroy us in connection_lost.
  TransportContext ctx = ctx_;
  const void* self = this;
  const bool answered = empty_waiter_done_;
  std::function<void(Status)> waiter = empty_waiter_;  // set while a native sendfile runs
  socket_closed_ = true;
  connection_lost_then_close(ctx, fd_, *protocol_, std::move(error));
  if (!waiter) return;
  Error lost = make_error(Errc::connection_reset, "ConnectionError: Connection is closed by peer");
  if (!answered) {
    waiter(lost);
    return;
  }
  // The buffer had drained and the sendfile has the socket just closed. asyncio 3.13 sets the
  // exception on the done waiter anyway, which raises InvalidStateError out of this callback;
  // and the sendfile, waiting for the writability of a socket that is gone, never returns.
  if (ctx.bugs.on(Bug::sendfile_close_hang)) {
    ctx.loop.call_exception_handler({"Exception in callback _SelectorSocketTransport._call_connection_lost()",
                                     make_error(Errc::other, "InvalidStateError: invalid state"), self});
    return;
  }
  waiter(lost);
}

}  // namespace loopcheck
