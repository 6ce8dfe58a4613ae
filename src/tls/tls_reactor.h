// Seed 001's database driver, its asyncio reactor reduced to what the story needs: one
// connection over TLS that runs the driver's startup exchange (OPTIONS -> SUPPORTED, STARTUP ->
// READY, one line each here) within a connect timeout, then carries requests (QUERY -> RESULT).
//
// Two ways to do its I/O, switched by reactor-sslsocket at the one place the fix lives:
//  - the seed's (ON): wrap the socket in an SSL socket, finish the handshake, then run a read
//    task and a write task on the loop's sock_recv / sock_sendall. The loop refuses an SSL socket
//    (TypeError); the tasks die with it in futures nobody inspects, and startup waits for the
//    connect timeout, which reports OperationTimedOut, never the real error;
//  - the fix the seed proposes (OFF): keep the raw socket and connect through the SSL protocol
//    (create_connection with ssl= and sock=); a bridge protocol feeds the driver, pause_writing
//    and resume_writing gate its writes, connection_lost with an error defuncts the connection.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "src/core/bugs.h"
#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/protocol.h"
#include "src/core/socket_api.h"
#include "src/core/state_hasher.h"
#include "src/core/task.h"
#include "src/core/time.h"
#include "src/core/tls_engine.h"
#include "src/core/tracer.h"
#include "src/tls/ssl_protocol.h"
#include "src/tls/tls_socket.h"

namespace loopcheck {

struct ReactorOptions {
  Nanos connect_timeout = 5 * kSecond;  // how long Connection.factory waits for connected_event
  std::string endpoint_address = "127.0.0.1";
  std::optional<std::string> server_hostname;  // ssl_options' own, if it gives one
  bool check_hostname = false;                 // the SSL context's check_hostname
};

// The fix's server_hostname: the explicit one; else the endpoint's address when the context
// checks host names; else "" (create_connection with sock= needs one, and "" verifies none).
std::string reactor_server_hostname(const ReactorOptions& options);

// How a reactor reaches the world.
struct ReactorContext {
  Loop& loop;
  SocketApi& sockets;
  const BugSet& bugs;
  Tracer& tracer;
  TaskObserver* tasks = nullptr;  // the monitor, which counts exceptions nobody retrieved
  // create_connection(ssl=..., sock=fd, server_hostname=...): an SSL protocol on a plain
  // transport over the connection's fd, with `app` as its protocol; `waiter` is its future.
  std::function<Transport&(Protocol& app, const std::string& server_hostname, SslWaiter waiter)> create_connection;
  // wrap_socket(sock, server_hostname=...): the TLS engine of the driver's own SSL socket.
  std::function<std::unique_ptr<TlsEngine>(const std::string& server_hostname)> wrap_socket;
};

class ReactorConnection final : public Fingerprinted {
 public:
  // connected_event: READY (nothing), or why the connection will never be ready.
  using Connected = std::function<void(std::optional<Error>)>;
  using Reply = std::function<void(const Bytes& line)>;

  ReactorConnection(ReactorContext ctx, int fd, ReactorOptions options);
  ReactorConnection(const ReactorConnection&) = delete;
  ReactorConnection& operator=(const ReactorConnection&) = delete;
  ~ReactorConnection() override;

  void connect(Connected on_connected, Reply on_reply);
  // A request line ("QUERY 1"). Errc::would_block (the driver's ConnectionBusy) while the
  // transport has paused writing; Errc::closed once the connection is defunct or closed.
  Status send_request(const Bytes& line);
  void close();
  // The caller stopped waiting (Connection.factory's timeout, or the app's own): the
  // connection is defunct with OperationTimedOut, whatever it was doing.
  void time_out();
  bool connected() const { return connected_; }
  bool defunct() const { return defunct_; }
  const std::optional<Error>& last_error() const { return last_error_; }
  void fingerprint(StateHasher& h) const override;

 private:
  class Bridge;
  // The seed's path.
  void wrap_and_start_loops();
  void handle_read();
  void handle_write();
  // Both paths.
  void push(const Bytes& line);
  void take_lines(BytesView data);
  void process_line(const Bytes& line);
  void defunct(const Error& error);
  void connected(std::optional<Error> error);
  void trace(const std::string& text) const;
  Tag tag(const char* label) const { return Tag{this, label}; }

  ReactorContext ctx_;
  int fd_;
  ReactorOptions options_;
  Connected on_connected_;
  Reply on_reply_;
  Handle connect_timer_;
  bool connected_ = false, notified_ = false, defunct_ = false, closed_ = false;
  std::optional<Error> last_error_;
  Bytes inbox_;  // bytes of a line not yet complete
  // The seed's path: the SSL socket, the write queue and the two tasks' futures.
  std::unique_ptr<TlsSocket> ssl_socket_;
  std::deque<Bytes> write_queue_;
  bool writer_waiting_ = false;  // handle_write awaits the queue
  TaskOutcome read_task_, write_task_;
  // The fix's path: the bridge protocol and the SSL transport create_connection gave it.
  std::unique_ptr<Bridge> bridge_;
  Transport* transport_ = nullptr;
  bool socket_writable_ = true;
};

}  // namespace loopcheck
