#include "src/tls/tls_reactor.h"

#include <utility>

#include "src/loop/sock_calls.h"

namespace loopcheck {

std::string reactor_server_hostname(const ReactorOptions& options) {
  if (options.server_hostname) return *options.server_hostname;
  if (options.check_hostname) return options.endpoint_address;
  return "";
}

// The seed's _CQLProtocol: the SSL transport's protocol, feeding the driver's connection.
class ReactorConnection::Bridge final : public Protocol {
 public:
  explicit Bridge(ReactorConnection& conn) : conn_(conn) {}
  void connection_made(Transport& transport) override {
    conn_.transport_ = &transport;
    conn_.push("OPTIONS\n");  // the handshake is done: start the driver's own
  }
  void data_received(BytesView data) override { conn_.take_lines(data); }
  void connection_lost(std::optional<Error> error) override {
    conn_.transport_ = nullptr;
    if (error) {
      conn_.defunct(*error);
    } else {
      conn_.close();
    }
  }
  void pause_writing() override { conn_.socket_writable_ = false; }
  void resume_writing() override { conn_.socket_writable_ = true; }

 private:
  ReactorConnection& conn_;
};

ReactorConnection::ReactorConnection(ReactorContext ctx, int fd, ReactorOptions options)
    : ctx_(std::move(ctx)),
      fd_(fd),
      options_(std::move(options)),
      read_task_("handle_read", ctx_.tasks),
      write_task_("handle_write", ctx_.tasks) {}

ReactorConnection::~ReactorConnection() = default;

void ReactorConnection::trace(const std::string& text) const {
  if (ctx_.tracer.enabled()) ctx_.tracer.record(Component::protocol, "driver: " + text);
}

void ReactorConnection::connect(Connected on_connected, Reply on_reply) {
  on_connected_ = std::move(on_connected);
  on_reply_ = std::move(on_reply);
  // Connection.factory waits for connected_event this long, then gives up.
  connect_timer_ = ctx_.loop.call_later(options_.connect_timeout, tag("connect_timeout"), [this] {
    if (!connected_) time_out();
  });
  if (ctx_.bugs.on(Bug::reactor_sslsocket)) {
    wrap_and_start_loops();
    return;
  }
  std::string hostname = reactor_server_hostname(options_);
  bridge_ = std::make_unique<Bridge>(*this);
  // _create_ssl_connection: a handshake that fails (or times out) defuncts the connection. The
  // SSL transport is the connection's from here on, so that a close or a defunct during the
  // handshake ends it too (the fix cancels the pending create_connection).
  transport_ = &ctx_.create_connection(*bridge_, hostname, [this](std::optional<Error> error) {
    if (error) defunct(*error);
  });
}

// ---- the seed's path: an SSL socket on the loop's socket calls -------------------------

void ReactorConnection::wrap_and_start_loops() {
  ssl_socket_ = std::make_unique<TlsSocket>(ctx_.loop, ctx_.sockets, fd_,
                                            ctx_.wrap_socket(reactor_server_hostname(options_)));
  ssl_socket_->handshake([this](std::optional<Error> error) {
    if (error) {
      defunct(*error);
      return;
    }
    trace("SSL socket handshake done; starting handle_read and handle_write");
    // run_coroutine_threadsafe: both start on the loop's next turn; their futures are kept
    // and never looked at.
    ctx_.loop.call_soon(tag("handle_read"), [this] { handle_read(); });
    ctx_.loop.call_soon(tag("handle_write"), [this] { handle_write(); });
    push("OPTIONS\n");
  });
}

// `except socket.error` catches what the socket raises (OSError); the loop's TypeError for an
// SSL socket is not one, so it ends the task, and the task's future keeps it.
void ReactorConnection::handle_read() {
  if (defunct_ || closed_) return;
  sock_recv(ctx_.loop, ctx_.sockets, ssl_socket_->object(), 4096, [this](IoResult<Bytes> got) {
    if (!got.ok()) {
      if (got.error().code == Errc::invalid_argument) {
        trace("handle_read died: " + got.error().describe());
        read_task_.set_exception(got.error());
      } else {
        defunct(got.error());
      }
      return;
    }
    take_lines(got.value());
    ctx_.loop.call_soon(tag("handle_read"), [this] { handle_read(); });
  });
}

void ReactorConnection::handle_write() {
  if (defunct_ || closed_) return;
  if (write_queue_.empty()) {
    writer_waiting_ = true;  // `await self._write_queue.get()`
    return;
  }
  Bytes next = std::move(write_queue_.front());
  write_queue_.pop_front();
  sock_sendall(ctx_.loop, ctx_.sockets, ssl_socket_->object(), next, [this](Status sent) {
    if (sent) {
      if (sent->code == Errc::invalid_argument) {
        trace("handle_write died: " + sent->describe());
        write_task_.set_exception(*sent);
      } else {
        defunct(*sent);
      }
      return;
    }
    ctx_.loop.call_soon(tag("handle_write"), [this] { handle_write(); });
  });
}

// ---- both paths -----------------------------------------------------------------------

void ReactorConnection::push(const Bytes& line) {
  if (!ctx_.bugs.on(Bug::reactor_sslsocket)) {
    if (transport_) (void)transport_->write(line);
    return;
  }
  write_queue_.push_back(line);
  if (writer_waiting_) {  // the queue's getter wakes on a later turn
    writer_waiting_ = false;
    ctx_.loop.call_soon(tag("handle_write"), [this] { handle_write(); });
  }
}

Status ReactorConnection::send_request(const Bytes& line) {
  if (defunct_ || closed_) return make_error(Errc::closed, "the connection is closed");
  if (!socket_writable_) return make_error(Errc::would_block, "ConnectionBusy: writing is paused");
  push(line);
  return std::nullopt;
}

void ReactorConnection::take_lines(BytesView data) {
  inbox_.append(data.data(), data.size());
  std::size_t end;
  while ((end = inbox_.find('\n')) != Bytes::npos) {
    Bytes line = inbox_.substr(0, end);
    inbox_.erase(0, end + 1);
    process_line(line);
  }
}

void ReactorConnection::process_line(const Bytes& line) {
  trace("got " + line);
  if (line == "SUPPORTED") {
    push("STARTUP\n");
  } else if (line == "READY") {
    connected(std::nullopt);
  } else if (on_reply_) {
    on_reply_(line);
  }
}

void ReactorConnection::connected(std::optional<Error> error) {
  if (!error) connected_ = true;
  connect_timer_.cancel();
  if (notified_) return;
  notified_ = true;
  if (on_connected_) on_connected_(std::move(error));
}

// The driver's defunct(): remember the error, close everything, wake whoever waits.
void ReactorConnection::defunct(const Error& error) {
  if (defunct_ || closed_) return;
  defunct_ = true;
  last_error_ = error;
  trace("defunct: " + error.describe());
  if (ssl_socket_) ssl_socket_->close();
  if (transport_) transport_->close();
  connected(error);
}

void ReactorConnection::time_out() {
  defunct(make_error(Errc::timed_out, "OperationTimedOut: connection startup timed out"));
}

void ReactorConnection::close() {
  if (closed_ || defunct_) return;
  closed_ = true;
  if (ssl_socket_) ssl_socket_->close();
  if (transport_) transport_->close();
  connected(make_error(Errc::closed, "the connection was closed"));
}

void ReactorConnection::fingerprint(StateHasher& h) const {
  for (bool b : {connected_, notified_, defunct_, closed_, writer_waiting_, socket_writable_, read_task_.failed(),
                 write_task_.failed()}) {
    h.value(b);
  }
  h.text(inbox_);
  h.value(write_queue_.size());
  for (const Bytes& line : write_queue_) h.text(line);  // what the server will be asked
  if (ssl_socket_) ssl_socket_->fingerprint(h);
  h.value(transport_ != nullptr);
}

}  // namespace loopcheck
