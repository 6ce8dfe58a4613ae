// asyncio's SSLProtocol (Lib/asyncio/sslproto.py, CPython 3.13) as a state machine over the
// TlsEngine seam. It is the BufferedProtocol of a plain stream transport beneath it (selector or
// proactor, simulated or real) and offers the app protocol an SslTransport above it.
//
// Path for path as in 3.13: the handshake starts inside connection_made, with a timeout; data
// written before the handshake ends waits in a backlog; decrypted data goes to the app unless it
// paused reading; the incoming side pauses the transport beneath at 256 KiB of undecrypted bytes
// and resumes it at 64 KiB; the app's writes pause it at 512 KiB (asyncio's SSL write limits);
// close() flushes, sends close_notify and waits for the peer's within the shutdown timeout;
// abort() and every failure force the transport beneath closed. Every state change goes to an
// SslStateObserver (oracle O8); the catalog's six TLS switches each sit where their fix lives.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "src/core/bugs.h"
#include "src/core/bytes.h"
#include "src/core/loop.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/time.h"
#include "src/core/tls_engine.h"
#include "src/core/tracer.h"
#include "src/tls/ssl_states.h"
#include "src/tls/ssl_transport.h"

namespace loopcheck {

struct SslOptions {
  bool server_side = false;
  // false for start_tls: the app protocol already had connection_made from the plain transport.
  bool call_connection_made = true;
  // start_tls over a transport whose protocol is paused for writing: the SSL protocol starts
  // paused too, and waits for the resume_writing the transport owes (gh-109051's fix).
  bool writing_paused = false;
  Nanos handshake_timeout = 60 * kSecond;  // asyncio's SSL_HANDSHAKE_TIMEOUT
  Nanos shutdown_timeout = 30 * kSecond;   // asyncio's SSL_SHUTDOWN_TIMEOUT
};

// What an SSL protocol is handed to reach the world, like a transport's TransportContext.
struct SslContext {
  Loop& loop;
  const BugSet& bugs;
  Tracer& tracer;
  SslStateObserver* observer = nullptr;  // the monitor, under simulation
  // Digest every engine call for the fingerprint (the simulation's state reduction needs it;
  // on real sockets it would only cost a pass over every byte).
  bool digest_engine_calls = false;
};

// The future that create_connection / start_tls awaits: woken once, with nothing when the
// handshake finished and with the error otherwise.
using SslWaiter = std::function<void(std::optional<Error>)>;

class SslProtocol final : public BufferedProtocol, public Fingerprinted {
 public:
  static constexpr std::size_t kMaxSize = 256 * 1024;             // read size and recv buffer
  static constexpr std::size_t kReadHighWater = 256 * 1024;      // FLOW_CONTROL_HIGH_WATER_SSL_READ
  static constexpr std::size_t kWriteHighWater = 512 * 1024;     // FLOW_CONTROL_HIGH_WATER_SSL_WRITE

  SslProtocol(SslContext ctx, std::unique_ptr<TlsEngine> engine, Protocol& app, SslOptions options,
              SslWaiter waiter = {});
  SslProtocol(const SslProtocol&) = delete;
  SslProtocol& operator=(const SslProtocol&) = delete;

  // The transport beneath calls these (BufferedProtocol).
  void connection_made(Transport& transport) override;
  void connection_lost(std::optional<Error> error) override;
  std::span<char> get_buffer(std::int64_t sizehint) override;
  void buffer_updated(std::size_t nbytes) override;
  bool eof_received() override;
  void pause_writing() override;
  void resume_writing() override;

  // Bytes read from the socket before this protocol was installed (start_tls moves a stream's
  // read-ahead here, asyncio's `_incoming.write(buffer)`); the handshake reads them first.
  void feed_incoming(BytesView data);

  // What the app sees.
  SslTransport& app_transport() { return app_transport_; }
  SslState state() const { return state_; }
  AppState app_state() const { return app_state_; }
  // connection_lost has come: asyncio has dropped its _app_transport (start_tls returns None).
  bool connection_gone() const { return conn_lost_ > 0; }
  // The transport beneath is closing (asyncio's _is_transport_closing).
  bool transport_closing() const { return transport_ && transport_->is_closing(); }
  void fingerprint(StateHasher& hasher) const override;

  // The app transport's entry points (asyncio's _SSLProtocolTransport calls these).
  void set_app_protocol(Protocol& app) { app_ = &app; }
  Protocol& app_protocol() const { return *app_; }
  // Errc::closed when asyncio would drop the data with its "SSL connection is closed" warning
  // (the shutdown has begun, or the connection is gone).
  Status write_appdata(BytesView data);
  void start_shutdown();
  void abort(std::optional<Error> error);
  void pause_app_reading() { app_reading_paused_ = true; }
  void resume_app_reading();
  bool app_reading_paused() const { return app_reading_paused_; }
  [[nodiscard]] Status set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low);
  WriteLimits write_buffer_limits() const { return {outgoing_high_, outgoing_low_}; }
  std::size_t write_buffer_size() const { return engine_->outgoing_pending() + backlog_size_; }
  // Bytes the engine made that wait in its outgoing BIO although the transport beneath could
  // take them (not paused for writing, not closing); 0 otherwise. asyncio writes them out at
  // every _process_outgoing, so a loop that sleeps with some held back starves a peer that may
  // be waiting for them (a TLS 1.3 client's Finished: sslproto-paused-finished).
  std::size_t held_outgoing() const;
  std::optional<std::string> extra_info(std::string_view name) const;

 private:
  void set_state(SslState next);
  void set_app_state(AppState next);
  void start_handshake();
  void check_handshake_timeout();
  void do_handshake();
  void on_handshake_complete(std::optional<Error> error);
  void check_shutdown_timeout();
  void do_flush();
  void do_shutdown();
  void on_shutdown_complete(std::optional<Error> error);
  void do_write();
  void process_outgoing();
  void do_read();
  // False when a TLS error ended the read (it is fatal, and the rest of do_read is skipped).
  bool do_read_buffered(BufferedProtocol& app);
  bool do_read_copied();
  void call_eof_received();
  void control_app_writing();
  void control_ssl_reading();
  void fatal_error(const Error& error, const char* message);
  void wake_waiter(std::optional<Error> error);
  // Every engine call goes through here, so the fingerprint can stand for OpenSSL's own state
  // (which cannot be read out): two runs that made the same calls are in the same TLS state.
  void note_engine(char op, BytesView data = {});
  // SSL_read, noted unless it changed nothing: after the handshake, a read that waits
  // (want_read) having taken no byte in and put none out found no whole record, and OpenSSL
  // returned before its state moved. Runs that differ only by such reads are in one state.
  TlsResult engine_read(Bytes& out, std::size_t max_bytes);
  void trace(const std::string& text) const;
  Tag tag(const char* label) const { return Tag{this, label}; }

  SslContext ctx_;
  std::unique_ptr<TlsEngine> engine_;
  Protocol* app_;
  SslOptions options_;
  SslWaiter waiter_;
  SslTransport app_transport_;
  Transport* transport_ = nullptr;  // the plain transport beneath; null once it is lost
  SslState state_ = SslState::unwrapped;
  AppState app_state_;
  // Lent to the transport beneath (get_buffer); left uninitialised, as it is only ever written
  // before it is read.
  std::unique_ptr<char[]> buffer_ = std::make_unique_for_overwrite<char[]>(kMaxSize);
  std::deque<Bytes> backlog_;              // the app's writes the engine has not taken
  std::size_t backlog_size_ = 0;
  std::size_t outgoing_high_ = 0, outgoing_low_ = 0;
  std::size_t incoming_high_ = kReadHighWater, incoming_low_ = kReadHighWater / 4;
  bool ssl_writing_paused_ = false;  // the transport beneath asked us to stop writing
  bool app_reading_paused_ = false;
  bool ssl_reading_paused_ = false;  // we paused the transport beneath
  bool app_writing_paused_ = false;
  bool eof_received_ = false;
  bool handshake_done_ = false;   // get_extra_info's TLS keys exist from then on
  bool shutdown_queued_ = false;  // only with bpo-29743 on: a close() waiting for the handshake
  int conn_lost_ = 0;
  Handle handshake_timeout_;
  Handle shutdown_timeout_;
  TlsCallDigest engine_digest_;
};

}  // namespace loopcheck
