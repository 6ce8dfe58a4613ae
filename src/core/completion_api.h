// Overlapped I/O, as IOCP and io_uring provide it. An operation owns its buffer from submission
// until its one final completion, which reaches the loop as a callback (through the poller's
// completion events). Cancel has three outcomes, and code must handle all three:
//   - cancelled: the handler will run with Errc::aborted (ERROR_OPERATION_ABORTED / -ECANCELED);
//   - not_found: the operation had already completed; its completion, with its data, is still
//     on its way (ERROR_NOT_FOUND / -ENOENT); ignoring it loses those bytes (bpo-33694);
//   - already: it is in progress and will complete either way (-EALREADY).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/socket_api.h"

namespace loopcheck {

using OperationId = std::uint64_t;

struct CompletionResult {
  OperationId id = 0;       // which operation (IOCP hands back the OVERLAPPED, io_uring user_data)
  Status error;             // empty on success; Errc::aborted when cancelled
  Bytes data;               // recv: what arrived (empty = EOF)
  std::size_t transferred = 0;  // send: bytes the kernel took
  Address from;             // recvfrom: the sender
  Bytes unsent;             // send: what a short completion did not take, handed back
};

// A send's final completion hands back what the kernel did not take (a short send), so its
// owner can resend it without keeping a copy of the buffer it gave away.
inline void hand_back_unsent(CompletionResult& r, BytesView sent) {
  if (!r.error && r.transferred < sent.size()) r.unsent = Bytes(sent.substr(r.transferred));
}
// The same for a port that is done with the buffer: the tail moves to the front of it, in place,
// so a short send neither allocates nor copies what was sent.
inline void hand_back_unsent(CompletionResult& r, Bytes&& sent) {
  if (r.error || r.transferred >= sent.size()) return;
  sent.erase(0, r.transferred);
  r.unsent = std::move(sent);
}

// What a handler did with data that completed after its operation's cancel (O9): such data is
// handed on or dropped on purpose, never lost by forgetting the operation.
enum class Settlement { delivered, discarded };

using CompletionHandler = std::function<void(const CompletionResult&)>;

class CompletionApi {
 public:
  virtual ~CompletionApi() = default;
  // An immediate failure is returned here; the handler then never runs and the buffer is
  // released at once (keeping it is bpo-32710's leak).
  virtual IoResult<OperationId> submit_recv(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) = 0;
  virtual IoResult<OperationId> submit_send(int fd, Bytes data, Tag tag, CompletionHandler handler) = 0;
  // Datagram sockets: one datagram per operation; to empty = the connected peer.
  virtual IoResult<OperationId> submit_recvfrom(int fd, std::size_t max_bytes, Tag tag, CompletionHandler handler) = 0;
  virtual IoResult<OperationId> submit_sendto(int fd, Bytes data, Address to, Tag tag, CompletionHandler handler) = 0;
  // nullopt: cancelled; Errc::not_found: already completed; Errc::already: in progress.
  virtual Status cancel(OperationId id) = 0;
  // Called by a handler whose operation it had cancelled, when the completion still carries
  // data or an error. The port counts it; a data-carrying completion after a cancel that its
  // handler does not settle is a silent loss (O9). An error settled as discarded is dropped on
  // purpose, as asyncio drops a cancelled read's error once the transport is closing, and is
  // not owed to the protocol (O6); one left unsettled still is.
  virtual void settle(OperationId id, std::size_t bytes, Settlement how) = 0;
};

}  // namespace loopcheck
