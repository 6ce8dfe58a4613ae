// A SocketApi whose answers the test scripts, and which records every call made on it: the
// part CPython's transport tests give to a mocked socket (sock.recv.return_value = ...,
// sock.send.side_effect = BlockingIOError, sock.send.assert_called_with(...)).
//
// Reads: each recv / recvfrom takes the next queued answer; with nothing queued the socket has
// nothing to read (EAGAIN). A queued stream chunk longer than the recv asks for is split, the
// rest staying at the front of the queue, as a kernel's stream would; a datagram longer than the
// recvfrom asks for is truncated.
// Writes: each send / sendmsg / sendto takes the next queued one-shot answer, else the standing
// answer (at first: accept everything); send and sendmsg share one script, as a stream socket's
// two ways to write. An answer accepts all, accepts up to n bytes (a partial send; for sendmsg, n
// bytes of the chunks in order), or fails with an Error (Errc::would_block being EAGAIN).
// A sendmsg is recorded as its own call, with the chunks it was given. With has_sendmsg false
// the socket has no sendmsg of its own: the call goes through SocketApi's default (the chunks
// joined into one send) and is recorded as that send.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/socket_api.h"

namespace loopcheck::conformance {

class ScriptedSockets final : public SocketApi {
 public:
  enum class Op { recv, send, sendmsg, shutdown_write, recvfrom, sendto, close };

  struct Call {
    Op op;
    int fd = -1;
    std::size_t max_bytes = 0;  // recv / recvfrom
    Bytes data;                 // send / sendto: what the transport handed over; sendmsg: the chunks joined
    Address to;                 // sendto
    std::vector<Bytes> chunks;  // sendmsg: the chunks as gathered, one Bytes each (chunks.size() is the count)
  };

  // How one send, sendmsg or sendto answers.
  struct Answer {
    enum class Kind { all, up_to, fail } kind = Kind::all;
    std::size_t n = 0;
    Error error;
  };
  static Answer accepts_all() { return Answer{}; }
  static Answer accepts(std::size_t n) { return Answer{Answer::Kind::up_to, n, {}}; }
  static Answer fails(Error error) { return Answer{Answer::Kind::fail, 0, std::move(error)}; }
  static Answer would_block() { return fails(make_error(Errc::would_block, "EAGAIN")); }

  // --- scripting
  void queue_recv(Bytes data) { recv_queue_.emplace_back(std::move(data)); }
  void queue_recv_eof() { recv_queue_.emplace_back(Bytes()); }
  void queue_recv_error(Error error) { recv_queue_.emplace_back(std::move(error)); }
  void queue_recvfrom(Bytes data, Address from) {
    recvfrom_queue_.emplace_back(Datagram{std::move(data), std::move(from)});
  }
  void queue_recvfrom_error(Error error) { recvfrom_queue_.emplace_back(std::move(error)); }
  void queue_send(Answer answer) { send_queue_.push_back(std::move(answer)); }
  void answer_sends(Answer answer) { send_standing_ = std::move(answer); }
  void queue_sendto(Answer answer) { sendto_queue_.push_back(std::move(answer)); }
  void answer_sendtos(Answer answer) { sendto_standing_ = std::move(answer); }
  void answer_shutdown(Status status) { shutdown_status_ = std::move(status); }
  bool has_sendmsg = true;  // false: sendmsg falls back to one send of the chunks joined
  Address sockname_answer = "127.0.0.1:7007";
  Address peername_answer = "127.0.0.1:8008";

  // --- what happened
  std::vector<Call> calls;
  void clear_calls() { calls.clear(); }
  int count(Op op) const {
    return static_cast<int>(std::count_if(calls.begin(), calls.end(), [op](const Call& c) { return c.op == op; }));
  }
  std::vector<Call> calls_of(Op op) const {
    std::vector<Call> out;
    for (const Call& c : calls) {
      if (c.op == op) out.push_back(c);
    }
    return out;
  }
  // The chunks of each sendmsg call, in order.
  std::vector<std::vector<Bytes>> sendmsg_chunks() const {
    std::vector<std::vector<Bytes>> out;
    for (const Call& c : calls) {
      if (c.op == Op::sendmsg) out.push_back(c.chunks);
    }
    return out;
  }
  // The last call of that kind, or nullptr.
  const Call* last(Op op) const {
    for (auto it = calls.rbegin(); it != calls.rend(); ++it) {
      if (it->op == op) return &*it;
    }
    return nullptr;
  }
  bool closed(int fd) const { return closed_.count(fd) != 0; }
  std::size_t unread_recv() const { return recv_queue_.size(); }
  std::size_t unread_recvfrom() const { return recvfrom_queue_.size(); }

  // --- SocketApi
  IoResult<Bytes> recv(int fd, std::size_t max_bytes) override {
    calls.push_back(Call{Op::recv, fd, max_bytes, {}, {}, {}});
    if (recv_queue_.empty()) return make_error(Errc::would_block, "EAGAIN");
    IoResult<Bytes>& next = recv_queue_.front();
    if (next.ok() && next.value().size() > max_bytes) {
      Bytes head = next.value().substr(0, max_bytes);
      next.value().erase(0, max_bytes);
      return head;
    }
    IoResult<Bytes> out = std::move(next);
    recv_queue_.pop_front();
    return out;
  }
  IoResult<std::size_t> send(int fd, BytesView data) override {
    calls.push_back(Call{Op::send, fd, 0, Bytes(data), {}, {}});
    return apply(next_answer(send_queue_, send_standing_), data.size());
  }
  IoResult<std::size_t> sendmsg(int fd, std::span<const BytesView> chunks) override {
    if (!has_sendmsg) return SocketApi::sendmsg(fd, chunks);
    Call call{Op::sendmsg, fd, 0, {}, {}, {}};
    for (BytesView chunk : chunks) {
      call.chunks.emplace_back(chunk);
      call.data.append(chunk.data(), chunk.size());
    }
    const std::size_t size = call.data.size();
    calls.push_back(std::move(call));
    return apply(next_answer(send_queue_, send_standing_), size);
  }
  Status shutdown_write(int fd) override {
    calls.push_back(Call{Op::shutdown_write, fd, 0, {}, {}, {}});
    return shutdown_status_;
  }
  IoResult<Datagram> recvfrom(int fd, std::size_t max_bytes) override {
    calls.push_back(Call{Op::recvfrom, fd, max_bytes, {}, {}, {}});
    if (recvfrom_queue_.empty()) return make_error(Errc::would_block, "EAGAIN");
    IoResult<Datagram> out = std::move(recvfrom_queue_.front());
    recvfrom_queue_.pop_front();
    if (out.ok() && out.value().data.size() > max_bytes) out.value().data.resize(max_bytes);
    return out;
  }
  IoResult<std::size_t> sendto(int fd, BytesView data, const Address& to) override {
    calls.push_back(Call{Op::sendto, fd, 0, Bytes(data), to, {}});
    return apply(next_answer(sendto_queue_, sendto_standing_), data.size());
  }
  Status close(int fd) override {
    calls.push_back(Call{Op::close, fd, 0, {}, {}, {}});
    closed_.insert(fd);
    return std::nullopt;
  }
  Address sockname(int) const override { return sockname_answer; }
  Address peername(int) const override { return peername_answer; }

 private:
  static Answer next_answer(std::deque<Answer>& queue, const Answer& standing) {
    if (queue.empty()) return standing;
    Answer answer = std::move(queue.front());
    queue.pop_front();
    return answer;
  }
  static IoResult<std::size_t> apply(const Answer& answer, std::size_t size) {
    switch (answer.kind) {
      case Answer::Kind::all: return size;
      case Answer::Kind::up_to: return std::min(answer.n, size);
      case Answer::Kind::fail: return answer.error;
    }
    return size;
  }

  std::deque<IoResult<Bytes>> recv_queue_;
  std::deque<IoResult<Datagram>> recvfrom_queue_;
  std::deque<Answer> send_queue_, sendto_queue_;
  Answer send_standing_, sendto_standing_;
  Status shutdown_status_;
  std::set<int> closed_;
};

}  // namespace loopcheck::conformance
