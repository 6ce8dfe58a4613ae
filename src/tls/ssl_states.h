// The two state machines of asyncio's SSLProtocol (Lib/asyncio/sslproto.py, CPython 3.13), and
// the edges each may take. The protocol reports every move to an SslStateObserver; oracle O8
// judges the moves against these tables, which the protocol itself never consults, so a move
// the code should not make is seen rather than silently refused.
#pragma once

#include <optional>
#include <string_view>

#include "src/core/error.h"

namespace loopcheck {

// SSLProtocolState.
enum class SslState { unwrapped, do_handshake, wrapped, flushing, shutdown };
// AppProtocolState: what the app protocol has been told.
enum class AppState { init, con_made, eof, con_lost };

std::string_view ssl_state_name(SslState state);  // "WRAPPED"
std::string_view app_state_name(AppState state);  // "CON_MADE"

// Any state -> UNWRAPPED; UNWRAPPED -> DO_HANDSHAKE -> WRAPPED -> FLUSHING -> SHUTDOWN.
bool legal_ssl_move(SslState from, SslState to);
// INIT -> CON_MADE [-> EOF] -> CON_LOST.
bool legal_app_move(AppState from, AppState to);

class SslStateObserver {
 public:
  virtual ~SslStateObserver() = default;
  virtual void on_ssl_state(const void* protocol, SslState from, SslState to) = 0;
  virtual void on_app_state(const void* protocol, AppState from, AppState to) = 0;
  // A failure the protocol itself raised (a TLS alert or record error, a handshake failure or
  // timeout): O6 then asks that it reach the app's connection_lost or the handshake's waiter.
  virtual void on_tls_error(const void* protocol, const Error& error) = 0;
  // The transport beneath called pause_writing (pause) or resume_writing; `believed_paused` is
  // what the protocol thought before the call. asyncio asserts pause != believed_paused.
  virtual void on_ssl_flow(const void* protocol, bool pause, bool believed_paused) = 0;
  // The handshake's waiter was woken, with the error it got if any, and whether the handshake
  // had finished (a waiter told of success must have a finished handshake behind it).
  virtual void on_waiter(const void* protocol, const std::optional<Error>& error, bool handshake_done) = 0;
};

}  // namespace loopcheck
