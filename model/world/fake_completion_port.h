// The fake kernel's completion mode (IOCP / io_uring) over FakeKernel sockets.
//
// An operation is pending until the kernel can satisfy it; then (an event, at a time the world
// chooses) it completes: the kernel call runs and the result joins the completion queue. The
// queue reaches the loop through the poller, oldest first, and the handler's run is the
// operation's final completion; only then is its buffer released. Cancel of a pending
// operation is a choice among the real outcomes: cancelled (ABORTED), or in progress (ALREADY)
// and then aborted anyway or completed with what the kernel call gives at that moment; only an
// operation the kernel could carry out now can be in progress, so one still waiting for data is
// simply cancelled. Cancel of a queued or finished operation is NOT_FOUND, and a queued
// completion is still delivered, data and all.
//
// With the kernel's submit_faults on, every submission may fail at once (a `submit_failure`
// choice), as WSASend does on a reset connection; the port then releases the buffer it was
// handed, unless bpo-32710's switch keeps it. Data that completes after its operation's cancel
// must be settled by the handler (O9); the port records every completion that was not.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/world/fake_kernel.h"
#include "model/world/pending_event.h"
#include "src/core/bugs.h"
#include "src/core/completion_api.h"
#include "src/core/fifo.h"
#include "src/core/poller.h"

namespace loopcheck {

class FakeCompletionPort final : public CompletionApi, public CompletionQueue, public EventSource {
 public:
  static constexpr Nanos kProcessing = 10 * kMicrosecond;  // how late a satisfiable op completes

  FakeCompletionPort(FakeKernel& kernel, ChoiceSource& choices, Tracer& tracer, const BugSet& bugs);

  IoResult<OperationId> submit_recv(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) override;
  IoResult<OperationId> submit_send(int fd, Bytes data, Tag tag, CompletionHandler handler) override;
  IoResult<OperationId> submit_recvfrom(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) override;
  IoResult<OperationId> submit_sendto(int fd, Bytes data, Address to, Tag tag, CompletionHandler handler) override;
  Status cancel(OperationId id) override;
  void settle(OperationId id, std::size_t bytes, Settlement how) override;

  void collect(Nanos now, std::vector<PendingEvent>& out) override;
  void fire(const PendingEvent& event) override;
  std::string describe(const PendingEvent& event) const override;
  std::pair<int, int> footprint(const PendingEvent& event) const override;
  // Finishing an operation reaches its socket, the other end, and the completion queue.
  Reach reach(const PendingEvent& event) const override;
  // Some operation on `fd` still waits for the kernel: data reaching fd may finish it.
  bool pending_on(int fd) const;
  void fingerprint(StateHasher& hasher) const override;

  // The poller's side: queued completions move to the loop as callbacks.
  int notify_fd() const override { return -1; }
  bool has_queued() const override { return !queue_.empty(); }
  void take_queued(std::vector<PollEvent>& out) override;

  // Accounting for the oracles: buffers still owned by the kernel (no final completion yet),
  // and operations that had more than one final completion (never legal).
  std::size_t owned_buffers() const;
  // The ids of the operations not yet finished, ascending (what a fingerprint renumbers).
  void live_operations(std::vector<OperationId>& out) const;
  std::size_t double_completions() const { return double_completions_; }
  // Completions that carried data after their cancel and were neither delivered nor discarded.
  const std::vector<std::string>& silent_losses() const { return silent_losses_; }
  std::size_t discarded_bytes() const { return discarded_bytes_; }

 private:
  enum class State { pending, queued, delivering, done, leaked };
  enum class Kind { recv, send, recvfrom, sendto };
  struct Operation {
    int fd = -1;
    Kind kind = Kind::recv;
    std::size_t max_bytes = 0;
    Bytes data;  // the send buffer the operation owns
    Address to;  // sendto
    Tag tag;
    CompletionHandler handler;
    State state = State::pending;
    CompletionResult result;
    Nanos ready_since = -1;
    bool cancel_tried = false;     // a cancel was asked for; data that still comes must be settled
    bool settled = false;
    bool error_deferred = false;   // its error counts as returned when the completion is delivered
  };
  static bool receives(Kind kind) { return kind == Kind::recv || kind == Kind::recvfrom; }
  static Operation new_op(Kind kind, int fd, Tag tag, CompletionHandler handler);
  IoResult<OperationId> submit(Operation op);
  void complete(Operation& op);
  void call_kernel(Operation& op);
  // The kernel could carry the operation out now (data or room is there, or the fd is gone).
  bool satisfiable(const Operation& op) const;
  void run_final(OperationId id);
  void queue(OperationId id, Operation& op);
  void trace(std::string text) const;

  FakeKernel& kernel_;
  ChoiceSource& choices_;
  Tracer& tracer_;
  const BugSet& bugs_;
  std::map<OperationId, Operation> ops_;  // ordered: events come out in submission order
  Fifo<OperationId> queue_;
  OperationId next_id_ = 1;
  std::size_t double_completions_ = 0;
  std::size_t discarded_bytes_ = 0;
  std::vector<std::string> silent_losses_;
};

}  // namespace loopcheck
