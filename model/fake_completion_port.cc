#include "model/fake_completion_port.h"

#include <utility>

namespace loopcheck {

FakeCompletionPort::FakeCompletionPort(FakeKernel& kernel, SimClock& clock, ChoiceSource& choices,
                                       Tracer& tracer)
    : kernel_(kernel), clock_(clock), choices_(choices), tracer_(tracer) {}

void FakeCompletionPort::trace(std::string text) const {
  if (tracer_.enabled()) tracer_.record(Component::kernel, std::move(text));
}

IoResult<OperationId> FakeCompletionPort::submit_recv(int fd, std::size_t max_bytes, Tag tag,
                                                      CompletionHandler handler) {
  if (!kernel_.is_open(fd)) return make_error(Errc::bad_fd, "submit_recv on fd " + std::to_string(fd));
  OperationId id = next_id_++;
  Operation op;
  op.fd = fd;
  op.max_bytes = max_bytes;
  op.tag = tag;
  op.handler = std::move(handler);
  ops_.emplace(id, std::move(op));
  trace("submit recv #" + std::to_string(id) + " on fd " + std::to_string(fd));
  return id;
}

IoResult<OperationId> FakeCompletionPort::submit_send(int fd, Bytes data, Tag tag, CompletionHandler handler) {
  if (!kernel_.is_open(fd)) return make_error(Errc::bad_fd, "submit_send on fd " + std::to_string(fd));
  OperationId id = next_id_++;
  Operation op;
  op.fd = fd;
  op.is_recv = false;
  op.data = std::move(data);
  op.tag = tag;
  op.handler = std::move(handler);
  ops_.emplace(id, std::move(op));
  trace("submit send #" + std::to_string(id) + " on fd " + std::to_string(fd));
  return id;
}

void FakeCompletionPort::queue(OperationId id, Operation& op) {
  op.state = State::queued;
  queue_.push_back(id);
}

Status FakeCompletionPort::cancel(OperationId id) {
  auto it = ops_.find(id);
  if (it == ops_.end() || it->second.state != State::pending || it->second.abort_when_done) {
    trace("cancel #" + std::to_string(id) + ": NOT_FOUND (already completed)");
    return make_error(Errc::not_found, "operation " + std::to_string(id) + " already completed");
  }
  Operation& op = it->second;
  std::uint32_t outcome = choices_.choose(3, ChoiceKind::cancel_race);
  if (outcome == 0) {
    op.result = CompletionResult{0, make_error(Errc::aborted, "operation cancelled"), {}, 0};
    queue(id, op);
    trace("cancel #" + std::to_string(id) + ": cancelled");
    return std::nullopt;
  }
  // In progress: it will complete either way; which way is the second half of the choice.
  if (outcome == 1) {
    op.result = CompletionResult{0, make_error(Errc::aborted, "operation cancelled"), {}, 0};
    queue(id, op);
  }
  trace("cancel #" + std::to_string(id) + ": ALREADY (in progress)");
  return make_error(Errc::already, "operation " + std::to_string(id) + " in progress");
}

void FakeCompletionPort::collect(Nanos now, std::vector<PendingEvent>& out) {
  for (auto& [id, op] : ops_) {
    if (op.state != State::pending) continue;
    bool ready = op.is_recv ? kernel_.readable(op.fd) || !kernel_.is_open(op.fd)
                            : kernel_.writable(op.fd) || !kernel_.is_open(op.fd);
    if (!ready) {
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
    op.result = CompletionResult{0, make_error(Errc::bad_fd, "socket closed under the operation"), {}, 0};
    queue(id, op);
    return;
  }
  if (op.is_recv) {
    IoResult<Bytes> got = kernel_.recv(op.fd, op.max_bytes);
    if (got.would_block()) return;  // raced away; stays pending
    op.result = got.ok() ? CompletionResult{0, std::nullopt, std::move(got.value()), 0}
                         : CompletionResult{0, got.error(), {}, 0};
  } else {
    IoResult<std::size_t> sent = kernel_.send(op.fd, op.data);
    if (sent.would_block()) return;
    op.result = sent.ok() ? CompletionResult{0, std::nullopt, {}, sent.value()} : CompletionResult{0, sent.error(), {}, 0};
  }
  queue(id, op);
}

std::string FakeCompletionPort::describe(const PendingEvent& event) const {
  const Operation& op = ops_.at(event.index);
  return std::string(op.is_recv ? "recv" : "send") + " #" + std::to_string(event.index) + " on fd " +
         std::to_string(op.fd) + " completes";
}

std::pair<int, int> FakeCompletionPort::footprint(const PendingEvent&) const { return {-2, -2}; }

void FakeCompletionPort::take_queued(std::vector<PollEvent>& out) {
  while (!queue_.empty()) {
    OperationId id = queue_.front();
    queue_.pop_front();
    Operation& op = ops_.at(id);
    op.state = State::delivering;
    auto handle = std::make_shared<HandleState>();
    handle->tag = op.tag;
    handle->tag.completion = true;
    handle->fn = [this, id] {
      Operation& done = ops_.at(id);
      if (done.state == State::done) {
        ++double_completions_;
        return;
      }
      done.state = State::done;
      CompletionResult result = std::move(done.result);
      result.id = id;
      CompletionHandler handler = std::move(done.handler);
      done.data.clear();  // the buffer goes back to its owner with the final completion
      trace("completion #" + std::to_string(id) + (result.error ? ": " + result.error->describe() : ": ok"));
      if (handler) handler(result);
    };
    out.push_back(PollEvent{-1, 0, std::move(handle)});
  }
}

std::size_t FakeCompletionPort::owned_buffers() const {
  std::size_t n = 0;
  for (const auto& [id, op] : ops_) n += op.state != State::done ? 1 : 0;
  return n;
}

void FakeCompletionPort::fingerprint(StateHasher& h) const {
  h.value(next_id_);
  for (const auto& [id, op] : ops_) {
    if (op.state == State::done) continue;
    h.value(id);
    h.value(op.fd);
    h.value(op.is_recv);
    h.value(op.max_bytes);
    h.text(op.data);
    h.value(h.owner(op.tag.owner));
    h.value(op.state);
    h.value(op.ready_since);
    h.value(op.result.error.has_value());
    if (op.result.error) h.value(op.result.error->code);
    h.text(op.result.data);
    h.value(op.result.transferred);
  }
  for (OperationId id : queue_) h.value(id);
}

}  // namespace loopcheck
