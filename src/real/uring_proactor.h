// The completion API on io_uring: the same contract the fake port models, on a real kernel.
//
// Each operation owns its buffer (and, for datagrams, its msghdr and address) on the heap until
// its final completion has run in the loop. Submissions go to the kernel at once, so a failure
// belongs to the operation that caused it, and the buffer is released there and then. Cancel is
// IORING_REGISTER_SYNC_CANCEL with a zero timeout, whose answer is the real race: 0 (the recv
// ends with -ECANCELED), -ENOENT (it has already completed: its CQE, data and all, is still to
// be reaped, or has been reaped and waits in the loop) or -ETIME, reported as -EALREADY (in
// progress; it completes either way). The poller reaps CQEs through notify_fd().
#pragma once

#include <liburing.h>
#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "src/core/completion_api.h"
#include "src/core/poller.h"
#include "src/real/socket_address.h"

namespace loopcheck {

class UringProactor final : public CompletionApi, public CompletionQueue {
 public:
  // The error says why io_uring cannot be used on this machine (a sysctl, a seccomp filter, a
  // kernel without synchronous cancel), so callers can skip with that reason.
  static std::variant<std::unique_ptr<UringProactor>, std::string> create(unsigned entries = 256);
  ~UringProactor() override;
  UringProactor(const UringProactor&) = delete;
  UringProactor& operator=(const UringProactor&) = delete;

  IoResult<OperationId> submit_recv(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) override;
  IoResult<OperationId> submit_send(int fd, Bytes data, Tag tag, CompletionHandler handler) override;
  IoResult<OperationId> submit_recvfrom(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) override;
  IoResult<OperationId> submit_sendto(int fd, Bytes data, Address to, Tag tag, CompletionHandler handler) override;
  Status cancel(OperationId id) override;
  void settle(OperationId id, std::size_t bytes, Settlement how) override;

  int notify_fd() const override { return ring_.ring_fd; }
  void flush() override;
  bool has_queued() const override;
  void take_queued(std::vector<PollEvent>& out) override;

  // Accounting, as the fake port keeps it: buffers the kernel still owns, data dropped on
  // purpose after a cancel, and data that came after a cancel and was never settled (lost).
  std::size_t owned_buffers() const { return ops_.size(); }
  std::size_t discarded_bytes() const { return discarded_bytes_; }
  std::size_t silent_loss_bytes() const { return silent_loss_bytes_; }
  std::size_t cancel_outcomes(Errc outcome) const;  // aborted (cancelled), not_found, already
  // Of the not_found answers, those the binding gave itself: the CQE had already been reaped and
  // its completion was waiting in the loop. The rest are the kernel's -ENOENT.
  std::size_t cancels_after_reap() const { return after_reap_; }
  // Receives that completed with data, and their bytes: how full the reads come back.
  std::size_t reads_with_data() const { return reads_with_data_; }
  std::size_t bytes_read() const { return bytes_read_; }

 private:
  enum class Kind { recv, send, recvfrom, sendto };
  struct Operation {
    Kind kind = Kind::recv;
    int fd = -1;
    Bytes buffer;   // recv: filled by the kernel; send: what it sends
    SockAddr peer;  // recvfrom: filled by the kernel; sendto: the destination
    iovec iov{};
    msghdr msg{};
    Tag tag;
    CompletionHandler handler;
    int result = 0;
    bool reaped = false;
    bool cancel_tried = false;
    bool settled = false;
  };
  explicit UringProactor(const io_uring& ring) : ring_(ring) {}
  static std::unique_ptr<Operation> new_op(Kind kind, int fd, Tag tag, CompletionHandler handler);
  IoResult<OperationId> submit(std::unique_ptr<Operation> op);
  Bytes recv_buffer(std::size_t size);
  void run_final(OperationId id);
  CompletionResult result_of(OperationId id, Operation& op);

  mutable io_uring ring_;
  OperationId next_id_ = 1;
  std::unordered_map<OperationId, std::unique_ptr<Operation>> ops_;
  static constexpr std::size_t kSpareBuffers = 16;
  std::vector<Bytes> spare_buffers_;  // receive buffers back from their final completion
  std::size_t discarded_bytes_ = 0;
  std::size_t silent_loss_bytes_ = 0;
  std::size_t cancelled_ = 0, not_found_ = 0, already_ = 0, after_reap_ = 0;
  std::size_t reads_with_data_ = 0, bytes_read_ = 0;
};

}  // namespace loopcheck
