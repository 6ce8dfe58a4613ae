// asyncio's _ProactorSocketTransport (after the bpo-33694 fix) as a state machine over
// overlapped I/O (IOCP, io_uring).
//
// Reading: at most one recv is outstanding. pause_reading() never cancels it: a recv that
// completes while paused is kept and handed to the protocol on resume_reading(). Writing: IDLE
// (no send outstanding), WRITING (one send outstanding), BACKED UP (one outstanding and more
// buffered), with flow control over the outstanding and buffered bytes. close() lets the
// writes finish, cancels the read, then calls connection_lost(None); abort() and fatal errors
// cancel everything. Completions that arrive after the close are the kernel returning buffers:
// they are accepted, and any data in them is discarded and counted (O9), never delivered.
// Those completions may come after connection_lost, so whoever owns the transport keeps it
// until the port owns no buffer of it.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>

#include "src/core/bytes.h"
#include "src/core/completion_api.h"
#include "src/core/fifo.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"
#include "src/transport/flow_control.h"
#include "src/transport/transport_context.h"

namespace loopcheck {

class ProactorStreamTransport final : public Transport, public Fingerprinted {
 public:
  static constexpr std::size_t kBufferSize = 64 * 1024;  // asyncio's default buffer_size: one recv's size

  // ctx.completions must be set.
  ProactorStreamTransport(TransportContext ctx, int fd, Protocol& protocol);
  // asyncio's buffer_size, a constructor argument there: the reads submitted from now on ask
  // for `bytes` (at least 1; a recv of 0 would complete as EOF). Set before the loop runs, it
  // is the first read's size too, as in asyncio.
  Status set_buffer_size(std::size_t bytes);

  Status write(BytesView data) override;
  Status write_eof() override;
  bool can_write_eof() const override { return true; }
  void close() override;
  void abort() override;
  bool is_closing() const override { return closing_; }
  void pause_reading() override;
  void resume_reading() override;
  bool is_reading() const override { return !closing_ && !paused_; }
  Status set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override;
  WriteLimits get_write_buffer_limits() const override { return flow_.limits(); }
  bool protocol_paused() const override { return flow_.protocol_paused(); }
  std::size_t get_write_buffer_size() const override { return pending_write_ + buffer_.size(); }
  void set_protocol(Protocol& protocol) override { protocol_ = &protocol; }
  Protocol& get_protocol() const override { return *protocol_; }
  std::optional<std::string> get_extra_info(std::string_view name) const override;
  void force_close(std::optional<Error> error) override;
  void fingerprint(StateHasher& hasher) const override;

 private:
  void start_read();
  void read_done(const CompletionResult& result);
  void drop_abandoned_read(const CompletionResult& result);
  void abandon_read();
  void deliver(BytesView data);
  void send_now(Bytes data);
  void write_done(const CompletionResult& result);
  void fatal_error(const Error& error, const char* where);
  void call_connection_lost(std::optional<Error> error);
  void trace(const std::string& text) const { ctx_.trace(fd_, text); }
  Tag tag(const char* label) const { return Tag{this, label}; }

  TransportContext ctx_;
  int fd_;
  Protocol* protocol_;
  std::size_t buffer_size_ = kBufferSize;
  std::optional<OperationId> read_op_;
  std::set<OperationId> abandoned_reads_;  // cancelled at close; their completions are still due
  std::optional<Bytes> pending_data_;  // completed while paused; delivered on resume
  std::optional<OperationId> write_op_;
  std::size_t pending_write_ = 0;      // bytes of the outstanding send
  ByteQueue buffer_;                   // BACKED UP: what waits behind it
  WriteFlowControl flow_;
  bool closing_ = false;
  bool paused_ = false;
  bool eof_requested_ = false;  // write_eof() called; shut down once the writes are done
  bool eof_seen_ = false;
  bool lost_scheduled_ = false;
  int conn_lost_ = 0;
  // The error a force_close hands to connection_lost, kept here rather than in the callback
  // so that the fingerprint sees it while the callback waits.
  std::optional<Error> lost_with_;
  // Data held while reading was paused, handed to a deliver_pending callback by resume_reading:
  // kept here, in order, until its callback runs, so that the fingerprint sees it.
  Fifo<Bytes> delivering_;
};

}  // namespace loopcheck
