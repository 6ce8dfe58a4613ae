// FakeKernel datagram sockets: queues with caps, counted drops, ICMP port-unreachable reports.
#include <algorithm>
#include <utility>

#include "model/world/fake_kernel.h"

namespace loopcheck {

int FakeKernel::dgram_socket(SocketKind kind, Owner owner, Address address) {
  int fd = kFirstFd + static_cast<int>(sockets_.size());
  Socket s;
  s.kind = kind;
  s.owner = owner;
  sockets_.push_back(std::move(s));
  if (!address.empty()) (void)bind(fd, std::move(address));
  return fd;
}

Status FakeKernel::bind(int fd, Address address) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "bind(" + std::to_string(fd) + ")");
  if (bound_.count(address)) return fail(s, Errc::invalid_argument, "address in use: " + address);
  if (!s->name.empty()) bound_.erase(s->name);
  s->name = address;
  bound_[address] = fd;
  return std::nullopt;
}

Status FakeKernel::connect_dgram(int fd, Address peer) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "connect(" + std::to_string(fd) + ")");
  if (s->kind == SocketKind::unix_dgram && !bound_.count(peer)) {
    return fail(s, Errc::connection_refused, "connect to " + peer);
  }
  s->connected = std::move(peer);
  return std::nullopt;
}

bool FakeKernel::queue_full(const Socket& s, std::size_t size) const {
  return s.queue.size() >= config_.dgram_queue_packets ||
         s.queue_bytes + size > config_.dgram_queue_bytes;
}

void FakeKernel::enqueue_datagram(Socket& to, Datagram datagram) {
  to.queue_bytes += datagram.data.size();
  to.queue.push_back(std::move(datagram));
  ++to.stats.dgrams_enqueued;
}

bool FakeKernel::can_send_to(int fd, const Address& to, std::size_t size) const {
  if (!writable(fd)) return false;
  const Socket* s = find(fd);
  if (s->kind != SocketKind::unix_dgram || s->pending_error) return true;  // the sendto answers now
  auto it = bound_.find(to.empty() ? s->connected : to);
  if (it == bound_.end()) return true;  // refused at once
  touch(it->second);
  return !queue_full(sockets_[it->second - kFirstFd], size);
}

IoResult<std::size_t> FakeKernel::sendto(int fd, BytesView data, const Address& to) {
  IoResult<std::size_t> result = sendto_impl(fd, data, to);
  if (!result.ok() && !result.would_block()) {
    if (Socket* s = find(fd)) ++s->stats.send_errors;
  }
  return result;
}

IoResult<std::size_t> FakeKernel::sendto_impl(int fd, BytesView data, const Address& to) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "sendto(" + std::to_string(fd) + ")");
  if (s->pending_error) {
    Errc code = *s->pending_error;
    s->pending_error.reset();
    return fail(s, code, "sendto on fd " + std::to_string(fd) + " (pending ICMP report)");
  }
  if (!s->connected.empty() && !to.empty() && to != s->connected) {
    return fail(s, Errc::invalid_argument, "sendto on a connected socket names another address");
  }
  const Address& target = to.empty() ? s->connected : to;
  if (target.empty()) return fail(s, Errc::invalid_argument, "sendto without an address");
  if (data.size() > config_.max_datagram) return fail(s, Errc::message_too_large, "datagram too large");
  if (s->name.empty()) (void)bind(fd, "auto:" + std::to_string(fd));
  if (s->kind == SocketKind::unix_dgram) {
    auto it = bound_.find(target);
    if (it == bound_.end()) return fail(s, Errc::connection_refused, "sendto " + target);
    touch(it->second);
    Socket& dest = sockets_[it->second - kFirstFd];
    if (queue_full(dest, data.size())) return make_error(Errc::would_block, "receiver queue full");
    enqueue_datagram(dest, Datagram{Bytes(data), s->name});
  } else {
    s->in_flight.push_back(InFlightDatagram{Bytes(data), target, clock_.now()});
  }
  ++s->stats.dgrams_sent;
  return data.size();
}

void FakeKernel::deliver_datagram(Socket& from) {
  InFlightDatagram datagram = std::move(from.in_flight.front());
  from.in_flight.pop_front();
  auto it = bound_.find(datagram.to);
  if (it == bound_.end()) {
    // Port unreachable: the ICMP report reaches a connected sender as its next error.
    if (from.open && from.connected == datagram.to) {
      from.pending_error = Errc::connection_refused;
      trace("ICMP port unreachable from " + datagram.to + " for " + from.name);
    }
    return;
  }
  Socket& dest = sockets_[it->second - kFirstFd];
  if (!dest.connected.empty() && dest.connected != from.name) return;  // filtered, as Linux does
  if (fault(ChoiceKind::fault_drop) || queue_full(dest, datagram.data.size())) {
    ++dest.stats.dgrams_dropped;
    trace("datagram to " + datagram.to + " dropped");
    return;
  }
  enqueue_datagram(dest, Datagram{std::move(datagram.data), from.name});
}

IoResult<Datagram> FakeKernel::recvfrom(int fd, std::size_t max_bytes) {
  Socket* s = find(fd);
  if (!s || !s->open) return fail(s, Errc::bad_fd, "recvfrom(" + std::to_string(fd) + ")");
  if (s->pending_error) {
    Errc code = *s->pending_error;
    s->pending_error.reset();
    return fail(s, code, "recvfrom on fd " + std::to_string(fd) + " (ICMP report)");
  }
  if (s->queue.empty()) return make_error(Errc::would_block, "queue empty");
  Datagram datagram = std::move(s->queue.front());
  s->queue.pop_front();
  s->queue_bytes -= datagram.data.size();
  if (datagram.data.size() > max_bytes) datagram.data.resize(max_bytes);  // MSG_TRUNC
  ++s->stats.dgrams_received;
  return datagram;
}

}  // namespace loopcheck
