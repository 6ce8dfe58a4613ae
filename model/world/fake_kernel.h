// FakeKernel: a deterministic, POSIX-shaped socket layer for the simulated world.
//
// Streams (TCP-like and AF_UNIX socketpair-like): each socket has a receive buffer with a byte
// capacity, and its outgoing link holds segments in flight, counted against its send capacity.
// A segment is delivered no earlier than min_latency and no later than max_latency after it was
// sent, unless the receiver's buffer is full. A link with no latency at all (max_latency 0) is
// a loopback: what fits in the receiver's buffer lands inside send(). FIN and RST travel as segments. Closing a socket
// with unread data sends RST, as Linux does; data arriving at a closed socket is answered with
// RST. Buffered data stays readable after an RST arrives; then recv reports ECONNRESET once,
// and EOF after that; send reports ECONNRESET once, then EPIPE.
//
// Datagrams: a receive queue with packet and byte caps. UDP datagrams fly with latency, and a
// full queue drops them (counted). AF_UNIX datagrams are queued at once, and a full queue makes
// sendto say EAGAIN. A UDP datagram to an unbound port comes back as ECONNREFUSED on the
// sender's next call when the sender is connected (the ICMP port-unreachable report).
//
// Faults (short reads, short writes, datagram drops) are choices; nothing here is random.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/oracles/kernel_ledger.h"
#include "model/world/pending_event.h"
#include "model/world/sim_clock.h"
#include "src/core/bytes.h"
#include "src/core/choice.h"
#include "src/core/fifo.h"
#include "src/core/socket_api.h"
#include "src/core/tracer.h"

namespace loopcheck {

enum class SocketKind { tcp, unix_stream, udp, unix_dgram };
enum class Owner { app, peer };

struct KernelConfig {
  std::size_t stream_send_capacity = 4096;
  std::size_t stream_recv_capacity = 4096;
  std::size_t dgram_queue_packets = 64;
  std::size_t dgram_queue_bytes = 64 * 1024;
  std::size_t max_datagram = 65507;
  Nanos min_latency = 10 * kMicrosecond;
  Nanos max_latency = 100 * kMicrosecond;
  bool faults = true;  // offer short read/write and drop choices at all
  bool submit_faults = false;  // completion mode: offer an immediate failure at each submission
};

// What the kernel saw happen on one fd; oracles read it.
class FakeKernel final : public SocketApi, public EventSource, public KernelLedger {
 public:
  static constexpr int kFirstFd = 3;

  FakeKernel(SimClock& clock, ChoiceSource& choices, Tracer& tracer, KernelConfig config = {});

  // Set-up calls, made by scenarios and peers.
  std::pair<int, int> stream_pair(SocketKind kind, Owner a, Owner b, Address name_a,
                                  Address name_b);
  // Empty address = unbound until bind(). Unix datagram sockets use path-like names.
  int dgram_socket(SocketKind kind, Owner owner, Address address);
  Status bind(int fd, Address address);
  Status connect_dgram(int fd, Address peer);
  // close() with SO_LINGER 0: always an RST, unread data or not.
  Status abortive_close(int fd);

  // SocketApi
  IoResult<Bytes> recv(int fd, std::size_t max_bytes) override;
  IoResult<std::size_t> send(int fd, BytesView data) override;
  Status shutdown_write(int fd) override;
  IoResult<Datagram> recvfrom(int fd, std::size_t max_bytes) override;
  IoResult<std::size_t> sendto(int fd, BytesView data, const Address& to) override;
  Status close(int fd) override;
  Address sockname(int fd) const override;
  Address peername(int fd) const override;

  // Readiness, level-triggered, as epoll reports it: a closed fd is never ready.
  bool readable(int fd) const;
  bool writable(int fd) const;
  // Whether a datagram of `size` bytes sent from `fd` to `to` would be taken now. For an
  // unconnected AF_UNIX socket writable() cannot say (epoll knows no destination), and a
  // blocking sendto waits while the receiver's queue is full: a sender that waits for this
  // neither spins on EAGAIN nor gives up.
  bool can_send_to(int fd, const Address& to, std::size_t size) const;
  bool is_open(int fd) const;

  // EventSource: deliveries on links.
  void collect(Nanos now, std::vector<PendingEvent>& out) override;
  void fire(const PendingEvent& event) override;
  std::string describe(const PendingEvent& event) const override;
  std::pair<int, int> footprint(const PendingEvent& event) const override;
  Reach reach(const PendingEvent& event) const override;
  // The other end of a stream socket, and the fd bound to a datagram address (-1: none).
  int stream_peer(int fd) const;
  // Where what leaves fd can land: the other end of a stream, the sockets bound to the
  // addresses of the datagrams in flight from it.
  void link_targets(int fd, std::vector<int>& out) const;
  int bound_fd(const Address& address) const;

  void fingerprint(StateHasher& hasher) const override;
  const FdStats& stats(int fd) const override;
  // Completion mode: an operation's error is returned to the application when its completion
  // is delivered, not when the kernel call behind it runs. The port moves the count.
  void defer_error(int fd, int delta);
  std::vector<int> open_fds(Owner owner) const;
  std::vector<int> open_app_fds() const override { return open_fds(Owner::app); }
  std::size_t queued_datagrams(int fd) const;
  std::size_t unread_bytes(int fd) const;
  const KernelConfig& config() const { return config_; }

  // What a stretch of loop or app code touched, for the deferral check (deferral.h): every fd
  // whose socket it read or changed, and kCompletionQueue when it took completions. Logged
  // into `log` until stopped with nullptr. Asking whether an app's fd is open is not logged:
  // only the app's own close() changes that.
  static constexpr int kCompletionQueue = -3;
  void log_touches(std::vector<int>* log) { touch_log_ = log; }
  void touch(int resource) const {
    if (touch_log_) touch_log_->push_back(resource);
  }

 private:
  struct Segment {
    Bytes data;
    bool fin = false;
    bool rst = false;
    Nanos sent_at = 0;
    bool held = false;  // the receiver's buffer was full: the latency window restarts on landing
  };
  struct InFlightDatagram {
    Bytes data;
    Address to;
    Nanos sent_at = 0;
  };
  struct Socket {
    SocketKind kind = SocketKind::tcp;
    Owner owner = Owner::app;
    bool open = true;
    Address name;
    FdStats stats;
    // stream
    int peer = -1;
    ByteQueue recv_buffer;
    Fifo<Segment> out;  // our link towards the peer
    std::size_t out_bytes = 0;
    bool fin_in = false;
    bool rst_in = false;  // an RST arrived and has not been reported yet
    bool reset = false;   // the RST has been reported; the connection is dead
    bool shut_wr = false;
    // datagram
    Address connected;
    Fifo<Datagram> queue;
    std::size_t queue_bytes = 0;
    std::optional<Errc> pending_error;
    Fifo<InFlightDatagram> in_flight;
  };

  bool is_stream(const Socket& s) const {
    return s.kind == SocketKind::tcp || s.kind == SocketKind::unix_stream;
  }
  // Every socket call finds its socket here, which is what the touch log sees.
  Socket* find(int fd);
  const Socket* find(int fd) const;
  const Socket* find_quietly(int fd) const;
  Error fail(Socket* s, Errc code, std::string what);
  bool queue_full(const Socket& s, std::size_t size) const;
  void enqueue_datagram(Socket& to, Datagram datagram);
  void send_segment(Socket& s, Segment segment);
  // The head of s's link can land now (control segments always can; data needs room).
  bool lands(const Socket& s) const;
  void deliver_segment(Socket& from);
  void deliver_datagram(Socket& from);
  IoResult<std::size_t> sendto_impl(int fd, BytesView data, const Address& to);
  bool fault(ChoiceKind kind);
  void trace(std::string text) const;

  SimClock& clock_;
  ChoiceSource& choices_;
  Tracer& tracer_;
  KernelConfig config_;
  std::vector<Socket> sockets_;       // index = fd - kFirstFd; fds are never reused
  std::map<Address, int> bound_;      // datagram address -> fd
  std::vector<int>* touch_log_ = nullptr;
};

}  // namespace loopcheck
