#include "src/tls/ssl_states.h"

namespace loopcheck {

std::string_view ssl_state_name(SslState state) {
  switch (state) {
    case SslState::unwrapped: return "UNWRAPPED";
    case SslState::do_handshake: return "DO_HANDSHAKE";
    case SslState::wrapped: return "WRAPPED";
    case SslState::flushing: return "FLUSHING";
    case SslState::shutdown: return "SHUTDOWN";
  }
  return "?";
}

std::string_view app_state_name(AppState state) {
  switch (state) {
    case AppState::init: return "INIT";
    case AppState::con_made: return "CON_MADE";
    case AppState::eof: return "EOF";
    case AppState::con_lost: return "CON_LOST";
  }
  return "?";
}

bool legal_ssl_move(SslState from, SslState to) {
  if (to == SslState::unwrapped) return true;
  return (from == SslState::unwrapped && to == SslState::do_handshake) ||
         (from == SslState::do_handshake && to == SslState::wrapped) ||
         (from == SslState::wrapped && to == SslState::flushing) ||
         (from == SslState::flushing && to == SslState::shutdown);
}

bool legal_app_move(AppState from, AppState to) {
  return (from == AppState::init && to == AppState::con_made) ||
         (from == AppState::con_made && to == AppState::eof) ||
         ((from == AppState::con_made || from == AppState::eof) && to == AppState::con_lost);
}

}  // namespace loopcheck
