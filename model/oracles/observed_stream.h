// Sits between a stream transport and the application protocol, in both directions: the
// transport calls ObservedStream (as its Protocol), and the protocol calls the transport through
// ObservedStream's transport face. Every callback and every call is checked against O1, O2, O3
// and recorded for the end-of-run oracles.
#pragma once

#include <optional>
#include <string>

#include "model/oracles/peer_view.h"
#include "model/oracles/kernel_ledger.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"

namespace loopcheck {

class Monitor;

class ObservedStream final : public Protocol, public Transport {
 public:
  ObservedStream(Monitor& monitor, Protocol& app, int fd, const StreamPeerView* peer,
                 bool completion_mode = false);

  // Protocol face: called by the real transport.
  void connection_made(Transport& transport) override;
  void data_received(BytesView data) override;
  bool eof_received() override;
  void connection_lost(std::optional<Error> error) override;
  void pause_writing() override;
  void resume_writing() override;

  // Transport face: called by the application protocol.
  Status write(BytesView data) override;
  Status write_eof() override;
  bool can_write_eof() const override { return inner_->can_write_eof(); }
  void close() override;
  void abort() override;
  bool is_closing() const override { return inner_->is_closing(); }
  void pause_reading() override;
  void resume_reading() override;
  bool is_reading() const override { return inner_->is_reading(); }
  Status set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override;
  WriteLimits get_write_buffer_limits() const override { return inner_->get_write_buffer_limits(); }
  std::size_t get_write_buffer_size() const override { return inner_->get_write_buffer_size(); }
  void set_protocol(Protocol& protocol) override { app_ = &protocol; }
  Protocol& get_protocol() const override { return *app_; }
  std::optional<std::string> get_extra_info(std::string_view name) const override {
    return inner_->get_extra_info(name);
  }

  // For the monitor.
  void set_owner(const void* transport) { owner_ = transport; }
  const void* owner() const { return owner_; }
  void note_error_reported() { ++errors_reported_; }
  void check_step();
  void check_end(bool quiescent);
  void fingerprint(StateHasher& h) const;

 private:
  std::string who() const;
  void trace(const std::string& text) const;
  // O1: a callback asyncio 3.13 does not make once the app has closed or aborted.
  void check_not_after_close(const char* callback, bool after_close_too);
  void note_status(const Status& status);

  Monitor& monitor_;
  Protocol* app_;
  int fd_;
  const StreamPeerView* peer_;
  Transport* inner_ = nullptr;
  const void* owner_ = nullptr;
  bool made_ = false;
  bool eof_ = false;
  int lost_ = 0;
  std::optional<Error> lost_error_;
  bool app_paused_reading_ = false;
  bool writing_paused_ = false;
  bool close_called_ = false;
  bool abort_called_ = false;
  bool completion_mode_ = false;
  std::size_t accepted_bytes_ = 0;  // every byte write() accepted (accepted_ keeps them for O2)
  std::optional<std::size_t> errors_at_abort_;  // the kernel's error count when abort() came
  std::size_t received_ = 0;  // bytes delivered by data_received
  Bytes accepted_;            // bytes write() accepted
  int errors_reported_ = 0;   // errors the app saw as a Status or via the exception handler

  friend class Monitor;
};

}  // namespace loopcheck
