// FakeKernel stream sockets: send and receive buffers, segments, FIN, RST, EPIPE, ECONNRESET.
#include <algorithm>
#include <utility>

#include "model/world/fake_kernel.h"

namespace loopcheck {

std::pair<int, int> FakeKernel::stream_pair(SocketKind kind, Owner a, Owner b, Address name_a,
                                            Address name_b) {
  int fd_a = kFirstFd + static_cast<int>(sockets_.size());
  int fd_b = fd_a + 1;
  Socket sa;
  sa.kind = kind;
  sa.owner = a;
  sa.name = std::move(name_a);
  sa.peer = fd_b;
  Socket sb;
  sb.kind = kind;
  sb.owner = b;
  sb.name = std::move(name_b);
  sb.peer = fd_a;
  sockets_.push_back(std::move(sa));
  sockets_.push_back(std::move(sb));
  return {fd_a, fd_b};
}

bool FakeKernel::lands(const Socket& s) const {
  const Segment& head = s.out.front();
  const Socket* to = find(s.peer);
  return head.fin || head.rst || !to->open || to->recv_buffer.size() < config_.stream_recv_capacity;
}

void FakeKernel::send_segment(Socket& s, Segment segment) {
  // Coalesce data with a data segment still queued, as a send queue does; control segments
  // (FIN, RST) keep their own place so their order relative to data is exact.
  if (!segment.fin && !segment.rst && !s.out.empty()) {
    Segment& tail = s.out.back();
    if (!tail.fin && !tail.rst) {
      s.out_bytes += segment.data.size();
      tail.data += segment.data;
      return;
    }
  }
  s.out_bytes += segment.data.size();
  s.out.push_back(std::move(segment));
  // A link with no latency at all is a loopback or socketpair: the other end has what was
  // sent as soon as send() returns, as far as its buffer takes it.
  if (config_.max_latency == 0) {
    while (!s.out.empty() && lands(s)) deliver_segment(s);
  }
}

IoResult<std::size_t> FakeKernel::send(int fd, BytesView data) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "send(" + std::to_string(fd) + ")");
  // AF_UNIX send never reports the pending reset (recv does): it is EPIPE once our side is shut
  // or the other end is gone, which AF_UNIX knows at once. TCP reports a pending error first.
  if (s->kind == SocketKind::unix_stream) touch(s->peer);  // whether the other end is still open
  if (s->kind == SocketKind::unix_stream &&
      (s->shut_wr || s->reset || !sockets_[s->peer - kFirstFd].open)) {
    return fail(s, Errc::broken_pipe, "send on fd " + std::to_string(fd));
  }
  if (s->rst_in) {
    s->rst_in = false;
    s->reset = true;
    return fail(s, Errc::connection_reset, "send on fd " + std::to_string(fd));
  }
  if (s->reset || s->shut_wr) return fail(s, Errc::broken_pipe, "send on fd " + std::to_string(fd));
  if (data.empty()) return std::size_t{0};
  std::size_t space = config_.stream_send_capacity - std::min(s->out_bytes, config_.stream_send_capacity);
  if (space == 0) return make_error(Errc::would_block, "send buffer full");
  std::size_t n = std::min(space, data.size());
  if (n >= 2 && fault(ChoiceKind::fault_short_write)) n /= 2;
  send_segment(*s, Segment{Bytes(data.substr(0, n)), false, false, clock_.now()});
  s->stats.stream_bytes_sent += n;
  if (n < data.size()) {
    trace("send fd " + std::to_string(fd) + ": short write " + std::to_string(n) + " of " +
          std::to_string(data.size()));
  }
  return n;
}

IoResult<Bytes> FakeKernel::recv(int fd, std::size_t max_bytes) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "recv(" + std::to_string(fd) + ")");
  if (!s->recv_buffer.empty()) {
    std::size_t n = std::min(max_bytes, s->recv_buffer.size());
    if (n >= 2 && fault(ChoiceKind::fault_short_read)) n /= 2;
    Bytes out(s->recv_buffer.view().substr(0, n));
    s->recv_buffer.consume(n);
    return out;
  }
  if (s->rst_in) {
    s->rst_in = false;
    s->reset = true;
    return fail(s, Errc::connection_reset, "recv on fd " + std::to_string(fd));
  }
  if (s->fin_in || s->reset) return Bytes{};
  return make_error(Errc::would_block, "nothing to read");
}

Status FakeKernel::shutdown_write(int fd) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "shutdown(" + std::to_string(fd) + ")");
  // TCP: a reset connection, or one whose FINs have gone both ways, is CLOSED (ENOTCONN).
  // AF_UNIX lets either side shut down regardless.
  if (s->kind == SocketKind::tcp && (s->reset || s->rst_in || (s->shut_wr && s->fin_in))) {
    return fail(s, Errc::other, "shutdown: not connected");
  }
  if (s->shut_wr) return std::nullopt;
  s->shut_wr = true;
  if (s->reset || s->rst_in) return std::nullopt;  // AF_UNIX: nobody left to tell
  send_segment(*s, Segment{{}, true, false, clock_.now()});
  return std::nullopt;
}

Status FakeKernel::abortive_close(int fd) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "close(" + std::to_string(fd) + ")");
  s->open = false;
  if (s->reset || s->rst_in) return std::nullopt;
  s->out.clear();
  s->out_bytes = 0;
  send_segment(*s, Segment{{}, false, true, clock_.now()});
  return std::nullopt;
}

void FakeKernel::deliver_segment(Socket& from) {
  Segment& head = from.out.front();
  Socket& to = sockets_[from.peer - kFirstFd];
  if (!to.open) {
    // Data for a closed socket is answered with RST; control segments just vanish.
    bool answer = !head.fin && !head.rst && !head.data.empty() && !from.reset && !from.rst_in;
    from.out_bytes -= head.data.size();
    from.out.pop_front();
    if (answer) {
      trace("fd " + std::to_string(from.peer) + " is closed: RST back");
      ++to.stats.resets_after_close;
      send_segment(to, Segment{{}, false, true, clock_.now()});
    }
    return;
  }
  if (head.rst) {
    from.out.pop_front();
    // TCP after a FIN (CLOSE_WAIT): Linux reports the reset as EOF to recv and EPIPE to send.
    // AF_UNIX reports ECONNRESET to recv whatever came before.
    if (to.fin_in && to.kind == SocketKind::tcp) {
      to.reset = true;
    } else {
      to.rst_in = true;
    }
    to.out.clear();  // the connection is dead: what `to` had in flight is gone
    to.out_bytes = 0;
    return;
  }
  if (head.fin) {
    from.out.pop_front();
    to.fin_in = true;
    return;
  }
  std::size_t room = config_.stream_recv_capacity - to.recv_buffer.size();
  std::size_t n = std::min(room, head.data.size());
  to.recv_buffer.append(BytesView(head.data).substr(0, n));
  from.out_bytes -= n;
  if (n == head.data.size()) {
    from.out.pop_front();
  } else {
    head.data.erase(0, n);
  }
}

}  // namespace loopcheck
