#include "src/transport/proactor_datagram.h"

#include <algorithm>
#include <utility>

#include "src/transport/datagram_io.h"

namespace loopcheck {

ProactorDatagramTransport::ProactorDatagramTransport(TransportContext ctx, int fd, DatagramProtocol& protocol,
                                                     Address connected_peer)
    : ctx_(ctx), fd_(fd), protocol_(&protocol), connected_peer_(std::move(connected_peer)) {
  ctx_.loop.call_soon(tag("connection_made"), [this] { protocol_->connection_made(*this); });
  ctx_.loop.call_soon(tag("start_read"), [this] { start_read(); });
}

void ProactorDatagramTransport::start_read() {
  if (closing_ || read_op_) return;
  IoResult<OperationId> op = ctx_.completions->submit_recvfrom(
      fd_, kMaxRecv, tag("read_done"), [this](const CompletionResult& r) { read_done(r); });
  if (!op.ok()) {
    // asyncio 3.13 reports it and issues no further read (a retry now would fail again).
    trace("recvfrom submission failed: " + op.error().describe() + "; reading stops");
    protocol_->error_received(op.error());
    return;
  }
  read_op_ = op.value();
}

// The read is tracked until its final completion, whatever happened meanwhile, so data that
// comes after a cancel is always settled: delivered during a close, discarded after an abort.
void ProactorDatagramTransport::read_done(const CompletionResult& r) {
  if (!read_op_ || *read_op_ != r.id) return;
  read_op_.reset();
  if (lost_scheduled_) {
    if (!r.error) {
      ctx_.completions->settle(r.id, r.data.size(), Settlement::discarded);
      ++discarded_;
      trace("recvfrom completed after abort: datagram discarded");
    }
    return;
  }
  if (!r.error) {
    if (read_cancelled_) ctx_.completions->settle(r.id, r.data.size(), Settlement::delivered);
    trace("recvfrom " + std::to_string(r.data.size()) + " bytes from " + r.from);
    protocol_->datagram_received(r.data, r.from);
  } else if (r.error->code != Errc::aborted) {
    // Every OSError of a read goes to error_received, as in asyncio 3.13; the read loop then
    // carries on (3.13's stops: see docs/FIDELITY.md).
    trace("recvfrom: " + r.error->describe());
    protocol_->error_received(*r.error);
  }
  if (lost_scheduled_) return;  // the protocol aborted from inside the callback
  if (read_cancelled_) {  // close() was waiting for this read before it drains
    read_cancelled_ = false;
    ctx_.loop.call_soon(tag("drain"), [this] { drain_step(); });
    return;
  }
  start_read();  // does nothing once closing: a close() from the callback has its own drain
}

// After close() asyncio 3.13 drops a connected transport's datagram, and queues an unconnected
// one that its write loop (stopped at _conn_lost) never sends; loopcheck refuses both.
Status ProactorDatagramTransport::sendto(BytesView data, const Address& to) {
  Address target;
  if (Status invalid = resolve_datagram_target(connected_peer_, to, target)) return invalid;
  if (closing_) return make_error(Errc::closed, "sendto() after close() or the connection's loss; datagram dropped");
  buffer_.push_back({Bytes(data), std::move(target)});
  buffered_bytes_ += data.size() + kHeaderSize;
  if (!write_op_) send_next();
  flow_.maybe_pause(buffered_bytes_, *protocol_);
  return std::nullopt;
}

// Submits the datagram at the front of the queue; it stops counting in the buffer size once
// submitted, as asyncio's popleft does. One refused at once is reported and dropped, and the
// next one is tried.
void ProactorDatagramTransport::send_next() {
  while (!buffer_.empty() && !write_op_) {
    const Outgoing& next = buffer_.front();
    buffered_bytes_ -= next.data.size() + kHeaderSize;
    IoResult<OperationId> op = ctx_.completions->submit_sendto(
        fd_, next.data, next.to, tag("write_done"), [this](const CompletionResult& r) { write_done(r); });
    if (op.ok()) {
      write_op_ = op.value();
      flow_.maybe_resume(buffered_bytes_, *protocol_);
      return;
    }
    trace("sendto submission failed: " + op.error().describe());
    buffer_.pop_front();
    protocol_->error_received(op.error());
    if (lost_scheduled_) return;
  }
  flow_.maybe_resume(buffered_bytes_, *protocol_);
  finish_close_if_done();
}

void ProactorDatagramTransport::write_done(const CompletionResult& r) {
  if (!write_op_ || *write_op_ != r.id) return;
  write_op_.reset();
  if (lost_scheduled_) {  // after an abort: was the datagram in flight sent after all?
    if (r.error && r.error->code == Errc::aborted) ++discarded_;
    return;
  }
  buffer_.pop_front();
  if (r.error) {
    trace("sendto: " + r.error->describe());
    protocol_->error_received(*r.error);
    if (lost_scheduled_) return;
  }
  send_next();
}

void ProactorDatagramTransport::close() {
  if (closing_) return;
  closing_ = true;
  draining_ = true;
  trace("close (" + std::to_string(buffer_.size()) + " queued to send)");
  if (read_op_) {
    (void)ctx_.completions->cancel(*read_op_);  // the drain starts at its final completion
    read_cancelled_ = true;
    return;
  }
  ctx_.loop.call_soon(tag("drain"), [this] { drain_step(); });
}

void ProactorDatagramTransport::drain_step() {
  if (lost_scheduled_) return;
  DrainResult batch = drain_datagrams(
      ctx_.sockets, fd_, kMaxRecv, std::min(kDrainBatch, kMaxDrain - drained_),
      [this](Datagram& got) {
        trace("drain " + std::to_string(got.data.size()) + " bytes from " + got.from);
        protocol_->datagram_received(got.data, got.from);
        return !lost_scheduled_;
      },
      [this](const Error& error) {
        protocol_->error_received(error);
        return !lost_scheduled_;
      });
  drained_ += batch.read;
  if (lost_scheduled_) return;
  if (batch.empty || drained_ >= kMaxDrain) {
    draining_ = false;
    finish_close_if_done();
    return;
  }
  ctx_.loop.call_soon(tag("drain"), [this] { drain_step(); });
}

void ProactorDatagramTransport::finish_close_if_done() {
  if (!closing_ || draining_ || write_op_ || !buffer_.empty() || lost_scheduled_) return;
  lost_scheduled_ = true;
  ctx_.loop.call_soon(tag("call_connection_lost"), [this] { call_connection_lost(std::nullopt); });
}

void ProactorDatagramTransport::abort() {
  trace("abort");
  aborted_ = true;
  force_close(std::nullopt);
}

void ProactorDatagramTransport::force_close(std::optional<Error> error) {
  if (lost_scheduled_) return;
  closing_ = true;
  draining_ = false;
  lost_scheduled_ = true;
  // Both operations stay tracked until their final completions, which say what became of them.
  if (read_op_) (void)ctx_.completions->cancel(*read_op_);  // read_done settles what it brings
  if (write_op_) (void)ctx_.completions->cancel(*write_op_);  // write_done counts it if aborted
  discarded_ += buffer_.size() - (write_op_ ? 1 : 0);
  buffer_.clear();
  buffered_bytes_ = 0;
  ctx_.loop.call_soon(tag("call_connection_lost"),
                      [this, error = std::move(error)] { call_connection_lost(error); });
}

void ProactorDatagramTransport::call_connection_lost(std::optional<Error> error) {
  if (aborted_) {  // what the kernel still holds is thrown away, and counted
    discarded_ += discard_datagrams(ctx_.sockets, fd_, kMaxRecv, kMaxDrain,
                                    [this](const Error& e) { protocol_->error_received(e); });
    trace("abort discarded " + std::to_string(discarded_) + " datagrams");
  }
  connection_lost_then_close(ctx_, fd_, *protocol_, std::move(error));
}

Status ProactorDatagramTransport::set_write_buffer_limits(std::optional<std::size_t> high,
                                                          std::optional<std::size_t> low) {
  if (Status status = flow_.set_limits(high, low)) return status;
  flow_.maybe_pause(buffered_bytes_, *protocol_);
  return std::nullopt;
}

std::optional<std::string> ProactorDatagramTransport::get_extra_info(std::string_view name) const {
  return datagram_extra_info(name, ctx_.sockets, fd_, connected_peer_, discarded_);
}

void ProactorDatagramTransport::fingerprint(StateHasher& h) const {
  h.value(fd_);
  h.value(h.owner(protocol_));
  h.value(h.operation(read_op_.value_or(0)));
  h.value(h.operation(write_op_.value_or(0)));
  h.value(buffer_.size());
  for (const Outgoing& out : buffer_) {
    h.text(out.data);
    h.text(out.to);
  }
  flow_.fingerprint(h);
  for (bool b : {read_cancelled_, closing_, draining_, aborted_, lost_scheduled_}) h.value(b);
  h.value(drained_);
  h.value(discarded_);
}

}  // namespace loopcheck
