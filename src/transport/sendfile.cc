#include "src/transport/sendfile.h"

#include <algorithm>
#include <string>
#include <utility>

namespace loopcheck {

namespace {

// asyncio's SendfileNotAvailableError: the native path cannot serve; the fallback may.
Error not_available(const char* why) { return make_error(Errc::unsupported, std::string("SendfileNotAvailableError: ") + why); }
bool is_not_available(const Status& status) {
  return status && status->code == Errc::unsupported && status->message.rfind("SendfileNotAvailableError", 0) == 0;
}

}  // namespace

Sendfile::Sendfile(TransportContext ctx, Transport& transport, FileObject& file, SendfileRequest request, Done done)
    : ctx_(ctx), transport_(transport), file_(file), request_(request), done_(std::move(done)) {}

void Sendfile::trace(const std::string& text) const {
  if (ctx_.tracer.enabled()) ctx_.tracer.record(Component::transport, "sendfile: " + text);
}

void Sendfile::start() {
  trace("offset " + std::to_string(request_.offset) +
        (request_.count ? ", count " + std::to_string(*request_.count) : std::string(", to the end")));
  if (transport_.is_closing()) {
    finish(make_error(Errc::invalid_argument, "RuntimeError: Transport is closing"), false);
    return;
  }
  switch (transport_.sendfile_mode()) {
    case SendfileMode::unsupported:
      finish(make_error(Errc::invalid_argument, "RuntimeError: sendfile is not supported for this transport"), false);
      return;
    case SendfileMode::fallback:
      if (!request_.fallback) {
        finish(make_error(Errc::invalid_argument,
                          "RuntimeError: fallback is disabled and native sendfile is not supported for this transport"),
               false);
        return;
      }
      fallback();
      return;
    case SendfileMode::try_native:
      native();
      return;
  }
}

// ---- native ------------------------------------------------------------------------------

void Sendfile::native() {
  if (Status taken = transport_.take_from_registry()) {  // another sendfile has it
    finish(*taken, true);
    return;
  }
  resume_reading_ = transport_.is_reading();
  transport_.pause_reading();
  phase_ = Phase::waiting_empty;
  making_waiter_ = true;
  Status made = transport_.make_empty_waiter([this](Status status) {
    if (waiter_answered_) {
      native_lost(std::move(status));
      return;
    }
    waiter_answered_ = true;
    if (making_waiter_) {  // the buffer was empty: asyncio's await does not suspend
      making_waiter_ = false;
      native_waited(status);
      return;
    }
    phase_ = Phase::waking;  // the task wakes a turn after the future resolves
    ctx_.loop.call_soon(tag("sendfile_empty"), [this, status] { native_waited(status); });
  });
  making_waiter_ = false;
  // Raised before asyncio's try: no finally, so reading stays paused and the transport out of
  // the registry.
  if (made) finish(*made, true);
}

void Sendfile::native_waited(Status status) {
  // The waiter's error (the connection failed or went while the buffer drained) is raised
  // before asyncio's try, too: no finally.
  if (status) {
    finish(status, true);
    return;
  }
  if (lost_) {  // lost since the buffer drained: the sendfile never starts
    native_finally(lost_);
    return;
  }
  // sock_sendfile(transp._sock, ..., fallback=False). A connection lost while the buffer
  // drained has left no socket: asyncio's checks then fail on None.
  std::optional<int> socket = transport_.sendfile_socket();
  if (!socket) {
    native_finally(make_error(Errc::bad_fd, "AttributeError: 'NoneType' object has no attribute 'type'"));
    return;
  }
  fd_ = *socket;
  // _check_sendfile_params, then _sock_sendfile_native's checks. Only this path refuses
  // count=0; the fallback takes it for "to the end".
  if (request_.count && *request_.count == 0) {
    native_finally(make_error(Errc::invalid_argument, "ValueError: count must be a positive integer (got 0)"));
    return;
  }
  if (!file_.fileno()) {
    native_finally(not_available("not a regular file"));
    return;
  }
  blocksize_ = request_.count ? *request_.count : static_cast<std::size_t>(file_.size());
  if (blocksize_ == 0) {  // an empty file
    native_finally(std::nullopt);
    return;
  }
  native_offset_ = request_.offset;
  phase_ = Phase::sending;
  native_send(false);
}

void Sendfile::native_lost(Status status) {
  lost_ = std::move(status);
  if (phase_ != Phase::sending) return;  // native_waited, or the finally, reads lost_ or is past it
  ctx_.loop.remove_writer(fd_);
  native_resolved(lost_, /*from_callback=*/true);
}

// _sock_sendfile_native_impl: one os.sendfile per writability; the writer comes off first.
void Sendfile::native_send(bool registered) {
  if (registered) ctx_.loop.remove_writer(fd_);
  std::size_t block = blocksize_;
  if (request_.count) {
    if (native_sent_ >= *request_.count) {
      native_resolved(std::nullopt, registered);
      return;
    }
    block = *request_.count - native_sent_;
  }
  IoResult<std::size_t> sent = ctx_.sockets.sendfile(fd_, file_, native_offset_, block);
  if (sent.would_block()) {
    (void)ctx_.loop.add_writer(fd_, tag("sendfile_ready"), [this] { native_send(true); });
    return;
  }
  if (!sent.ok()) {
    // A first call that fails is taken to mean the file cannot be sent this way, whatever the
    // error: asyncio then tries the fallback.
    native_resolved(native_sent_ == 0 ? not_available("os.sendfile call failed") : Status(sent.error()), registered);
    return;
  }
  if (sent.value() == 0) {  // the end of the file
    native_resolved(std::nullopt, registered);
    return;
  }
  trace("os.sendfile sent " + std::to_string(sent.value()) + " bytes");
  native_offset_ += sent.value();
  native_sent_ += sent.value();
  (void)ctx_.loop.add_writer(fd_, tag("sendfile_ready"), [this] { native_send(true); });
}

void Sendfile::native_resolved(Status error, bool from_callback) {
  if (native_sent_ > 0) file_.seek(native_offset_);  // _sock_sendfile_update_filepos
  if (!from_callback) {
    native_finally(std::move(error));
    return;
  }
  phase_ = Phase::resolving;
  ctx_.loop.call_soon(tag("sendfile_done"), [this, error = std::move(error)] { native_finally(error); });
}

// _sendfile_native's finally, then sendfile's choice: done, raise, or fall back.
void Sendfile::native_finally(Status error) {
  transport_.reset_empty_waiter();
  if (resume_reading_) transport_.resume_reading();
  transport_.return_to_registry();
  if (is_not_available(error)) {
    trace(error->describe());
    if (request_.fallback) {
      fallback();
      return;
    }
  }
  finish(std::move(error), true);
}

// ---- fallback ----------------------------------------------------------------------------

void Sendfile::fallback() {
  // gh-150107: the position was set only for a non-zero offset, so a file whose position had
  // moved (an earlier sendfile leaves it after what it sent) was sent from there.
  if (request_.offset != 0 || !ctx_.bugs.on(Bug::gh_150107)) file_.seek(request_.offset);
  blocksize_ = counted() ? std::min(*request_.count, kFallbackBlock) : kFallbackBlock;
  proto_ = std::make_unique<SendfileFallbackProtocol>(ctx_.loop, transport_);
  fallback_next();
}

void Sendfile::fallback_next() {
  if (counted()) {
    blocksize_ = std::min(*request_.count - fallback_sent_, blocksize_);
    if (blocksize_ == 0) {
      fallback_finally(std::nullopt);
      return;
    }
  }
  // run_in_executor(None, file.readinto, view): the thread reads, its answer comes back with
  // call_soon_threadsafe, and the task wakes a turn after that: two turns at the soonest.
  phase_ = Phase::reading;
  ctx_.loop.call_soon(tag("sendfile_read"), [this] {
    block_ = file_.read(blocksize_);
    ctx_.loop.call_soon(tag("sendfile_read_done"), [this] { fallback_read(); });
  });
}

void Sendfile::fallback_read() {
  if (block_.empty()) {  // the end of the file
    fallback_finally(std::nullopt);
    return;
  }
  phase_ = Phase::draining;
  proto_->drain([this](Status drained) { fallback_write(std::move(drained)); });
}

void Sendfile::fallback_write(Status drained) {
  Bytes block = std::move(block_);
  block_.clear();
  if (drained) {
    fallback_finally(std::move(drained));
    return;
  }
  // asyncio's write() on a transport whose connection is already lost drops the bytes without
  // raising, and the fallback counts them as sent; only a refusal (after write_eof) raises.
  Status written = transport_.write(block);
  if (written && !transport_.is_closing()) {  // asyncio's write() raises RuntimeError there
    fallback_finally(make_error(written->code, "RuntimeError: " + written->message));
    return;
  }
  trace("fallback wrote " + std::to_string(block.size()) + " bytes");
  fallback_sent_ += block.size();
  fallback_next();
}

void Sendfile::fallback_finally(Status error) {
  if (fallback_sent_ > 0) file_.seek(request_.offset + fallback_sent_);
  proto_->restore();
  finish(std::move(error), false);
}

void Sendfile::finish(Status error, bool native) {
  phase_ = Phase::finished;
  SendfileResult result{native ? native_sent_ : fallback_sent_, std::move(error), native};
  trace(result.error ? "raised " + result.error->describe() : "returned " + std::to_string(result.sent));
  Done done = std::move(done_);
  done_ = nullptr;
  done(result);
}

void Sendfile::fingerprint(StateHasher& h) const {
  h.value(phase_);
  h.value(native_offset_);
  h.value(native_sent_);
  h.value(blocksize_);
  h.value(fallback_sent_);
  h.text(block_);  // read from the file, not yet written
  h.value(resume_reading_);
  h.value(waiter_answered_);
  h.value(lost_.has_value());
  h.value(proto_ != nullptr);
  if (proto_) proto_->fingerprint(h);
}

}  // namespace loopcheck
