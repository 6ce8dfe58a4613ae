// The datagram counterpart of ObservedStream: checks O1 on datagram callbacks and records what
// O2, O6 and O10 need at the end (sendto accepted, datagrams delivered, queue at close()).
#pragma once

#include <optional>
#include <string>

#include "model/oracles/kernel_ledger.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"

namespace loopcheck {

class Monitor;

class ObservedDatagram final : public DatagramProtocol, public DatagramTransport {
 public:
  ObservedDatagram(Monitor& monitor, DatagramProtocol& app, int fd);

  void connection_made(DatagramTransport& transport) override;
  void datagram_received(BytesView data, const Address& from) override;
  void error_received(const Error& error) override;
  void connection_lost(std::optional<Error> error) override;
  void pause_writing() override;
  void resume_writing() override;

  Status sendto(BytesView data, const Address& to = {}) override;
  void close() override;
  void abort() override;
  bool is_closing() const override { return inner_->is_closing(); }
  Status set_write_buffer_limits(std::optional<std::size_t> high,
                                 std::optional<std::size_t> low) override;
  WriteLimits get_write_buffer_limits() const override { return inner_->get_write_buffer_limits(); }
  std::size_t get_write_buffer_size() const override { return inner_->get_write_buffer_size(); }
  void set_protocol(DatagramProtocol& protocol) override { app_ = &protocol; }
  DatagramProtocol& get_protocol() const override { return *app_; }
  std::optional<std::string> get_extra_info(std::string_view name) const override {
    return inner_->get_extra_info(name);
  }

  // The transport (or SSL protocol) whose callbacks are this datagram endpoint's; the monitor indexes it.
  void set_owner(const void* transport);
  const void* owner() const { return owner_; }
  void note_error_reported() { ++errors_reported_; }
  void check_step();
  void check_end(bool quiescent);
  void fingerprint(StateHasher& h) const;

 private:
  std::string who() const;
  void trace(const std::string& text) const;
  bool check_callback(const char* name);

  Monitor& monitor_;
  DatagramProtocol* app_;
  int fd_;
  DatagramTransport* inner_ = nullptr;
  const void* owner_ = nullptr;
  bool made_ = false;
  int lost_ = 0;
  std::optional<Error> lost_error_;
  bool writing_paused_ = false;
  bool close_called_ = false;
  bool abort_called_ = false;
  std::optional<std::size_t> errors_at_abort_;  // the kernel's error count when abort() came
  std::size_t delivered_ = 0;
  std::size_t accepted_ = 0;
  std::size_t enqueued_at_close_ = 0;
  int errors_reported_ = 0;

  friend class Monitor;
};

}  // namespace loopcheck
