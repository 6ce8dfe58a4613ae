#include "model/world/fake_completion_port.h"

#include <utility>

namespace loopcheck {

namespace {
const char* kind_name(bool receives, bool datagram) {
  if (datagram) return receives ? "recvfrom" : "sendto";
  return receives ? "recv" : "send";
}

// The three shapes a completion takes: an error, data received, bytes the kernel took.
CompletionResult failed(Error error) {
  CompletionResult r;
  r.error = std::move(error);
  return r;
}
CompletionResult received(Bytes data, Address from = {}) {
  CompletionResult r;
  r.data = std::move(data);
  r.from = std::move(from);
  return r;
}
CompletionResult took(std::size_t bytes) {
  CompletionResult r;
  r.transferred = bytes;
  return r;
}
}  // namespace

FakeCompletionPort::FakeCompletionPort(FakeKernel& kernel, ChoiceSource& choices, Tracer& tracer,
                                       const BugSet& bugs)
    : kernel_(kernel), choices_(choices), tracer_(tracer), bugs_(bugs) {}

void FakeCompletionPort::trace(std::string text) const {
  if (tracer_.enabled()) tracer_.record(Component::kernel, std::move(text));
}

// Every submission goes through here: a closed fd is EBADF, and with submit faults on the
// world chooses whether the kernel refuses the operation at once.
IoResult<OperationId> FakeCompletionPort::submit(Operation op) {
  bool datagram = op.kind == Kind::recvfrom || op.kind == Kind::sendto;
  std::string what = std::string("submit ") + kind_name(receives(op.kind), datagram);
  if (!kernel_.is_open(op.fd)) return make_error(Errc::bad_fd, what + " on fd " + std::to_string(op.fd));
  OperationId id = next_id_++;
  if (kernel_.config().submit_faults && choices_.choose(2, ChoiceKind::fault_submit) == 1) {
    trace(what + " #" + std::to_string(id) + " on fd " + std::to_string(op.fd) + ": fails at once (ECONNRESET)");
    if (bugs_.on(Bug::bpo_32710)) {  // the binding forgets to release what it was handed
      op.state = State::leaked;
      ops_.emplace(id, std::move(op));
    }
    return make_error(Errc::connection_reset, what + " failed at once");
  }
  trace(what + " #" + std::to_string(id) + " on fd " + std::to_string(op.fd));
  ops_.emplace(id, std::move(op));
  return id;
}

IoResult<OperationId> FakeCompletionPort::submit_recv(int fd, std::size_t max_bytes, Tag tag,
                                                      CompletionHandler handler) {
  Operation op = new_op(Kind::recv, fd, tag, std::move(handler));
  op.max_bytes = max_bytes;
  return submit(std::move(op));
}

IoResult<OperationId> FakeCompletionPort::submit_send(int fd, Bytes data, Tag tag, CompletionHandler handler) {
  Operation op = new_op(Kind::send, fd, tag, std::move(handler));
  op.data = std::move(data);
  return submit(std::move(op));
}

IoResult<OperationId> FakeCompletionPort::submit_recvfrom(int fd, std::size_t max_bytes, Tag tag,
                                                          CompletionHandler handler) {
  Operation op = new_op(Kind::recvfrom, fd, tag, std::move(handler));
  op.max_bytes = max_bytes;
  return submit(std::move(op));
}

IoResult<OperationId> FakeCompletionPort::submit_sendto(int fd, Bytes data, Address to, Tag tag,
                                                        CompletionHandler handler) {
  Operation op = new_op(Kind::sendto, fd, tag, std::move(handler));
  op.data = std::move(data);
  op.to = std::move(to);
  return submit(std::move(op));
}

FakeCompletionPort::Operation FakeCompletionPort::new_op(Kind kind, int fd, Tag tag, CompletionHandler handler) {
  Operation op;
  op.kind = kind;
  op.fd = fd;
  op.tag = tag;
  op.handler = std::move(handler);
  return op;
}

bool FakeCompletionPort::satisfiable(const Operation& op) const {
  return !kernel_.is_open(op.fd) || (receives(op.kind) ? kernel_.readable(op.fd) : kernel_.writable(op.fd));
}

void FakeCompletionPort::queue(OperationId id, Operation& op) {
  op.state = State::queued;
  queue_.push_back(id);
}

Status FakeCompletionPort::cancel(OperationId id) {
  auto it = ops_.find(id);
  // Whether the kernel has finished it yet is what a cancel asks: that is the socket's business.
  if (it != ops_.end()) kernel_.touch(it->second.fd);
  if (it != ops_.end()) it->second.cancel_tried = true;
  if (it == ops_.end() || it->second.state != State::pending) {
    trace("cancel #" + std::to_string(id) + ": NOT_FOUND (already completed)");
    return make_error(Errc::not_found, "operation " + std::to_string(id) + " already completed");
  }
  Operation& op = it->second;
  op.cancel_tried = true;
  // Only an operation the kernel could satisfy now can be in progress; one still waiting for
  // data or buffer space is simply cancelled.
  std::uint32_t outcome = satisfiable(op) ? choices_.choose(3, ChoiceKind::cancel_race) : 0;
  if (outcome == 0) {
    op.result = failed(make_error(Errc::aborted, "operation cancelled"));
    queue(id, op);
    trace("cancel #" + std::to_string(id) + ": cancelled");
    return std::nullopt;
  }
  // In progress: it will complete either way; which way is the second half of the choice. An
  // operation in progress has its outcome already: the kernel call it stands for happens now,
  // so nothing the application does after the cancel (a send that takes a pending ICMP report,
  // say) can leave it waiting for data that will never come.
  if (outcome == 1) {
    op.result = failed(make_error(Errc::aborted, "operation cancelled"));
  } else {
    complete(op);
    if (op.result.error && op.result.error->code == Errc::would_block) {  // nothing was in progress
      op.result = failed(make_error(Errc::aborted, "operation cancelled"));
    }
  }
  queue(id, op);
  trace("cancel #" + std::to_string(id) + ": ALREADY (in progress)");
  return make_error(Errc::already, "operation " + std::to_string(id) + " in progress");
}

void FakeCompletionPort::collect(Nanos now, std::vector<PendingEvent>& out) {
  for (auto& [id, op] : ops_) {
    if (op.state != State::pending) continue;
    if (!satisfiable(op)) {
      op.ready_since = -1;
      continue;
    }
    if (op.ready_since < 0) op.ready_since = now;
    out.push_back(PendingEvent{this, static_cast<std::uint32_t>(id), op.ready_since,
                               op.ready_since + kProcessing});
  }
}

// The kernel satisfies the operation now; its result waits in the completion queue.
void FakeCompletionPort::fire(const PendingEvent& event) {
  OperationId id = event.index;
  Operation& op = ops_.at(id);
  if (!kernel_.is_open(op.fd)) {
    // The socket was closed under the operation: it ends with EBADF, handing the buffer back.
    // No socket call of the application's failed here, so no error is counted against the fd.
    op.result = failed(make_error(Errc::bad_fd, "socket closed under the operation"));
    queue(id, op);
    return;
  }
  complete(op);
  if (op.result.error && op.result.error->code == Errc::would_block) {  // raced away; stays pending
    op.result = CompletionResult{};
    return;
  }
  queue(id, op);
}

// The kernel call the operation stands for; would_block leaves it pending. An error it gets is
// the application's only once the completion reaches it (run_final).
void FakeCompletionPort::complete(Operation& op) {
  call_kernel(op);
  if (op.result.error && op.result.error->code != Errc::would_block) {
    kernel_.defer_error(op.fd, -1);
    op.error_deferred = true;
  }
}

void FakeCompletionPort::call_kernel(Operation& op) {
  switch (op.kind) {
    case Kind::recv: {
      IoResult<Bytes> got = kernel_.recv(op.fd, op.max_bytes);
      op.result = got.ok() ? received(std::move(got.value())) : failed(got.error());
      return;
    }
    case Kind::recvfrom: {
      IoResult<Datagram> got = kernel_.recvfrom(op.fd, op.max_bytes);
      op.result = got.ok() ? received(std::move(got.value().data), got.value().from) : failed(got.error());
      return;
    }
    case Kind::send:
    case Kind::sendto: {
      IoResult<std::size_t> sent = op.kind == Kind::send ? kernel_.send(op.fd, op.data)
                                                         : kernel_.sendto(op.fd, op.data, op.to);
      op.result = sent.ok() ? took(sent.value()) : failed(sent.error());
      return;
    }
  }
}

std::string FakeCompletionPort::describe(const PendingEvent& event) const {
  const Operation& op = ops_.at(event.index);
  bool datagram = op.kind == Kind::recvfrom || op.kind == Kind::sendto;
  return std::string(kind_name(receives(op.kind), datagram)) + " #" + std::to_string(event.index) + " on fd " +
         std::to_string(op.fd) + " completes";
}

std::pair<int, int> FakeCompletionPort::footprint(const PendingEvent&) const { return {-2, -2}; }

Reach FakeCompletionPort::reach(const PendingEvent& event) const {
  int fd = ops_.at(event.index).fd;
  return Reach{true, fd, kernel_.stream_peer(fd), true};
}

bool FakeCompletionPort::pending_on(int fd) const {
  for (const auto& [id, op] : ops_) {
    if (op.fd == fd && op.state == State::pending) return true;
  }
  return false;
}

void FakeCompletionPort::take_queued(std::vector<PollEvent>& out) {
  while (!queue_.empty()) {
    OperationId id = queue_.front();
    queue_.pop_front();
    Operation& op = ops_.at(id);
    op.state = State::delivering;
    auto handle = std::make_shared<HandleState>();
    handle->tag = op.tag;
    handle->tag.completion = true;
    handle->fn = [this, id] { run_final(id); };
    out.push_back(PollEvent{-1, 0, std::move(handle)});
  }
}

// The operation's one final completion: the handler runs and the buffer goes back to its owner.
void FakeCompletionPort::run_final(OperationId id) {
  auto it = ops_.find(id);
  // Ids are never reused, and an operation is forgotten after its final completion: one that
  // is not here has had it already.
  if (it == ops_.end() || it->second.state == State::done) {
    ++double_completions_;
    return;
  }
  Operation& done = it->second;
  done.state = State::done;
  CompletionResult result = std::move(done.result);
  result.id = id;
  CompletionHandler handler = std::move(done.handler);
  if (done.kind == Kind::send) hand_back_unsent(result, std::move(done.data));
  done.data.clear();
  if (done.error_deferred) kernel_.defer_error(done.fd, +1);
  trace("completion #" + std::to_string(id) + (result.error ? ": " + result.error->describe() : ": ok"));
  std::size_t bytes = result.data.size();
  if (handler) handler(result);
  Operation& after = ops_.at(id);  // the handler may have submitted more: re-find
  if (after.cancel_tried && bytes > 0 && !after.settled) {
    silent_losses_.push_back("completion #" + std::to_string(id) + " carried " + std::to_string(bytes) +
                             " bytes after its cancel; its handler neither delivered nor discarded them");
  }
  // Nothing refers to it any more, and a saved world should not carry every operation ever made.
  ops_.erase(id);
}

void FakeCompletionPort::settle(OperationId id, std::size_t bytes, Settlement how) {
  auto it = ops_.find(id);
  if (it == ops_.end()) return;
  it->second.settled = true;
  if (how == Settlement::discarded) discarded_bytes_ += bytes;
  if (how == Settlement::discarded && it->second.state == State::done && it->second.error_deferred) {
    it->second.error_deferred = false;
    kernel_.defer_error(it->second.fd, -1);  // counted at delivery; dropped on purpose, so not owed
    trace("completion #" + std::to_string(id) + ": its error after the cancel discarded");
    return;
  }
  trace("completion #" + std::to_string(id) + ": " + std::to_string(bytes) + " bytes after the cancel " +
        (how == Settlement::discarded ? "discarded" : "delivered"));
}

std::size_t FakeCompletionPort::owned_buffers() const {
  std::size_t n = 0;
  for (const auto& [id, op] : ops_) n += op.state != State::done ? 1 : 0;
  return n;
}

void FakeCompletionPort::live_operations(std::vector<OperationId>& out) const {
  for (const auto& [id, op] : ops_) {
    if (op.state != State::done) out.push_back(id);
  }
}

// Ids go in by rank (StateHasher::operation): the next id to be handed out names nothing yet.
void FakeCompletionPort::fingerprint(StateHasher& h) const {
  for (const auto& [id, op] : ops_) {
    if (op.state == State::done) continue;
    h.value(h.operation(id));
    h.value(op.fd);
    h.value(op.kind);
    h.text(op.to);
    h.value(op.cancel_tried);
    h.value(op.error_deferred);  // whether its delivery counts the error against the fd (O6)
    h.value(op.max_bytes);
    h.text(op.data);
    h.value(h.owner(op.tag.owner));
    h.value(op.state);
    h.time(op.ready_since);
    h.value(op.result.error.has_value());
    if (op.result.error) h.value(op.result.error->code);
    h.text(op.result.data);
    h.text(op.result.from);  // the sender a datagram's app is told
    h.value(op.result.transferred);
  }
  for (OperationId id : queue_) h.value(h.operation(id));
}

}  // namespace loopcheck
