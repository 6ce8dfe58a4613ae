// The conformance cases' stand-in for CPython's mocked proactor (test_proactor_events.py sets
// loop._proactor = mock.Mock()). Nothing completes on its own: the test completes each
// submitted operation by hand (data, EOF, an error, a partial send), and every submit, cancel
// and settle is recorded so a case can assert on what the transport asked of the kernel.
//
// A completion reaches the transport the way a finished overlapped future's done-callback
// reaches asyncio: posted to the loop with call_soon (Delivery::posted, the default), or, where
// the CPython test calls the transport's callback itself (tr._loop_reading(fut)), run at once
// (Delivery::now). An operation can also be made to "complete at once": its completion is
// posted from inside the submit call, which is what a mocked proactor returning an
// already-done future amounts to.
//
// RecordingSockets is the matching minimal SocketApi: proactor transports only shut down and
// close through it (and the datagram transport drains it at close); it records those calls.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/core/completion_api.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/socket_api.h"

namespace loopcheck {
namespace conformance {

// One shared, ordered record of what happened, so cases can assert on call order across the
// protocol, the kernel double and the socket double.
using Journal = std::vector<std::string>;

enum class OpKind { recv, send, recvfrom, sendto };

inline const char* op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::recv: return "recv";
    case OpKind::send: return "send";
    case OpKind::recvfrom: return "recvfrom";
    case OpKind::sendto: return "sendto";
  }
  return "?";
}

struct ScriptedOp {
  OperationId id = 0;  // 0 for a submission that was refused
  OpKind kind = OpKind::recv;
  int fd = -1;
  std::size_t max_bytes = 0;  // recv, recvfrom
  Bytes data;                 // send, sendto: what the transport handed over
  Address to;                 // sendto ("" = the connected peer)
  Tag tag;
  CompletionHandler handler;
  bool refused = false;    // the submit call itself failed (CPython: side_effect raising)
  bool completed = false;  // its one final completion has been handed out
};

enum class Delivery { posted, now };

class ScriptedCompletions final : public CompletionApi {
 public:
  ScriptedCompletions(Loop& loop, Journal& journal) : loop_(loop), journal_(journal) {}

  // ---- scripting ----
  // The next submit of `kind` fails at once with `error` (no handler will ever run).
  void fail_next(OpKind kind, Errc code, std::string message = "scripted") {
    refusals_[kind].push_back(make_error(code, std::move(message)));
  }
  // What cancel() answers from now on: nullopt (cancelled), Errc::not_found or Errc::already.
  void answer_cancel_with(std::optional<Errc> code) { cancel_answer_ = code; }
  // With a `cancelled` answer, post the operation's final completion (Errc::aborted) as the
  // kernel would. Off: the test completes it itself.
  bool abort_on_cancel = true;
  // Every send/sendto completes at once, fully (a done future handed back by the proactor).
  bool complete_sends_at_once = false;
  // Each recv/recvfrom submitted completes at once with the next of these (EOF for "").
  std::deque<Bytes> recv_script;

  // ---- completing by hand ----
  void complete_recv(OperationId id, Bytes data, Delivery how = Delivery::posted, Address from = {}) {
    CompletionResult r;
    r.id = id;
    r.data = std::move(data);
    r.from = std::move(from);
    finish(id, std::move(r), how);
  }
  // transferred: nullopt = all of it (a partial send passes fewer).
  void complete_send(OperationId id, std::optional<std::size_t> transferred = std::nullopt,
                     Delivery how = Delivery::posted) {
    CompletionResult r;
    r.id = id;
    ScriptedOp* op = find(id);
    r.transferred = transferred ? *transferred : (op ? op->data.size() : 0);
    if (op) hand_back_unsent(r, op->data);
    finish(id, std::move(r), how);
  }
  void fail(OperationId id, Errc code, Delivery how = Delivery::posted) {
    CompletionResult r;
    r.id = id;
    r.error = make_error(code, "scripted completion error");
    finish(id, std::move(r), how);
  }

  // ---- what the transport did ----
  std::vector<const ScriptedOp*> submitted(OpKind kind, bool include_refused = false) const {
    std::vector<const ScriptedOp*> out;
    for (const ScriptedOp& op : ops_) {
      if (op.kind == kind && (include_refused || !op.refused)) out.push_back(&op);
    }
    return out;
  }
  std::size_t count(OpKind kind) const { return submitted(kind).size(); }
  // The last accepted submission of `kind`, or nullptr.
  const ScriptedOp* last(OpKind kind) const {
    auto all = submitted(kind);
    return all.empty() ? nullptr : all.back();
  }
  // Accepted and not yet completed.
  std::vector<const ScriptedOp*> outstanding(OpKind kind) const {
    std::vector<const ScriptedOp*> out;
    for (const ScriptedOp* op : submitted(kind)) {
      if (!op->completed) out.push_back(op);
    }
    return out;
  }
  bool was_cancelled(OperationId id) const {
    for (OperationId c : cancels) {
      if (c == id) return true;
    }
    return false;
  }

  std::vector<OperationId> cancels;
  struct Settle {
    OperationId id;
    std::size_t bytes;
    Settlement how;
  };
  std::vector<Settle> settles;

  // ---- CompletionApi ----
  IoResult<OperationId> submit_recv(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) override {
    return submit(OpKind::recv, fd, max_bytes, {}, {}, tag, std::move(handler));
  }
  IoResult<OperationId> submit_send(int fd, Bytes data, Tag tag, CompletionHandler handler) override {
    return submit(OpKind::send, fd, 0, std::move(data), {}, tag, std::move(handler));
  }
  IoResult<OperationId> submit_recvfrom(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) override {
    return submit(OpKind::recvfrom, fd, max_bytes, {}, {}, tag, std::move(handler));
  }
  IoResult<OperationId> submit_sendto(int fd, Bytes data, Address to, Tag tag, CompletionHandler handler) override {
    return submit(OpKind::sendto, fd, 0, std::move(data), std::move(to), tag, std::move(handler));
  }
  Status cancel(OperationId id) override {
    cancels.push_back(id);
    journal_.push_back("cancel #" + std::to_string(id));
    ScriptedOp* op = find(id);
    if (!op) {
      ADD_FAILURE() << "cancel of unknown operation #" << id;
      return make_error(Errc::not_found, "unknown operation");
    }
    if (op->completed) return make_error(Errc::not_found, "already completed");
    if (cancel_answer_) return make_error(*cancel_answer_, "scripted cancel answer");
    if (abort_on_cancel) fail(id, Errc::aborted);
    return std::nullopt;
  }
  void settle(OperationId id, std::size_t bytes, Settlement how) override {
    settles.push_back({id, bytes, how});
    journal_.push_back("settle #" + std::to_string(id) +
                       (how == Settlement::delivered ? " delivered" : " discarded"));
  }

 private:
  IoResult<OperationId> submit(OpKind kind, int fd, std::size_t max_bytes, Bytes data, Address to, Tag tag,
                               CompletionHandler handler) {
    ScriptedOp op;
    op.kind = kind;
    op.fd = fd;
    op.max_bytes = max_bytes;
    op.data = std::move(data);
    op.to = std::move(to);
    op.tag = tag;
    auto& refusals = refusals_[kind];
    if (!refusals.empty()) {
      Error error = refusals.front();
      refusals.pop_front();
      op.refused = true;
      ops_.push_back(std::move(op));
      journal_.push_back(std::string("submit ") + op_kind_name(kind) + " refused: " + errc_name_of(error));
      return error;
    }
    op.id = next_id_++;
    op.handler = std::move(handler);
    OperationId id = op.id;
    journal_.push_back(std::string("submit ") + op_kind_name(kind) + " #" + std::to_string(id));
    ops_.push_back(std::move(op));
    if ((kind == OpKind::send || kind == OpKind::sendto) && complete_sends_at_once) {
      complete_send(id);
    } else if ((kind == OpKind::recv || kind == OpKind::recvfrom) && !recv_script.empty()) {
      Bytes next = std::move(recv_script.front());
      recv_script.pop_front();
      complete_recv(id, std::move(next));
    }
    return id;
  }
  static std::string errc_name_of(const Error& e) { return std::string(errc_name(e.code)); }

  void finish(OperationId id, CompletionResult r, Delivery how) {
    ScriptedOp* op = find(id);
    if (!op) {
      ADD_FAILURE() << "completion of unknown operation #" << id;
      return;
    }
    if (op->completed) {
      ADD_FAILURE() << "operation #" << id << " completed twice";
      return;
    }
    op->completed = true;
    CompletionHandler handler = op->handler;
    Tag tag = op->tag;
    tag.completion = true;
    if (how == Delivery::now) {
      journal_.push_back("complete #" + std::to_string(id));
      handler(r);
      return;
    }
    loop_.call_soon(tag, [this, handler, r = std::move(r)] {
      journal_.push_back("complete #" + std::to_string(r.id));
      handler(r);
    });
  }
  ScriptedOp* find(OperationId id) {
    for (ScriptedOp& op : ops_) {
      if (!op.refused && op.id == id) return &op;
    }
    return nullptr;
  }

  Loop& loop_;
  Journal& journal_;
  std::deque<ScriptedOp> ops_;  // deque: pointers handed out stay valid as more are submitted
  std::map<OpKind, std::deque<Error>> refusals_;
  std::optional<Errc> cancel_answer_;
  OperationId next_id_ = 1;
};

// Minimal SocketApi for proactor transports: records shutdown/close; stream I/O is not expected
// here (it goes through the completion port); recvfrom serves `kernel_datagrams`, then EAGAIN.
class RecordingSockets final : public SocketApi {
 public:
  explicit RecordingSockets(Journal& journal) : journal_(journal) {}

  IoResult<Bytes> recv(int fd, std::size_t) override {
    ADD_FAILURE() << "a proactor transport called recv(" << fd << ") on the socket";
    return make_error(Errc::would_block, "unexpected");
  }
  IoResult<std::size_t> send(int fd, BytesView) override {
    ADD_FAILURE() << "a proactor transport called send(" << fd << ") on the socket";
    return make_error(Errc::would_block, "unexpected");
  }
  Status shutdown_write(int fd) override {
    ++shutdown_writes;
    journal_.push_back("shutdown_write(" + std::to_string(fd) + ")");
    return std::nullopt;
  }
  IoResult<Datagram> recvfrom(int fd, std::size_t) override {
    ++recvfrom_calls;
    journal_.push_back("socket recvfrom(" + std::to_string(fd) + ")");
    if (kernel_datagrams.empty()) return make_error(Errc::would_block, "EAGAIN");
    Datagram d = std::move(kernel_datagrams.front());
    kernel_datagrams.pop_front();
    return d;
  }
  IoResult<std::size_t> sendto(int fd, BytesView, const Address&) override {
    ADD_FAILURE() << "a proactor transport called sendto(" << fd << ") on the socket";
    return make_error(Errc::would_block, "unexpected");
  }
  Status close(int fd) override {
    ++closes;
    journal_.push_back("close(" + std::to_string(fd) + ")");
    return std::nullopt;
  }
  Address sockname(int) const override { return "app"; }
  Address peername(int) const override { return "peer"; }

  int shutdown_writes = 0;
  int closes = 0;
  int recvfrom_calls = 0;
  std::deque<Datagram> kernel_datagrams;

 private:
  Journal& journal_;
};

}  // namespace conformance
}  // namespace loopcheck
