#include "src/transport/selector_datagram.h"

#include <algorithm>
#include <utility>

#include "src/transport/datagram_io.h"

namespace loopcheck {

SelectorDatagramTransport::SelectorDatagramTransport(TransportContext ctx, int fd,
                                                     DatagramProtocol& protocol,
                                                     Address connected_peer)
    : ctx_(ctx), fd_(fd), protocol_(&protocol), connected_peer_(std::move(connected_peer)) {
  ctx_.loop.call_soon(tag("connection_made"), [this] { protocol_->connection_made(*this); });
  ctx_.loop.call_soon(tag("start_reading"), [this] { start_reading(); });
}

void SelectorDatagramTransport::start_reading() {
  if (closing_) return;
  (void)ctx_.loop.add_reader(fd_, tag("read_ready"), [this] { read_ready(); });
}

void SelectorDatagramTransport::read_ready() {
  if (lost_scheduled_) return;
  IoResult<Datagram> got = ctx_.sockets.recvfrom(fd_, kMaxRecv);
  if (got.would_block()) return;
  if (!got.ok()) {
    trace("recvfrom: " + got.error().describe());
    if (ctx_.bugs.on(Bug::gh_91227)) {
      ctx_.loop.remove_reader(fd_);  // the read loop dies and the error goes nowhere
      return;
    }
    protocol_->error_received(got.error());
    return;
  }
  trace("recvfrom " + std::to_string(got.value().data.size()) + " bytes from " + got.value().from);
  protocol_->datagram_received(got.value().data, got.value().from);
}

Status SelectorDatagramTransport::sendto(BytesView data, const Address& to) {
  Address target;
  if (Status invalid = resolve_datagram_target(connected_peer_, to, target)) return invalid;
  // A connected transport drops it once close() or the loss has raised _conn_lost; an
  // unconnected one still sends until connection_lost has closed the socket, as 3.13 does.
  if ((conn_lost_ && !connected_peer_.empty()) || socket_closed_) {
    ++conn_lost_;
    return make_error(Errc::closed, "sendto() after the connection was closed or lost; datagram dropped");
  }
  const Address& shown = target.empty() ? connected_peer_ : target;
  if (buffer_.empty()) {
    IoResult<std::size_t> sent = ctx_.sockets.sendto(fd_, data, target);
    if (sent.ok()) {
      trace("sendto " + std::to_string(data.size()) + " bytes to " + shown);
      return std::nullopt;
    }
    if (!sent.would_block()) {
      trace("sendto: " + sent.error().describe());
      protocol_->error_received(sent.error());
      return std::nullopt;
    }
    (void)ctx_.loop.add_writer(fd_, tag("sendto_ready"), [this] { sendto_ready(); });
  }
  buffer_.push_back({Bytes(data), target});
  buffered_bytes_ += data.size() + kHeaderSize;
  trace("sendto queued " + std::to_string(data.size()) + " bytes (" +
        std::to_string(buffer_.size()) + " queued)");
  flow_.maybe_pause(buffered_bytes_, *protocol_);
  return std::nullopt;
}

void SelectorDatagramTransport::sendto_ready() {
  if (closing_ && ctx_.bugs.on(Bug::bpo_38471)) {
    ctx_.loop.remove_writer(fd_);  // the write loop stops at close(): queue stranded
    return;
  }
  while (!buffer_.empty()) {
    Outgoing& next = buffer_.front();
    IoResult<std::size_t> sent = ctx_.sockets.sendto(fd_, next.data, next.to);
    if (sent.would_block()) break;
    buffered_bytes_ -= next.data.size() + kHeaderSize;
    Outgoing done = std::move(next);
    buffer_.pop_front();
    if (!sent.ok()) {
      trace("sendto: " + sent.error().describe());
      protocol_->error_received(sent.error());
      return;
    }
    trace("sendto_ready sent " + std::to_string(done.data.size()) + " bytes to " +
          (done.to.empty() ? connected_peer_ : done.to));
  }
  flow_.maybe_resume(buffered_bytes_, *protocol_);
  if (!buffer_.empty()) return;
  ctx_.loop.remove_writer(fd_);
  finish_close_if_flushed(/*now=*/true);
}

void SelectorDatagramTransport::close() {
  if (closing_) return;
  closing_ = true;
  trace("close (" + std::to_string(buffer_.size()) + " queued to send)");
  ctx_.loop.remove_reader(fd_);
  if (buffer_.empty()) ++conn_lost_;
  if (ctx_.bugs.on(Bug::dgram_drain)) {
    finish_close_if_flushed();
    return;
  }
  draining_ = true;
  ctx_.loop.call_soon(tag("drain"), [this] { drain_step(); });
}

void SelectorDatagramTransport::drain_step() {
  if (lost_scheduled_) return;
  DrainResult batch = drain_datagrams(
      ctx_.sockets, fd_, kMaxRecv, std::min<std::size_t>(kDrainBatch, kMaxDrain - drained_),
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
  if (lost_scheduled_) return;  // the protocol aborted from inside a callback
  if (batch.empty || drained_ >= kMaxDrain) {
    draining_ = false;
    finish_close_if_flushed();
    return;
  }
  ctx_.loop.call_soon(tag("drain"), [this] { drain_step(); });
}

void SelectorDatagramTransport::finish_close_if_flushed(bool now) {
  if (!closing_ || draining_ || !buffer_.empty() || lost_scheduled_) return;
  lost_scheduled_ = true;
  ctx_.loop.remove_writer(fd_);
  if (now) {
    call_connection_lost(std::nullopt);
    return;
  }
  ctx_.loop.call_soon(tag("call_connection_lost"), [this] { call_connection_lost(std::nullopt); });
}

void SelectorDatagramTransport::abort() {
  trace("abort");
  aborted_ = true;
  force_close(std::nullopt);
}

void SelectorDatagramTransport::force_close(std::optional<Error> error) {
  if (lost_scheduled_) return;
  if (!buffer_.empty()) {
    discarded_ += buffer_.size();
    buffer_.clear();
    buffered_bytes_ = 0;
    ctx_.loop.remove_writer(fd_);
  }
  if (!closing_) {
    closing_ = true;
    ctx_.loop.remove_reader(fd_);
  }
  draining_ = false;
  ++conn_lost_;
  lost_scheduled_ = true;
  ctx_.loop.call_soon(tag("call_connection_lost"),
                      [this, error = std::move(error)] { call_connection_lost(error); });
}

// Reads and counts what the kernel still holds, so an abort says exactly what it threw away.
// An error found on the way is still an error: it goes to error_received, never nowhere.
std::size_t SelectorDatagramTransport::discard_kernel_queue() {
  return discard_datagrams(ctx_.sockets, fd_, kMaxRecv, kMaxDrain,
                           [this](const Error& error) { protocol_->error_received(error); });
}

void SelectorDatagramTransport::call_connection_lost(std::optional<Error> error) {
  if (aborted_) {
    discarded_ += discard_kernel_queue();
    trace("abort discarded " + std::to_string(discarded_) + " datagrams");
  }
  socket_closed_ = true;
  connection_lost_then_close(ctx_, fd_, *protocol_, std::move(error));
}

Status SelectorDatagramTransport::set_write_buffer_limits(std::optional<std::size_t> high,
                                                          std::optional<std::size_t> low) {
  if (Status status = flow_.set_limits(high, low)) return status;
  flow_.maybe_pause(buffered_bytes_, *protocol_);
  return std::nullopt;
}

void SelectorDatagramTransport::fingerprint(StateHasher& h) const {
  h.value(fd_);
  h.value(h.owner(protocol_));
  h.value(buffer_.size());
  for (const Outgoing& out : buffer_) {
    h.text(out.data);
    h.text(out.to);
  }
  flow_.fingerprint(h);
  h.value(closing_);
  h.value(draining_);
  h.value(drained_);
  h.value(aborted_);
  h.value(conn_lost_ > 0);  // its count (writes after the loss) is read only as nonzero
  h.value(lost_scheduled_);
  h.value(socket_closed_);
  h.value(discarded_);
}

std::optional<std::string> SelectorDatagramTransport::get_extra_info(std::string_view name) const {
  return datagram_extra_info(name, ctx_.sockets, fd_, connected_peer_, discarded_);
}

}  // namespace loopcheck
