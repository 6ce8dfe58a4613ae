#include "model/world/peers.h"

#include <algorithm>
#include <array>

namespace loopcheck {

ScriptedPeer::ScriptedPeer(FakeKernel& kernel, int fd, std::string name, Nanos reaction)
    : kernel_(kernel), fd_(fd), name_(std::move(name)), reaction_(reaction) {
  armed_.fill(-1);
}

void ScriptedPeer::collect(Nanos now, std::vector<PendingEvent>& out) {
  for (int action = 0; action < action_count(); ++action) {
    if (closed_ || !can(action)) {
      armed_[action] = -1;
      continue;
    }
    if (armed_[action] < 0) armed_[action] = std::max(now, not_before(action));
    out.push_back(PendingEvent{this, static_cast<std::uint32_t>(action), armed_[action],
                               armed_[action] + reaction_});
  }
}

void ScriptedPeer::fire(const PendingEvent& event) {
  armed_[event.index] = -1;
  act(static_cast<int>(event.index));
}

std::string ScriptedPeer::describe(const PendingEvent& event) const {
  return name_ + " (fd " + std::to_string(fd_) + "): " + action_name(static_cast<int>(event.index));
}

Reach ScriptedPeer::reach(const PendingEvent& event) const {
  auto [fd_a, fd_b] = footprint(event);
  if (fd_a == -2 || fd_b == -2) return {};
  return Reach{true, fd_a, fd_b, false};
}

void ScriptedPeer::fingerprint(StateHasher& h) const {
  h.value(fd_);
  h.value(closed_);
  for (Nanos armed : armed_) h.time(armed);
  fingerprint_more(h);
}

bool StreamPeer::read_available() {
  for (;;) {
    IoResult<Bytes> got = kernel_.recv(fd_, 64 * 1024);
    if (got.would_block()) return true;
    if (!got.ok()) {
      close_socket();
      return false;
    }
    if (got.value().empty()) {
      saw_eof_ = true;
      return true;
    }
    received_ += got.value();
  }
}

void StreamPeer::flush() {
  while (!outbox_.empty()) {
    IoResult<std::size_t> sent = kernel_.send(fd_, outbox_);
    if (sent.would_block()) return;
    if (!sent.ok()) {
      close_socket();
      return;
    }
    sent_.append(outbox_, 0, sent.value());
    outbox_.erase(0, sent.value());
  }
}

void StreamPeer::close_socket() {
  if (closed_) return;
  closed_ = true;
  (void)kernel_.close(fd_);
}

bool EchoPeer::can(int) const {
  return (!saw_eof_ && kernel_.readable(fd_)) || (!outbox_.empty() && kernel_.writable(fd_));
}

void EchoPeer::act(int) {
  std::size_t before = received_.size();
  if (!read_available()) return;
  outbox_ += received_.substr(before);
  flush();
  if (!closed_ && saw_eof_ && outbox_.empty()) close_socket();
}

bool SinkPeer::can(int) const { return !saw_eof_ && kernel_.readable(fd_); }

void SinkPeer::act(int) {
  if (read_available() && saw_eof_) close_socket();
}

SenderPeer::SenderPeer(FakeKernel& kernel, int fd, std::string name, std::size_t total,
                       std::size_t chunk, Ending ending, Nanos reaction)
    : StreamPeer(kernel, fd, std::move(name), reaction), total_(total), chunk_(chunk), ending_(ending) {}

// Scenarios send kilobytes per run, so the alphabet is copied in blocks, not made byte by byte.
// The block is made at compile time: a static made on first use would be made on the heap of
// whatever world first asked (model/engines/world_arena.h).
Bytes SenderPeer::payload(std::size_t offset, std::size_t size) {
  static constexpr auto kCycle = [] {
    std::array<char, 26 * 64> cycle{};  // a whole number of alphabets: each block ends before an 'a'
    for (std::size_t i = 0; i < cycle.size(); ++i) cycle[i] = static_cast<char>('a' + i % 26);
    return cycle;
  }();
  Bytes out;
  out.reserve(size);
  std::size_t at = offset % 26;
  while (out.size() < size) {
    std::size_t n = std::min(size - out.size(), kCycle.size() - at);
    out.append(kCycle.data() + at, n);
    at = 0;
  }
  return out;
}

bool SenderPeer::can(int action) const {
  if (action == 0) return !done_sending_ && kernel_.writable(fd_);
  return !saw_eof_ && kernel_.readable(fd_);
}

void SenderPeer::act(int action) {
  if (action == 1) {
    if (read_available() && saw_eof_ && done_sending_) close_socket();
    return;
  }
  if (outbox_.empty()) {
    std::size_t size = std::min(chunk_, total_ - (sent_.size() + outbox_.size()));
    outbox_ = payload(sent_.size(), size);
  }
  flush();
  if (closed_ || !outbox_.empty() || sent_.size() < total_) return;
  done_sending_ = true;
  if (ending_ == Ending::rst) {
    closed_ = true;
    (void)kernel_.abortive_close(fd_);
  } else {
    (void)kernel_.shutdown_write(fd_);
    if (saw_eof_) close_socket();
  }
}

DatagramSenderPeer::DatagramSenderPeer(FakeKernel& kernel, int fd, std::string name, Address to,
                                       std::size_t count, std::size_t size)
    : ScriptedPeer(kernel, fd, std::move(name)), to_(std::move(to)), count_(count), size_(size) {}

bool DatagramSenderPeer::can(int) const { return sent_ < count_ && kernel_.can_send_to(fd_, to_, size_); }

void DatagramSenderPeer::act(int) {
  IoResult<std::size_t> sent = kernel_.sendto(fd_, SenderPeer::payload(sent_, size_), to_);
  if (sent.ok()) {
    ++sent_;
  } else if (!sent.would_block()) {
    closed_ = true;  // the receiver is gone: stop sending
  }
}

DatagramEchoPeer::DatagramEchoPeer(FakeKernel& kernel, int fd, std::string name, Address address,
                                   Nanos bind_after)
    : ScriptedPeer(kernel, fd, std::move(name)), address_(std::move(address)), bind_after_(bind_after) {
  if (bind_after_ <= 0) bound_ = !kernel_.bind(fd_, address_).has_value();  // up from the start
}

bool DatagramEchoPeer::can(int action) const {
  if (action == 0) return !bound_;
  return bound_ && kernel_.readable(fd_);
}

void DatagramEchoPeer::act(int action) {
  if (action == 0) {
    bound_ = !kernel_.bind(fd_, address_).has_value();
    return;
  }
  IoResult<Datagram> got = kernel_.recvfrom(fd_, 64 * 1024);
  if (got.ok()) (void)kernel_.sendto(fd_, got.value().data, got.value().from);
}

bool DatagramSlowSinkPeer::can(int) const { return kernel_.readable(fd_); }

void DatagramSlowSinkPeer::act(int) {
  IoResult<Datagram> got = kernel_.recvfrom(fd_, 64 * 1024);
  if (got.ok()) ++received_;
}

}  // namespace loopcheck
