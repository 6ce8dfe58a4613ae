#include "src/transport/sendfile_fallback.h"

#include <stdexcept>
#include <utility>

namespace loopcheck {

SendfileFallbackProtocol::SendfileFallbackProtocol(Loop& loop, Transport& transport)
    : loop_(loop),
      transport_(transport),
      proto_(transport.get_protocol()),
      should_resume_reading_(transport.is_reading()),
      should_resume_writing_(transport.protocol_paused()),
      gate_closed_(should_resume_writing_) {
  transport_.pause_reading();
  transport_.set_protocol(*this);
}

void SendfileFallbackProtocol::drain(std::function<void(Status)> ready) {
  if (transport_.is_closing()) {
    ready(make_error(Errc::connection_reset, "ConnectionError: Connection closed by peer"));
  } else if (gate_error_) {
    ready(*gate_error_);
  } else if (!gate_closed_) {
    ready(std::nullopt);
  } else {
    waiting_ = std::move(ready);
  }
}

void SendfileFallbackProtocol::wake(Status status) {
  if (!waiting_) return;
  loop_.call_soon(Tag{this, "sendfile_drained"},
                  [ready = std::move(waiting_), status = std::move(status)] { ready(status); });
  waiting_ = nullptr;
}

void SendfileFallbackProtocol::restore() {
  if (!lost_) {
    transport_.set_protocol(proto_);
    if (should_resume_reading_) transport_.resume_reading();
  }
  // The gate's future is cancelled: nobody waits on it any more.
  gate_closed_ = false;
  waiting_ = nullptr;
  if (should_resume_writing_) proto_.resume_writing();
}

void SendfileFallbackProtocol::connection_made(Transport&) {
  throw std::runtime_error("Invalid state: connection should have been established already.");
}

void SendfileFallbackProtocol::data_received(BytesView) {
  throw std::runtime_error("Invalid state: reading should be paused");
}

bool SendfileFallbackProtocol::eof_received() {
  throw std::runtime_error("Invalid state: reading should be paused");
}

// Never while the peer reads the whole file; so to the sender it is always a failure.
void SendfileFallbackProtocol::connection_lost(std::optional<Error> error) {
  lost_ = true;
  if (gate_closed_) {
    gate_closed_ = false;
    gate_error_ = error ? *error : make_error(Errc::connection_reset, "ConnectionError: Connection is closed by peer");
    wake(gate_error_);
  }
  proto_.connection_lost(std::move(error));
}

void SendfileFallbackProtocol::pause_writing() { gate_closed_ = true; }

void SendfileFallbackProtocol::resume_writing() {
  if (!gate_closed_) return;
  gate_closed_ = false;
  wake(std::nullopt);
}

void SendfileFallbackProtocol::fingerprint(StateHasher& h) const {
  // What restore() hands back: the transport no longer shows it (the fallback paused reading
  // itself, and a resume_writing opens the gate).
  h.value(should_resume_reading_);
  h.value(should_resume_writing_);
  h.value(gate_closed_);
  h.value(gate_error_.has_value());
  h.value(lost_);
  h.value(static_cast<bool>(waiting_));
}

}  // namespace loopcheck
