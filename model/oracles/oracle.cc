#include "model/oracles/oracle.h"

#include <array>

namespace loopcheck {
namespace {

struct OracleText {
  std::string_view id;
  std::string_view title;
  std::string_view requirement;
};

constexpr std::array<OracleText, kOracleCount> kOracles = {{
    {"O1", "callback grammar",
     "connection_made <=1, data_received*, eof_received <=1, connection_lost exactly once; nothing "
     "after connection_lost; no data_received while reading is paused"},
    {"O2", "byte conservation",
     "received bytes are an in-order prefix of what the peer's transport accepted; the whole on a "
     "graceful close"},
    {"O3", "flow control",
     "pause_writing/resume_writing alternate, starting with pause, at the high/low marks"},
    {"O4", "liveness",
     "at quiescence every close()/abort() has reached connection_lost and every obligation is "
     "discharged; no zero-time livelock"},
    {"O5", "resources",
     "at the end no open fd, no registered reader or writer, no live timer of a closed transport"},
    {"O6", "no swallowed errors",
     "every socket error reaches the protocol or the loop's exception handler"},
    {"O7", "self-reports",
     "is_closing(), is_reading() and get_write_buffer_size() agree with what the monitor saw"},
    {"O8", "legal TLS transitions", "the SSL protocol moves only along the allowed edges"},
    {"O9", "cancel accounting", "each operation has exactly one final completion; data completed after a cancel is delivered or discarded, never lost silently"},
    {"O10", "datagram accounting",
     "every datagram queued before close() is delivered; only abort() may discard, and it says how "
     "many"},
}};

}  // namespace

std::string_view oracle_id(Oracle o) { return kOracles[static_cast<std::size_t>(o)].id; }
std::string_view oracle_title(Oracle o) { return kOracles[static_cast<std::size_t>(o)].title; }
std::string_view oracle_requirement(Oracle o) {
  return kOracles[static_cast<std::size_t>(o)].requirement;
}

std::optional<Oracle> parse_oracle(std::string_view id) {
  for (std::size_t i = 0; i < kOracleCount; ++i) {
    if (kOracles[i].id == id) return static_cast<Oracle>(i);
  }
  return std::nullopt;
}

}  // namespace loopcheck
