// asyncio's _SelectorSocketTransport as a state machine over a readiness loop.
//
// Writes follow 3.12+: the buffer keeps the app's chunks, and write_ready sends them with one
// sendmsg (asyncio's _write_sendmsg).
//
// Lifecycle: the constructor schedules connection_made and the reader registration with
// call_soon, as asyncio does. close() stops reading, lets the write buffer drain, then schedules
// connection_lost(None). abort() and fatal errors drop the buffer and schedule
// connection_lost(error). connection_lost is called exactly once, and the fd is closed right
// after it.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "src/core/bytes.h"
#include "src/core/protocol.h"
#include "src/core/transport.h"
#include "src/transport/chunk_queue.h"
#include "src/transport/flow_control.h"
#include "src/transport/transport_context.h"

namespace loopcheck {

class SelectorStreamTransport final : public Transport, public Fingerprinted {
 public:
  static constexpr std::size_t kMaxSize = 256 * 1024;  // asyncio's max_size: the most one recv asks for
  static constexpr std::size_t kIovMax = 1024;  // SC_IOV_MAX: chunks per sendmsg

  SelectorStreamTransport(TransportContext ctx, int fd, Protocol& protocol);

  Status write(BytesView data) override;
  Status writelines(const std::vector<Bytes>& chunks) override;
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
  // asyncio's max_size, which a program may set on the class or on one transport: the next
  // reads ask for at most `bytes` (at least 1; a recv of 0 would read as EOF).
  Status set_max_size(std::size_t bytes);
  WriteLimits get_write_buffer_limits() const override { return flow_.limits(); }
  bool protocol_paused() const override { return flow_.protocol_paused(); }
  std::size_t get_write_buffer_size() const override { return buffer_.size(); }
  void set_protocol(Protocol& protocol) override { protocol_ = &protocol; }
  Protocol& get_protocol() const override { return *protocol_; }
  std::optional<std::string> get_extra_info(std::string_view name) const override;
  void force_close(std::optional<Error> error) override;
  SendfileMode sendfile_mode() const override { return SendfileMode::try_native; }
  Status take_from_registry() override;
  void return_to_registry() override { out_of_registry_ = false; }
  std::optional<int> sendfile_socket() const override {
    return socket_closed_ ? std::nullopt : std::optional<int>(fd_);
  }
  Status make_empty_waiter(std::function<void(Status)> done) override;
  void reset_empty_waiter() override {
    empty_waiter_ = nullptr;
    empty_waiter_done_ = false;
  }
  void fingerprint(StateHasher& hasher) const override;

 private:
  // Deferred from the constructor: the protocol may already have paused or closed us.
  void start_reading();
  void read_ready();
  void read_ready_get_buffer(BufferedProtocol& buffered);
  void read_ready_data_received();
  template <typename T>
  bool received_data(const IoResult<T>& got);
  void on_eof();
  // False when it has called connection_lost: the transport may be gone, so nothing of it may
  // be touched after.
  bool write_ready();
  void fatal_error(const Error& error, const char* where);
  void call_connection_lost(std::optional<Error> error);
  // The empty waiter's one answer: the buffer drained (nullopt) or the connection ended.
  void wake_empty_waiter(Status status);
  bool sendfile_in_progress() const { return static_cast<bool>(empty_waiter_); }
  void trace(const std::string& text) const { ctx_.trace(fd_, text); }
  Tag tag(const char* label) const { return Tag{this, label}; }

  TransportContext ctx_;
  int fd_;
  Protocol* protocol_;
  std::size_t max_size_ = kMaxSize;
  ChunkQueue buffer_;
  WriteFlowControl flow_;
  bool closing_ = false;
  bool paused_ = false;  // reading paused by the protocol
  bool eof_ = false;     // write_eof() was called
  int conn_lost_ = 0;    // > 0 once connection_lost is scheduled; counts writes after that
  // The error a force_close hands to connection_lost, kept here rather than in the callback
  // so that the fingerprint sees it while the callback waits.
  std::optional<Error> lost_with_;
  // loop.sendfile's native path: set from make_empty_waiter to reset_empty_waiter (asyncio's
  // _empty_waiter is not None). The waiter answers once when the buffer drains or the
  // connection fails; once more, with the fix of sendfile-close-hang, if the connection is then
  // lost while the sendfile still has the socket.
  std::function<void(Status)> empty_waiter_;
  bool empty_waiter_done_ = false;
  bool out_of_registry_ = false;  // a native sendfile took us out of the loop's registry
  bool socket_closed_ = false;    // call_connection_lost has run: the fd is closed
};

}  // namespace loopcheck
