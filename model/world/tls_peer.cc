#include "model/world/tls_peer.h"

#include <algorithm>
#include <stdexcept>

#include "model/world/sim_clock.h"
#include "model/world/sim_tls.h"

namespace loopcheck {

TlsPeer::TlsPeer(FakeKernel& kernel, int fd, std::string name, Script script)
    : StreamPeer(kernel, fd, std::move(name)), script_(std::move(script)) {
  std::string error;
  // The peer's clock stands at the epoch: it sends no tickets, and certificates are valid then.
  engine_ = make_sim_engine(script_.tls, script_.server, script_.seed, [] { return kSimEpochSeconds; }, error,
                            script_.server ? script_.tickets : 0);
  if (!engine_) throw std::runtime_error("TLS peer: " + error);
  plain_.reads_ = script_.misbehaviour == Misbehaviour::none || script_.misbehaviour == Misbehaviour::ignore_close_notify;
}

const char* TlsPeer::action_name(int action) const {
  switch (action) {
    case 1: return "drop TCP (FIN) during the handshake";
    case 2: return "drop TCP (RST) during the handshake";
    default: return "tls";
  }
}

bool TlsPeer::can(int action) const {
  if (failed_) return false;
  if (action > 0) return started_ && !handshake_done_ && !received_.empty();
  // A client speaks first, once it has the plaintext it waits for.
  if (!script_.server && !tls_begun_ && received_.size() >= script_.plain_first) return true;
  return (!saw_eof_ && kernel_.readable(fd_)) || (!outbox_.empty() && kernel_.writable(fd_));
}

void TlsPeer::act(int action) {
  if (action == 1) {
    close_socket();
    return;
  }
  if (action == 2) {
    closed_ = true;
    (void)kernel_.abortive_close(fd_);
    return;
  }
  step();
}

void TlsPeer::note(char op, BytesView data) { digest_.note(op, data); }

void TlsPeer::step() {
  if (!started_) {
    started_ = true;
    if (!script_.preamble.empty()) {  // the plaintext line first; TLS begins on the next turn
      outbox_ += script_.preamble;
      flush();
      return;
    }
  }
  if (!read_available()) return;  // reset: the socket is closed
  if (!tls_begun_ && received_.size() < script_.plain_first && !saw_eof_) return;  // still in plaintext
  fed_ = std::max(fed_, std::min(script_.plain_first, received_.size()));  // plaintext is not TLS
  if (fed_ < received_.size()) {
    BytesView fresh = BytesView(received_).substr(fed_);
    note('f', fresh);
    engine_->feed(fresh);
    fed_ = received_.size();
  }
  if (saw_eof_ && !eof_fed_) {
    eof_fed_ = true;
    note('e');
    engine_->feed_eof();
  }
  if (!handshake_done_ && script_.misbehaviour != Misbehaviour::stall_handshake) {
    tls_begun_ = true;
    note('h');
    TlsResult r = engine_->do_handshake();
    if (r.status == TlsStatus::ok) {
      handshake_done_ = true;
    } else if (r.status != TlsStatus::want_read && r.status != TlsStatus::want_write) {
      failed_ = true;  // its alert (if any) goes out, then the connection ends
    }
  }
  if (handshake_done_) {
    // Reads first: a close_notify sent with records still unread would make OpenSSL's shutdown
    // discard them.
    read_plaintext();
    send_plaintext();
  }
  take_outgoing();
  flush();
  bool exchanged = plain_.close_notify_ && notify_sent_;
  if (!closed_ && outbox_.empty() && (saw_eof_ || failed_ || exchanged)) close_socket();
}

// What the script sends, in the same turn the handshake ends: for a client, its first
// application data travels in the same segment as its Finished.
void TlsPeer::send_plaintext() {
  std::size_t total = script_.send_bytes;
  while (plain_sent_ < total) {
    std::size_t n = script_.chunk == 0 ? total - plain_sent_ : std::min(script_.chunk, total - plain_sent_);
    Bytes data = SenderPeer::payload(plain_sent_, n);
    note('w', data);
    if (engine_->write(data).status != TlsStatus::ok) return;
    plain_.sent_ += data;
    plain_sent_ += n;
  }
  if (script_.close_when_done && !notify_sent_) {
    note('s');
    (void)engine_->shutdown();
    notify_sent_ = true;
  }
}

void TlsPeer::read_plaintext() {
  for (;;) {
    Bytes out;
    note('r');
    TlsResult r = engine_->read(out, 64 * 1024);
    if (r.status == TlsStatus::ok) {
      plain_.received_ += out;
      answer_lines();
      if (script_.echo && !notify_sent_) {
        note('w', out);
        if (engine_->write(out).status == TlsStatus::ok) plain_.sent_ += out;
      }
      continue;
    }
    if (r.status == TlsStatus::zero_return) {
      plain_.close_notify_ = true;
      if (!notify_sent_ && script_.misbehaviour != Misbehaviour::ignore_close_notify) {
        note('s');
        (void)engine_->shutdown();  // answers with its own close_notify
        notify_sent_ = true;
      }
    }
    return;  // want_read, EOF without close_notify, or an error: nothing more to read
  }
}

void TlsPeer::answer_lines() {
  std::size_t end;
  while ((end = plain_.received_.find('\n', line_start_)) != Bytes::npos) {
    Bytes line = plain_.received_.substr(line_start_, end - line_start_);
    line_start_ = end + 1;
    for (const auto& [request, reply] : script_.replies) {
      if (line != request || notify_sent_) continue;
      Bytes answer = reply + "\n";
      note('w', answer);
      if (engine_->write(answer).status == TlsStatus::ok) plain_.sent_ += answer;
    }
  }
}

void TlsPeer::take_outgoing() {
  Bytes taken = engine_->take_outgoing();
  if (!taken.empty()) note('o');
  outbox_ += taken;
}

void TlsPeer::fingerprint_stream_peer(StateHasher& h) const {
  h.value(digest_.value());
  h.text(plain_.sent_);
  h.text(plain_.received_);
  for (bool b : {plain_.close_notify_, started_, tls_begun_, handshake_done_, failed_, eof_fed_, notify_sent_}) {
    h.value(b);
  }
  h.value(fed_);
  h.value(plain_sent_);
  h.value(line_start_);
}

}  // namespace loopcheck
