// asyncio's _SelectorDatagramTransport as a state machine over a readiness loop.
//
// Reading: one recvfrom per readiness event; an OSError from recvfrom (an ICMP report) goes to
// error_received and the transport stays open. Writing: sendto sends at once when nothing is
// queued, and queues (with flow control) when the kernel says EAGAIN.
// close(): stops the read loop, then drains what the kernel already holds for us, a bounded
// batch per loop iteration so other transports are not starved, flushes the send queue, and
// only then calls connection_lost(None).
// abort(): discards both queues and reports the count in get_extra_info("datagrams_discarded").
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "src/core/bytes.h"
#include "src/core/protocol.h"
#include "src/core/transport.h"
#include "src/transport/flow_control.h"
#include "src/transport/transport_context.h"

namespace loopcheck {

class SelectorDatagramTransport final : public DatagramTransport, public Fingerprinted {
 public:
  static constexpr std::size_t kMaxRecv = 256 * 1024;
  static constexpr int kDrainBatch = 16;  // datagrams drained per loop iteration after close()
  // A sender that never stops must not keep close() or abort() from finishing: after this many
  // datagrams the drain ends, and what is left is the kernel's to drop.
  static constexpr std::size_t kMaxDrain = 4096;
  // asyncio 3.13 counts each queued datagram's length plus this (its _header_size).
  static constexpr std::size_t kHeaderSize = 8;

  // connected_peer empty = unconnected: every sendto must name its address.
  SelectorDatagramTransport(TransportContext ctx, int fd, DatagramProtocol& protocol,
                            Address connected_peer = {});

  Status sendto(BytesView data, const Address& to = {}) override;
  void close() override;
  void abort() override;
  bool is_closing() const override { return closing_; }
  Status set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override;
  WriteLimits get_write_buffer_limits() const override { return flow_.limits(); }
  std::size_t get_write_buffer_size() const override { return buffered_bytes_; }
  void set_protocol(DatagramProtocol& protocol) override { protocol_ = &protocol; }
  DatagramProtocol& get_protocol() const override { return *protocol_; }
  std::optional<std::string> get_extra_info(std::string_view name) const override;
  void fingerprint(StateHasher& hasher) const override;

 private:
  struct Outgoing {
    Bytes data;
    Address to;
  };

  void start_reading();
  void read_ready();
  void sendto_ready();
  // One bounded batch of the close-time drain; reschedules itself until EAGAIN.
  void drain_step();
  // Schedules connection_lost once close() has nothing left to flush or drain; `now` calls it
  // at once instead, as asyncio's _sendto_ready does when its last datagram leaves.
  void finish_close_if_flushed(bool now = false);
  void force_close(std::optional<Error> error);
  void call_connection_lost(std::optional<Error> error);
  std::size_t discard_kernel_queue();
  void trace(const std::string& text) const { ctx_.trace(fd_, text); }
  Tag tag(const char* label) const { return Tag{this, label}; }

  TransportContext ctx_;
  int fd_;
  DatagramProtocol* protocol_;
  Address connected_peer_;
  std::deque<Outgoing> buffer_;
  std::size_t buffered_bytes_ = 0;
  WriteFlowControl flow_;
  bool closing_ = false;
  bool draining_ = false;
  std::size_t drained_ = 0;
  bool aborted_ = false;
  // asyncio's _conn_lost: raised by a close() with nothing queued and by a forced close; a
  // connected transport drops what sendto() is handed after that.
  int conn_lost_ = 0;
  bool lost_scheduled_ = false;  // connection_lost is scheduled or made; nothing may follow it
  bool socket_closed_ = false;   // connection_lost has run and closed the fd
  std::size_t discarded_ = 0;
};

}  // namespace loopcheck
