// asyncio's _ProactorDatagramTransport as a state machine over overlapped I/O (IOCP, io_uring).
//
// Reading: one recvfrom is outstanding at a time. An ICMP report in its completion
// (ECONNREFUSED, ECONNRESET) goes to error_received and the read loop carries on: a UDP server
// must survive a client that went away (gh-91227 on the proactor). Any other error is fatal. Writing: datagrams queue in order and one
// sendto is outstanding; a failed send goes to error_received and the next one follows. Flow
// control counts queued and in-flight bytes.
// close(): cancels the read; whatever its completion still carries is delivered, then the
// datagrams the kernel already holds are drained (as the selector transport does), the send
// queue is flushed, and only then connection_lost(None). abort(): discards both queues and the
// kernel's, reported in get_extra_info("datagrams_discarded").
// Operations are tracked until their final completions, which may come after connection_lost:
// whoever owns the transport keeps it until the port owns no buffer of it (the simulation's
// world owns everything to the end; the real experiments wait for owned_buffers() == 0).
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <set>
#include <string>

#include "src/core/bytes.h"
#include "src/core/completion_api.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"
#include "src/transport/flow_control.h"
#include "src/transport/transport_context.h"

namespace loopcheck {

class ProactorDatagramTransport final : public DatagramTransport, public Fingerprinted {
 public:
  static constexpr std::size_t kMaxRecv = 256 * 1024;
  static constexpr std::size_t kDrainBatch = 16;   // datagrams drained per loop iteration after close()
  static constexpr std::size_t kMaxDrain = 4096;   // a sender that never stops cannot hold close() open
  // asyncio 3.13 counts each queued datagram's length plus this (its _header_size).
  static constexpr std::size_t kHeaderSize = 8;

  // ctx.completions must be set. connected_peer empty = unconnected.
  ProactorDatagramTransport(TransportContext ctx, int fd, DatagramProtocol& protocol, Address connected_peer = {});

  Status sendto(BytesView data, const Address& to = {}) override;
  void close() override;
  void abort() override;
  bool is_closing() const override { return closing_; }
  Status set_write_buffer_limits(std::optional<std::size_t> high, std::optional<std::size_t> low) override;
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
  void start_read();
  void read_done(const CompletionResult& result);
  void send_next();
  void write_done(const CompletionResult& result);
  void drain_step();
  void finish_close_if_done();
  void force_close(std::optional<Error> error);
  void call_connection_lost(std::optional<Error> error);
  void trace(const std::string& text) const { ctx_.trace(fd_, text); }
  Tag tag(const char* label) const { return Tag{this, label}; }

  TransportContext ctx_;
  int fd_;
  DatagramProtocol* protocol_;
  Address connected_peer_;
  std::optional<OperationId> read_op_;
  bool read_cancelled_ = false;  // close() cancelled read_op_; its completion may still carry data
  std::optional<OperationId> write_op_;
  std::deque<Outgoing> buffer_;  // front is in flight while write_op_ is set
  std::size_t buffered_bytes_ = 0;  // the queue behind the one in flight, headers included
  WriteFlowControl flow_;
  bool closing_ = false;
  bool draining_ = false;
  std::size_t drained_ = 0;
  bool aborted_ = false;
  bool lost_scheduled_ = false;
  std::size_t discarded_ = 0;
};

}  // namespace loopcheck
