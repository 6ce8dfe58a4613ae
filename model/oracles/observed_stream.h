// Sits between a stream transport and the application protocol, in both directions: the
// transport calls ObservedStream (as its Protocol), and the protocol calls the transport through
// ObservedStream's transport face. Every callback and every call is checked against O1, O2, O3
// and recorded for the end-of-run oracles.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "model/oracles/peer_view.h"
#include "model/oracles/kernel_ledger.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/time.h"
#include "src/core/transport.h"
#include "src/transport/sendfile.h"

namespace loopcheck {

class Monitor;

// Which asyncio transport is observed: what it may still deliver after close() and how it
// reports its buffer and reading state differ between the three.
enum class StreamKind {
  selector,  // _SelectorSocketTransport
  proactor,  // _ProactorSocketTransport: overlapped I/O
  ssl,       // _SSLProtocolTransport, over either of the others
};

// It is a BufferedProtocol to the transport exactly when the app is one, so the transport takes
// the same path (recv_into or copy) it would take without the monitor.
class ObservedStream final : public BufferedProtocol, public Transport {
 public:
  ObservedStream(Monitor& monitor, Protocol& app, int fd, const StreamPeerView* peer,
                 StreamKind kind = StreamKind::selector);

  // Protocol face: called by the real transport.
  void connection_made(Transport& transport) override;
  void data_received(BytesView data) override;
  BufferedProtocol* as_buffered() override { return app_->as_buffered() ? this : nullptr; }
  std::span<char> get_buffer(std::int64_t sizehint) override;
  void buffer_updated(std::size_t nbytes) override;
  bool eof_received() override;
  void connection_lost(std::optional<Error> error) override;
  void pause_writing() override;
  void resume_writing() override;

  // Transport face: called by the application protocol.
  Status write(BytesView data) override;
  Status writelines(const std::vector<Bytes>& chunks) override;
  Status write_eof() override;
  bool can_write_eof() const override { return inner_->can_write_eof(); }
  void close() override;
  void abort() override;
  void force_close(std::optional<Error> error) override;
  bool is_closing() const override { return inner_->is_closing(); }
  void pause_reading() override;
  void resume_reading() override;
  bool is_reading() const override { return inner_->is_reading(); }
  Status set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override;
  WriteLimits get_write_buffer_limits() const override { return inner_->get_write_buffer_limits(); }
  std::size_t get_write_buffer_size() const override { return inner_->get_write_buffer_size(); }
  bool protocol_paused() const override { return inner_->protocol_paused(); }
  void set_protocol(Protocol& protocol) override { app_ = &protocol; }
  Protocol& get_protocol() const override { return *app_; }
  std::optional<std::string> get_extra_info(std::string_view name) const override {
    return inner_->get_extra_info(name);
  }
  SendfileMode sendfile_mode() const override { return inner_->sendfile_mode(); }
  Status take_from_registry() override { return inner_->take_from_registry(); }
  void return_to_registry() override { inner_->return_to_registry(); }
  std::optional<int> sendfile_socket() const override { return inner_->sendfile_socket(); }
  Status make_empty_waiter(std::function<void(Status)> done) override { return inner_->make_empty_waiter(std::move(done)); }
  void reset_empty_waiter() override { inner_->reset_empty_waiter(); }

  // loop.sendfile on this transport (SimWorld::sendfile tells us). O2: a sendfile that returns
  // without error has sent the whole range it was asked for; the file's bytes sent natively join
  // what the peer is owed (the fallback's go through write(), which records them).
  void sendfile_started(const FileObject& file, std::uint64_t offset, std::optional<std::size_t> count);
  void sendfile_finished(const FileObject& file, std::uint64_t offset, std::optional<std::size_t> count,
                         const SendfileResult& result);

  // An SSL transport exists before its connection_made (create_connection holds it during the
  // handshake): the world attaches it at once, and names the observed plain transport beneath,
  // whose end a close() of the SSL transport must bring within the shutdown timeout (O4).
  void attach(Transport& inner) { inner_ = &inner; }
  // Before any close(): a stream without one never hashes when it was closed (fingerprint).
  void set_beneath(const ObservedStream* beneath, Nanos shutdown_timeout) {
    if (closed_at_) throw std::logic_error("set_beneath after close(): the close deadline was not kept");
    beneath_ = beneath;
    shutdown_timeout_ = shutdown_timeout;
  }
  bool lost() const { return lost_ > 0; }
  int fd() const { return fd_; }
  // Bytes through this connection so far, both ways (a real run's sign of progress).
  std::size_t bytes_moved() const { return received_ + accepted_bytes_; }
  // start_tls: the app had connection_made from the plain transport, and the SSL layer calls
  // it no second time; from here its callbacks are judged as those of a made connection.
  void adopt_connection() {
    made_ = true;
    adopted_ = true;
  }

  // For the monitor.
  // The transport (or SSL protocol) whose callbacks are this stream's; the monitor indexes it.
  void set_owner(const void* transport);
  const void* owner() const { return owner_; }
  // The transport a view the app was handed stands for, as its own type `T` (which the caller
  // knows it to be): for settings of that transport alone (a read size), as a test makes them.
  template <typename T>
  static T& beneath(Transport& view) {
    return *static_cast<T*>(const_cast<void*>(dynamic_cast<ObservedStream&>(view).owner()));
  }
  void note_error_reported() { ++errors_reported_; }
  // SSL only: an error the SSL protocol raised, and the error its handshake waiter got.
  void note_tls_error(const Error& error) {
    if (!tls_error_) tls_error_ = error;
  }
  void note_waiter(const std::optional<Error>& error) {
    if (error) waiter_error_ = true;
  }
  void check_step();
  void check_end(bool quiescent);
  void fingerprint(StateHasher& h) const;

 private:
  std::string who() const;
  void trace(const std::string& text) const;
  // O1: a callback asyncio 3.13 does not make once the app has closed or aborted.
  void check_not_after_close(const char* callback, bool after_close_too);
  // O1 and O2 on bytes about to reach the app, by either path.
  void check_data(BytesView data);
  void note_status(const Status& status);
  void check_close_deadline();

  Monitor& monitor_;
  Protocol* app_;
  int fd_;
  const StreamPeerView* peer_;
  Transport* inner_ = nullptr;
  std::span<char> lent_;  // the app's buffer, lent to the transport by get_buffer
  const void* owner_ = nullptr;
  bool made_ = false;
  bool adopted_ = false;  // made on the transport beneath (start_tls)
  bool eof_ = false;
  int lost_ = 0;
  std::optional<Error> lost_error_;
  bool app_paused_reading_ = false;
  bool writing_paused_ = false;
  bool close_called_ = false;
  bool abort_called_ = false;
  StreamKind kind_ = StreamKind::selector;
  const ObservedStream* beneath_ = nullptr;
  Nanos shutdown_timeout_ = 0;
  std::optional<Nanos> closed_at_;  // when the app first called close()
  bool deadline_flagged_ = false;
  std::size_t accepted_bytes_ = 0;  // every byte write() accepted (accepted_ keeps them for O2)
  std::optional<std::size_t> errors_at_abort_;  // the kernel's error count when abort() came
  std::size_t received_ = 0;  // bytes delivered by data_received
  Bytes accepted_;            // bytes write() accepted
  int errors_reported_ = 0;   // errors the app saw as a Status or via the exception handler
  std::optional<Error> tls_error_;  // the first failure the SSL protocol raised
  bool waiter_error_ = false;       // the handshake's waiter was woken with an error
  int sendfiles_ = 0;               // loop.sendfile calls not yet returned

  friend class Monitor;
};

}  // namespace loopcheck
