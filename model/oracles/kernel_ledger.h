// What the oracles need to know of a kernel's own books: per-socket counts and which of the
// application's sockets are still open. The fake kernel keeps these books; a real kernel does
// not, so on real sockets the monitor has no ledger and the checks that need one stay quiet.
// An interface here (and not the fake kernel itself) keeps the oracles free of the world.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace loopcheck {

struct FdStats {
  std::size_t errors = 0;            // non-EAGAIN errors returned to the caller
  std::size_t send_errors = 0;       // of which from sendto: that datagram was not sent
  std::size_t dgrams_enqueued = 0;   // datagrams queued for this socket
  std::size_t dgrams_received = 0;   // datagrams handed out by recvfrom
  std::size_t dgrams_sent = 0;       // datagrams accepted by sendto
  std::size_t dgrams_dropped = 0;    // overflow or injected loss on the way in
  std::size_t stream_bytes_sent = 0;  // bytes send() accepted on a stream socket
  std::size_t dropped_at_close = 0;  // still queued when the fd was closed
  // TCP's own rule, not a transport's choice: a socket closed with unread data, or reached by
  // data after its close, answers with RST, and what it had not yet sent is lost.
  std::size_t resets_after_close = 0;
};

// The socket errors a protocol is owed: all of them, or after an abort() only those the kernel
// had returned before it (asyncio drops what its operations report once _conn_lost is set).
inline std::size_t owed_errors(const FdStats& stats, const std::optional<std::size_t>& errors_at_abort) {
  return errors_at_abort && *errors_at_abort < stats.errors ? *errors_at_abort : stats.errors;
}

class KernelLedger {
 public:
  virtual ~KernelLedger() = default;
  virtual const FdStats& stats(int fd) const = 0;
  // The application's sockets that are still open (O5 at the end of a run).
  virtual std::vector<int> open_app_fds() const = 0;
};

}  // namespace loopcheck
