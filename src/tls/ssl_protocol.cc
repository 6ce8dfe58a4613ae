#include "src/tls/ssl_protocol.h"

#include <algorithm>
#include <utility>

#include "src/transport/flow_control.h"

namespace loopcheck {
namespace {

// asyncio's SSLAgainErrors: "try again once more bytes have moved", never a failure.
bool again(const TlsResult& r) { return r.status == TlsStatus::want_read || r.status == TlsStatus::want_write; }

Error tls_error(const TlsResult& r) {
  return make_error(Errc::tls, r.reason.empty() ? "SSL error" : r.reason);
}

}  // namespace

SslProtocol::SslProtocol(SslContext ctx, std::unique_ptr<TlsEngine> engine, Protocol& app, SslOptions options,
                         SslWaiter waiter)
    : ctx_(ctx),
      engine_(std::move(engine)),
      app_(&app),
      options_(options),
      waiter_(std::move(waiter)),
      app_transport_(*this),
      app_state_(options.call_connection_made ? AppState::init : AppState::con_made),
      ssl_writing_paused_(options.writing_paused) {
  (void)set_write_buffer_limits(std::nullopt, std::nullopt);
}

void SslProtocol::trace(const std::string& text) const {
  if (ctx_.tracer.enabled()) ctx_.tracer.record(Component::transport, "ssl " + text);
}

void SslProtocol::note_engine(char op, BytesView data) {
  if (ctx_.digest_engine_calls) engine_digest_.note(op, data);
}

TlsResult SslProtocol::engine_read(Bytes& out, std::size_t max_bytes) {
  if (!ctx_.digest_engine_calls) return engine_->read(out, max_bytes);
  std::size_t in = engine_->incoming_pending(), pending_out = engine_->outgoing_pending();
  TlsResult r = engine_->read(out, max_bytes);
  bool idle = r.status == TlsStatus::want_read && engine_->incoming_pending() == in &&
              engine_->outgoing_pending() == pending_out;
  if (!idle) note_engine('r');
  return r;
}

// asyncio's _set_state raises RuntimeError on an edge it does not allow. Here the observer (O8)
// judges every move, and the move is made either way: the run ends at the violation.
void SslProtocol::set_state(SslState next) {
  if (ctx_.observer) ctx_.observer->on_ssl_state(this, state_, next);
  trace(std::string(ssl_state_name(state_)) + " -> " + std::string(ssl_state_name(next)));
  state_ = next;
}

void SslProtocol::set_app_state(AppState next) {
  if (ctx_.observer) ctx_.observer->on_app_state(this, app_state_, next);
  app_state_ = next;
}

void SslProtocol::wake_waiter(std::optional<Error> error) {
  if (!waiter_) return;
  if (ctx_.observer) ctx_.observer->on_waiter(this, error, handshake_done_);
  SslWaiter waiter = std::move(waiter_);
  waiter_ = nullptr;
  waiter(std::move(error));
}

// ---- the transport beneath -------------------------------------------------------------

void SslProtocol::connection_made(Transport& transport) {
  transport_ = &transport;
  if (ctx_.bugs.on(Bug::bpo_33674)) {
    // The handshake waits for the next loop iteration; whatever the transport delivers first
    // meets an SSL layer that has not started.
    ctx_.loop.call_soon(tag("start_handshake"), [this] { start_handshake(); });
    return;
  }
  start_handshake();
}

void SslProtocol::connection_lost(std::optional<Error> error) {
  backlog_.clear();
  backlog_size_ = 0;
  if (!engine_->take_outgoing().empty()) note_engine('o');
  ++conn_lost_;
  app_transport_.mark_closed();
  if (state_ != SslState::do_handshake &&
      (app_state_ == AppState::con_made || app_state_ == AppState::eof)) {
    set_app_state(AppState::con_lost);
    Protocol* app = app_;
    ctx_.loop.call_soon(tag("app.connection_lost"), [app, error] { app->connection_lost(error); });
  }
  set_state(SslState::unwrapped);
  transport_ = nullptr;
  // A handshake cut short by the connection wakes its waiter with the reason (asyncio-472: the
  // waiter slept forever when the peer dropped TCP during the handshake). A connection this side
  // closed has no reason (None), yet the handshake failed all the same: the waiter must not be
  // told it succeeded (sslproto-lost-handshake: start_tls then returns None, and nobody tells
  // the app its connection is gone).
  std::optional<Error> reason = error;
  if (!reason && !handshake_done_ && !ctx_.bugs.on(Bug::sslproto_lost_handshake)) {
    reason = make_error(Errc::connection_reset, "the connection was closed during the SSL handshake");
  }
  if (!ctx_.bugs.on(Bug::asyncio_472)) wake_waiter(reason);
  shutdown_timeout_.cancel();
  handshake_timeout_.cancel();
}

std::span<char> SslProtocol::get_buffer(std::int64_t sizehint) {
  std::size_t want = sizehint <= 0 || static_cast<std::size_t>(sizehint) > kMaxSize
                         ? kMaxSize
                         : static_cast<std::size_t>(sizehint);
  return std::span<char>(buffer_.get(), want);
}

void SslProtocol::buffer_updated(std::size_t nbytes) {
  BytesView incoming(buffer_.get(), std::min(nbytes, kMaxSize));
  if (state_ == SslState::unwrapped && ctx_.bugs.on(Bug::bpo_33674)) {
    // The pre-3.7 pipe passed bytes straight through while unwrapped: the ClientHello that
    // beat the deferred handshake start reaches the app as if it were plaintext.
    app_->data_received(incoming);
    return;
  }
  note_engine('f', incoming);
  engine_->feed(incoming);
  switch (state_) {
    case SslState::do_handshake: do_handshake(); break;
    case SslState::wrapped: do_read(); break;
    case SslState::flushing: do_flush(); break;
    case SslState::shutdown: do_shutdown(); break;
    case SslState::unwrapped: break;
  }
}

// asyncio returns None (the transport closes itself) except when it must keep the connection
// for an app that paused reading with decrypted data still to come.
bool SslProtocol::eof_received() {
  eof_received_ = true;
  trace("EOF from the transport beneath in " + std::string(ssl_state_name(state_)));
  switch (state_) {
    case SslState::do_handshake:
      on_handshake_complete(make_error(Errc::connection_reset, "the connection closed during the handshake"));
      break;
    case SslState::wrapped:
      set_state(SslState::flushing);
      if (app_reading_paused_) return true;
      do_flush();
      break;
    case SslState::flushing:
      do_write();
      set_state(SslState::shutdown);
      do_shutdown();
      break;
    case SslState::shutdown:
      do_shutdown();
      break;
    case SslState::unwrapped:
      break;
  }
  return false;
}

// asyncio asserts that these alternate with what the protocol believes; the observer (O3) is
// told what it believed, so a resume it was never paused for is seen.
void SslProtocol::pause_writing() {
  if (ctx_.observer) ctx_.observer->on_ssl_flow(this, true, ssl_writing_paused_);
  ssl_writing_paused_ = true;
}

void SslProtocol::resume_writing() {
  if (ctx_.observer) ctx_.observer->on_ssl_flow(this, false, ssl_writing_paused_);
  ssl_writing_paused_ = false;
  process_outgoing();
}

void SslProtocol::feed_incoming(BytesView data) {
  note_engine('f', data);
  engine_->feed(data);
}

// ---- handshake -------------------------------------------------------------------------

void SslProtocol::start_handshake() {
  set_state(SslState::do_handshake);
  handshake_timeout_ = ctx_.loop.call_later(options_.handshake_timeout, tag("check_handshake_timeout"),
                                            [this] { check_handshake_timeout(); });
  do_handshake();
}

void SslProtocol::check_handshake_timeout() {
  if (state_ != SslState::do_handshake) return;
  fatal_error(make_error(Errc::connection_aborted, "SSL handshake is taking longer than " +
                                                       std::to_string(options_.handshake_timeout / kSecond) +
                                                       " seconds: aborting the connection"),
              "SSL handshake timeout");
}

void SslProtocol::do_handshake() {
  note_engine('h');
  TlsResult r = engine_->do_handshake();
  if (again(r)) {
    process_outgoing();
  } else if (r.status == TlsStatus::ok) {
    on_handshake_complete(std::nullopt);
  } else {
    on_handshake_complete(tls_error(r));
  }
}

void SslProtocol::on_handshake_complete(std::optional<Error> error) {
  handshake_timeout_.cancel();
  if (error) {
    set_state(SslState::unwrapped);
    trace("handshake failed: " + error->describe());
    fatal_error(*error, "SSL handshake failed");
    wake_waiter(error);
    return;
  }
  set_state(SslState::wrapped);
  handshake_done_ = true;
  trace("handshake done: " + engine_->version() + " " + engine_->cipher());
  if (app_state_ == AppState::init) {
    set_app_state(AppState::con_made);
    app_->connection_made(app_transport_);
  }
  wake_waiter(std::nullopt);
  if (shutdown_queued_) {
    start_shutdown();  // bpo-29743's queued close, now that the handshake let it through
    return;
  }
  // The handshake's last flight (a TLS 1.3 client's Finished) is still in the outgoing BIO.
  // do_read would send it, but not for an app that paused reading in connection_made, and the
  // peer's handshake would wait for it until the app writes, resumes or closes.
  if (state_ == SslState::wrapped && !ctx_.bugs.on(Bug::sslproto_paused_finished)) process_outgoing();
  do_read();
}

std::size_t SslProtocol::held_outgoing() const {
  if (!transport_ || ssl_writing_paused_ || transport_->is_closing()) return 0;
  return engine_->outgoing_pending();
}

// ---- shutdown --------------------------------------------------------------------------

void SslProtocol::start_shutdown() {
  if (state_ == SslState::flushing || state_ == SslState::shutdown || state_ == SslState::unwrapped) return;
  app_transport_.mark_closed();
  if (state_ == SslState::do_handshake && !ctx_.bugs.on(Bug::bpo_29743)) {
    abort(std::nullopt);
    return;
  }
  if (state_ == SslState::do_handshake) {
    // bpo-29743: the close waits behind the handshake; a handshake that never ends never lets
    // it happen (only the handshake timeout, tens of seconds later, frees the socket).
    trace("close() queued behind the handshake");
    shutdown_queued_ = true;
    return;
  }
  set_state(SslState::flushing);
  // bpo-29406: without the timer, a peer that never answers close_notify holds the connection
  // (and connection_lost) forever.
  if (!ctx_.bugs.on(Bug::bpo_29406)) {
    shutdown_timeout_ = ctx_.loop.call_later(options_.shutdown_timeout, tag("check_shutdown_timeout"),
                                             [this] { check_shutdown_timeout(); });
  }
  do_flush();
}

void SslProtocol::check_shutdown_timeout() {
  if (state_ != SslState::flushing && state_ != SslState::shutdown) return;
  trace("shutdown timed out");
  transport_->force_close(make_error(Errc::timed_out, "SSL shutdown timed out"));
}

void SslProtocol::do_flush() {
  do_read();
  // An app callback inside the read (data_received, eof_received, resume_writing) may have
  // aborted: then nothing is left to flush. (sslproto-flush-abort: asyncio 3.13 moves on to
  // SHUTDOWN from UNWRAPPED, which its _set_state refuses with a RuntimeError.)
  if (state_ != SslState::flushing && !ctx_.bugs.on(Bug::sslproto_flush_abort)) return;
  set_state(SslState::shutdown);
  do_shutdown();
}

void SslProtocol::do_shutdown() {
  TlsResult r;
  if (!eof_received_) {
    note_engine('s');
    r = engine_->shutdown();
  }
  if (again(r)) {
    process_outgoing();
  } else if (r.status != TlsStatus::ok) {
    on_shutdown_complete(tls_error(r));
  } else {
    // bpo-30698: the close_notify just made must reach the transport before it closes.
    if (!ctx_.bugs.on(Bug::bpo_30698)) process_outgoing();
    call_eof_received();
    on_shutdown_complete(std::nullopt);
  }
}

void SslProtocol::on_shutdown_complete(std::optional<Error> error) {
  shutdown_timeout_.cancel();
  if (error) {
    fatal_error(*error, "Fatal error on SSL shutdown");
    return;
  }
  Transport* transport = transport_;
  ctx_.loop.call_soon(tag("transport.close"), [transport] { transport->close(); });
}

void SslProtocol::abort(std::optional<Error> error) {
  set_state(SslState::unwrapped);
  if (transport_) transport_->force_close(std::move(error));
}

// ---- outgoing --------------------------------------------------------------------------

Status SslProtocol::write_appdata(BytesView data) {
  if (state_ == SslState::flushing || state_ == SslState::shutdown || state_ == SslState::unwrapped) {
    ++conn_lost_;  // asyncio logs "SSL connection is closed" past a threshold, and drops it
    return make_error(Errc::closed, "SSL connection is closed; data dropped");
  }
  backlog_.emplace_back(data);
  backlog_size_ += data.size();
  if (state_ == SslState::wrapped) do_write();
  return std::nullopt;
}

// asyncio's _do_write: an engine error escapes to _write_appdata or _do_read, whose handlers
// make it fatal; here the caller is told through the returned state instead.
void SslProtocol::do_write() {
  while (!backlog_.empty()) {
    Bytes& data = backlog_.front();
    note_engine('w', data);
    TlsResult r = engine_->write(data);
    if (again(r)) break;
    if (r.status != TlsStatus::ok) {
      fatal_error(tls_error(r), "Fatal error on SSL protocol");
      return;
    }
    if (r.bytes < data.size()) {
      data.erase(0, r.bytes);
      backlog_size_ -= r.bytes;
    } else {
      backlog_size_ -= data.size();
      backlog_.pop_front();
    }
  }
  process_outgoing();
}

void SslProtocol::process_outgoing() {
  if (!ssl_writing_paused_ && transport_) {
    Bytes data = engine_->take_outgoing();
    if (!data.empty()) {
      note_engine('o');
      (void)transport_->write(data);
    }
  }
  control_app_writing();
}

// ---- incoming --------------------------------------------------------------------------

void SslProtocol::do_read() {
  if (state_ != SslState::wrapped && state_ != SslState::flushing) return;
  // bpo-45159: an app that paused reading must get nothing until it resumes.
  if (!app_reading_paused_ || ctx_.bugs.on(Bug::bpo_45159)) {
    BufferedProtocol* buffered = app_->as_buffered();
    bool ok = buffered ? do_read_buffered(*buffered) : do_read_copied();
    if (!ok) return;  // asyncio's exception skips the rest of _do_read
    if (!backlog_.empty()) {
      do_write();
    } else {
      process_outgoing();
    }
  }
  control_ssl_reading();
}

// Reads every whole record there is into the app's buffer; a full buffer asks for another turn.
bool SslProtocol::do_read_buffered(BufferedProtocol& app) {
  std::span<char> buffer = app.get_buffer(static_cast<std::int64_t>(engine_->incoming_pending()));
  std::size_t offset = 0;
  bool close_notify = false;
  Bytes chunk;
  while (offset < buffer.size()) {
    chunk.clear();
    TlsResult r = engine_read(chunk, buffer.size() - offset);
    if (r.status == TlsStatus::ok) {
      std::copy(chunk.begin(), chunk.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
      offset += chunk.size();
      continue;
    }
    if (r.status == TlsStatus::zero_return) close_notify = true;
    else if (!again(r)) {
      fatal_error(tls_error(r), "Fatal error on SSL protocol");  // what was read is not delivered
      return false;
    }
    break;
  }
  if (offset == buffer.size() && !buffer.empty()) {
    ctx_.loop.call_soon(tag("do_read"), [this] { do_read(); });
  }
  if (offset > 0) app.buffer_updated(offset);
  if (close_notify) {
    call_eof_received();
    start_shutdown();
  }
  return true;
}

// Reads every whole record there is and hands them to the app as one chunk.
bool SslProtocol::do_read_copied() {
  Bytes data;
  bool close_notify = false;
  for (;;) {
    TlsResult r = engine_read(data, kMaxSize);
    if (r.status == TlsStatus::ok) continue;
    if (r.status == TlsStatus::zero_return) close_notify = true;
    else if (!again(r)) {
      fatal_error(tls_error(r), "Fatal error on SSL protocol");  // what was read is not delivered
      return false;
    }
    break;
  }
  if (!data.empty()) app_->data_received(data);
  if (close_notify) {
    call_eof_received();
    start_shutdown();
  }
  return true;
}

// Over TLS, eof_received's answer changes nothing (asyncio warns if it is true).
void SslProtocol::call_eof_received() {
  if (app_state_ != AppState::con_made) return;
  set_app_state(AppState::eof);
  (void)app_->eof_received();
}

// ---- flow control ----------------------------------------------------------------------

void SslProtocol::control_app_writing() {
  std::size_t size = write_buffer_size();
  if (size >= outgoing_high_ && !app_writing_paused_) {
    app_writing_paused_ = true;
    app_->pause_writing();
  } else if (size <= outgoing_low_ && app_writing_paused_) {
    app_writing_paused_ = false;
    app_->resume_writing();
  }
}

Status SslProtocol::set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) {
  WriteLimits limits;
  if (Status status = flow_limits(high, low, kWriteHighWater, limits)) return status;
  outgoing_high_ = limits.high;
  outgoing_low_ = limits.low;
  if (transport_) control_app_writing();
  return std::nullopt;
}

void SslProtocol::control_ssl_reading() {
  std::size_t size = engine_->incoming_pending();
  if (size >= incoming_high_ && !ssl_reading_paused_) {
    ssl_reading_paused_ = true;
    transport_->pause_reading();
  } else if (size <= incoming_low_ && ssl_reading_paused_) {
    ssl_reading_paused_ = false;
    transport_->resume_reading();
  }
}

void SslProtocol::resume_app_reading() {
  if (!app_reading_paused_) return;
  app_reading_paused_ = false;
  ctx_.loop.call_soon(tag("resume"), [this] {
    if (state_ == SslState::wrapped) do_read();
    else if (state_ == SslState::flushing) do_flush();
    else if (state_ == SslState::shutdown) do_shutdown();
  });
}

// ---- errors and queries ----------------------------------------------------------------

// asyncio force-closes the transport beneath, whose connection_lost carries the error on to
// the app (or to the waiter, during the handshake). Every error here is an OSError in asyncio's
// terms (ssl.SSLError is one), which it only logs in debug mode: the loop's handler is not told.
void SslProtocol::fatal_error(const Error& error, const char* message) {
  trace(std::string(message) + ": " + error.describe());
  if (ctx_.observer) ctx_.observer->on_tls_error(this, error);
  if (transport_) transport_->force_close(error);
}

std::optional<std::string> SslProtocol::extra_info(std::string_view name) const {
  if (name == "sslcontext") return "SSLContext";  // in _extra from the start
  // asyncio adds these to _extra when the handshake completes, and keeps them after.
  if (handshake_done_) {
    if (name == "cipher") return engine_->cipher();
    if (name == "version") return engine_->version();
    if (name == "ssl_object") return "SSLObject";
    if (name == "compression") return std::nullopt;
    if (name == "peercert") return engine_->peer_certificate();
  }
  if (transport_) return transport_->get_extra_info(name);
  return std::nullopt;
}

void SslProtocol::fingerprint(StateHasher& h) const {
  h.value(state_);
  h.value(app_state_);
  h.value(engine_digest_.value());
  h.value(backlog_size_);
  // Each write the engine has not taken becomes a record of its own: the chunks, not only their
  // bytes (almost always none).
  h.value(backlog_.size());
  for (const Bytes& chunk : backlog_) h.text(chunk);
  h.value(outgoing_high_);
  h.value(outgoing_low_);
  for (bool b : {ssl_writing_paused_, app_reading_paused_, ssl_reading_paused_, app_writing_paused_,
                 eof_received_, transport_ != nullptr, static_cast<bool>(waiter_), app_transport_.closed(),
                 handshake_done_, shutdown_queued_}) {
    h.value(b);
  }
  h.value(conn_lost_ > 0);  // its count (writes after the loss) is read only as nonzero
  h.value(h.owner(app_));
}

}  // namespace loopcheck
