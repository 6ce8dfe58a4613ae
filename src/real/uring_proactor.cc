#include "src/real/uring_proactor.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "src/real/errno_error.h"

namespace loopcheck {
namespace {

const char* kind_name(int kind) {
  static const char* const kNames[] = {"recv", "send", "recvfrom", "sendto"};
  return kNames[kind];
}

// Asks the kernel, synchronously, to cancel whatever operation carries user_data `id`. The
// timeout is zero, not infinite: with an infinite one the kernel waits out an operation in
// progress and then answers 0 whatever it did, so "cancelled" could hide a completion with data.
// With zero it answers at once: 0 (cancelled), -ENOENT (already completed) or -ETIME (in
// progress: it completes either way, which is EALREADY's meaning).
int sync_cancel(io_uring& ring, OperationId id) {
  io_uring_sync_cancel_reg reg{};
  reg.addr = id;
  reg.fd = -1;
  reg.timeout.tv_sec = 0;
  reg.timeout.tv_nsec = 0;
  int rc = io_uring_register_sync_cancel(&ring, &reg);
  return rc == -ETIME ? -EALREADY : rc;
}

}  // namespace

std::variant<std::unique_ptr<UringProactor>, std::string> UringProactor::create(unsigned entries) {
  // One switch for every user of the binding (the CLI's experiments, the tests, benchmarks).
  if (const char* env = std::getenv("LOOPCHECK_IO_URING"); env && std::string(env) == "off") {
    return "io_uring is turned off by LOOPCHECK_IO_URING=off";
  }
  io_uring ring{};
  int rc = io_uring_queue_init(entries, &ring, 0);
  if (rc < 0) {
    std::string why = "io_uring is unavailable on this machine: io_uring_queue_init: " + std::string(std::strerror(-rc));
    if (rc == -ENOSYS) why += " (this kernel was built without io_uring)";
    if (rc == -EPERM) why += " (disabled by the kernel.io_uring_disabled sysctl or a seccomp filter)";
    return why;
  }
  // Operation ids start at 1, so nothing carries user_data 0: a kernel with synchronous cancel
  // answers ENOENT; an older one (before 6.0) answers EINVAL.
  rc = sync_cancel(ring, 0);
  if (rc != -ENOENT) {
    io_uring_queue_exit(&ring);
    return "io_uring has no synchronous cancel on this kernel (Linux 6.0 or later is needed): " +
           std::string(std::strerror(-rc));
  }
  return std::unique_ptr<UringProactor>(new UringProactor(ring));
}

// The kernel may still write into buffers it owns, so they must outlive the ring: cancel all,
// reap what comes back, and deliberately leak whatever has not come back within a second.
UringProactor::~UringProactor() {
  for (auto& [id, op] : ops_) {
    if (!op->reaped) (void)sync_cancel(ring_, id);
  }
  for (auto& [id, op] : ops_) {
    if (op->reaped) op.reset();
  }
  __kernel_timespec wait{1, 0};
  for (;;) {
    bool outstanding = false;
    for (auto& [id, op] : ops_) outstanding = outstanding || op != nullptr;
    if (!outstanding) break;
    io_uring_cqe* cqe = nullptr;
    if (io_uring_wait_cqe_timeout(&ring_, &cqe, &wait) != 0) break;
    auto it = ops_.find(io_uring_cqe_get_data64(cqe));
    io_uring_cqe_seen(&ring_, cqe);
    if (it != ops_.end()) it->second.reset();
  }
  for (auto& [id, op] : ops_) (void)op.release();  // never came back: the kernel may still hold it
  io_uring_queue_exit(&ring_);
}

IoResult<OperationId> UringProactor::submit(std::unique_ptr<Operation> op) {
  const char* what = kind_name(static_cast<int>(op->kind));
  if (op->fd < 0) return make_error(Errc::bad_fd, std::string(what) + " on fd " + std::to_string(op->fd));
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    (void)io_uring_submit(&ring_);  // hand the kernel what is queued, then try once more
    sqe = io_uring_get_sqe(&ring_);
  }
  // Refused at once: nothing was queued, so the buffer goes back with this return (bpo-32710).
  if (sqe == nullptr) return make_error(Errc::would_block, std::string(what) + ": io_uring submission queue full");
  Operation& o = *op;
  switch (o.kind) {
    case Kind::recv: io_uring_prep_recv(sqe, o.fd, o.buffer.data(), o.buffer.size(), 0); break;
    case Kind::send: io_uring_prep_send(sqe, o.fd, o.buffer.data(), o.buffer.size(), MSG_NOSIGNAL); break;
    case Kind::recvfrom:
    case Kind::sendto:
      o.iov = iovec{o.buffer.data(), o.buffer.size()};
      o.msg.msg_iov = &o.iov;
      o.msg.msg_iovlen = 1;
      if (o.kind == Kind::recvfrom) {
        o.msg.msg_name = &o.peer.storage;
        o.msg.msg_namelen = sizeof o.peer.storage;
        io_uring_prep_recvmsg(sqe, o.fd, &o.msg, 0);
      } else {
        o.msg.msg_name = o.peer.length ? &o.peer.storage : nullptr;
        o.msg.msg_namelen = o.peer.length;
        io_uring_prep_sendmsg(sqe, o.fd, &o.msg, MSG_NOSIGNAL);
      }
      break;
  }
  OperationId id = next_id_++;
  io_uring_sqe_set_data64(sqe, id);
  ops_.emplace(id, std::move(op));
  // The SQE is published now; should the enter fail (EINTR, EBUSY), flush() submits it before
  // the loop next polls, so the operation stays owned and will complete like any other.
  (void)io_uring_submit(&ring_);
  return id;
}

std::unique_ptr<UringProactor::Operation> UringProactor::new_op(Kind kind, int fd, Tag tag,
                                                                CompletionHandler handler) {
  auto op = std::make_unique<Operation>();
  op->kind = kind;
  op->fd = fd;
  op->tag = tag;
  op->handler = std::move(handler);
  return op;
}

// A receive buffer: one handed back by an earlier final completion when there is one, so a
// steady stream of reads neither allocates nor zero-fills (only the part the last read did not
// write is filled).
Bytes UringProactor::recv_buffer(std::size_t size) {
  Bytes buffer;
  if (!spare_buffers_.empty()) {
    buffer = std::move(spare_buffers_.back());
    spare_buffers_.pop_back();
  }
  buffer.resize(size);
  return buffer;
}

IoResult<OperationId> UringProactor::submit_recv(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) {
  auto op = new_op(Kind::recv, fd, tag, std::move(handler));
  op->buffer = recv_buffer(max_bytes);
  return submit(std::move(op));
}

IoResult<OperationId> UringProactor::submit_send(int fd, Bytes data, Tag tag, CompletionHandler handler) {
  auto op = new_op(Kind::send, fd, tag, std::move(handler));
  op->buffer = std::move(data);
  return submit(std::move(op));
}

IoResult<OperationId> UringProactor::submit_recvfrom(int fd, std::size_t max_bytes, Tag tag,
                                                     CompletionHandler handler) {
  auto op = new_op(Kind::recvfrom, fd, tag, std::move(handler));
  op->buffer = recv_buffer(max_bytes);
  return submit(std::move(op));
}

IoResult<OperationId> UringProactor::submit_sendto(int fd, Bytes data, Address to, Tag tag,
                                                   CompletionHandler handler) {
  auto op = new_op(Kind::sendto, fd, tag, std::move(handler));
  op->buffer = std::move(data);
  if (!to.empty() && !parse_address(to, op->peer)) {
    return make_error(Errc::invalid_argument, "sendto: not an address: '" + to + "'");
  }
  return submit(std::move(op));
}

Status UringProactor::cancel(OperationId id) {
  auto it = ops_.find(id);
  if (it != ops_.end()) it->second->cancel_tried = true;  // whatever comes now must be settled
  if (it == ops_.end() || it->second->reaped) {  // its completion is already on its way to the loop
    ++after_reap_;
    return make_error(Errc::not_found, "operation " + std::to_string(id) + " already completed");
  }
  flush();  // an operation the kernel has not been handed cannot be cancelled
  int rc = sync_cancel(ring_, id);
  if (rc == 0) {
    ++cancelled_;
    return std::nullopt;
  }
  if (rc == -ENOENT) ++not_found_;
  if (rc == -EALREADY) ++already_;
  return error_from_errno(-rc, "cancel of operation " + std::to_string(id));
}

std::size_t UringProactor::cancel_outcomes(Errc outcome) const {
  switch (outcome) {
    case Errc::aborted: return cancelled_;
    case Errc::not_found: return not_found_ + after_reap_;
    case Errc::already: return already_;
    default: return 0;
  }
}

void UringProactor::settle(OperationId id, std::size_t bytes, Settlement how) {
  auto it = ops_.find(id);
  if (it == ops_.end()) return;
  it->second->settled = true;
  if (how == Settlement::discarded) discarded_bytes_ += bytes;
}

void UringProactor::flush() {
  if (io_uring_sq_ready(&ring_) > 0) (void)io_uring_submit(&ring_);
}

bool UringProactor::has_queued() const { return io_uring_cq_ready(&ring_) > 0; }

void UringProactor::take_queued(std::vector<PollEvent>& out) {
  io_uring_cqe* cqe = nullptr;
  while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
    OperationId id = io_uring_cqe_get_data64(cqe);
    int result = cqe->res;
    io_uring_cqe_seen(&ring_, cqe);
    auto it = ops_.find(id);
    if (it == ops_.end()) continue;
    it->second->result = result;
    it->second->reaped = true;
    auto handle = std::make_shared<HandleState>();
    handle->tag = it->second->tag;
    handle->tag.completion = true;
    handle->fn = [this, id] { run_final(id); };
    out.push_back(PollEvent{-1, 0, std::move(handle)});
  }
}

CompletionResult UringProactor::result_of(OperationId id, Operation& op) {
  CompletionResult r;
  r.id = id;
  if (op.result < 0) {
    r.error = error_from_errno(-op.result, kind_name(static_cast<int>(op.kind)));
    return r;
  }
  auto n = static_cast<std::size_t>(op.result);
  if (op.kind == Kind::recv || op.kind == Kind::recvfrom) {
    reads_with_data_ += n > 0 ? 1 : 0;
    bytes_read_ += n;
    op.buffer.resize(n);
    r.data = std::move(op.buffer);
    if (op.kind == Kind::recvfrom) r.from = format_address(op.peer.storage, op.msg.msg_namelen);
  } else {
    r.transferred = n;
    hand_back_unsent(r, std::move(op.buffer));
  }
  return r;
}

// The final completion: the handler runs, then the buffer is released. Data that came after a
// cancel and that the handler did not settle is counted as lost (O9).
void UringProactor::run_final(OperationId id) {
  auto it = ops_.find(id);
  if (it == ops_.end()) return;
  CompletionResult result = result_of(id, *it->second);
  CompletionHandler handler = std::move(it->second->handler);
  std::size_t bytes = result.data.size();
  if (handler) handler(result);
  it = ops_.find(id);  // the handler may have submitted more operations
  if (it->second->cancel_tried && bytes > 0 && !it->second->settled) silent_loss_bytes_ += bytes;
  Kind kind = it->second->kind;
  ops_.erase(it);
  // The handler saw the data by reference; its buffer serves the next receive.
  if ((kind == Kind::recv || kind == Kind::recvfrom) && spare_buffers_.size() < kSpareBuffers) {
    spare_buffers_.push_back(std::move(result.data));
  }
}

}  // namespace loopcheck
