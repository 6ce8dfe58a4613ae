// asyncio's loop.sendfile(transport, file, offset, count, fallback=...) as a state machine
// (CPython 3.13: base_events.sendfile and _sendfile_fallback, selector_events._sendfile_native,
// unix_events._sock_sendfile_native). A try_native transport (the selector stream) stops
// reading, waits for its write buffer to empty, and lets os.sendfile write to its socket on
// each writability; a file os.sendfile cannot serve, or a first os.sendfile that fails, sends
// it down the fallback, as does a fallback transport (SSL): blocks read from the file at its
// position and written with transport.write, gated by the transport's flow control.
//
// Where asyncio's coroutine would suspend (the empty waiter, the writer, the executor's read,
// drain) this machine continues from a loop callback, a loop turn after what woke it, as an
// asyncio task does; where asyncio would go on without suspending, it goes on inline. The
// executor's file read takes two loop turns, its soonest (the thread's answer comes back with
// call_soon_threadsafe, then the task wakes); a slower thread is not explored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "src/core/file_object.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"
#include "src/transport/sendfile_fallback.h"
#include "src/transport/transport_context.h"

namespace loopcheck {

struct SendfileRequest {
  std::uint64_t offset = 0;
  // Empty: to the end of the file. 0 is asyncio's: the native path refuses it (ValueError),
  // the fallback reads it as no count.
  std::optional<std::size_t> count;
  bool fallback = true;
};

// How a sendfile ended. `error` is what asyncio's sendfile raises (empty: it returned `sent`);
// `sent` is what left the file either way (after an error asyncio leaves it in file.tell()).
struct SendfileResult {
  std::size_t sent = 0;
  Status error;
  bool native = false;  // os.sendfile sent them, not transport.write
};

class Sendfile final : public Fingerprinted {
 public:
  using Done = std::function<void(const SendfileResult&)>;
  static constexpr std::size_t kFallbackBlock = 16384;  // asyncio's fallback read size

  // Nothing happens until start(). The owner keeps this alive until `done` has run: the loop's
  // callbacks point at it.
  Sendfile(TransportContext ctx, Transport& transport, FileObject& file, SendfileRequest request, Done done);
  Sendfile(const Sendfile&) = delete;
  Sendfile& operator=(const Sendfile&) = delete;
  ~Sendfile() override = default;

  // `done` runs once: inside start() when asyncio raises at once (a closing transport, bad
  // arguments), later otherwise.
  void start();
  bool finished() const { return phase_ == Phase::finished; }
  void fingerprint(StateHasher& h) const override;

 private:
  enum class Phase { idle, waiting_empty, waking, sending, resolving, reading, draining, finished };

  // The native path: selector_events._sendfile_native around unix_events._sock_sendfile_native.
  void native();
  void native_waited(Status status);
  // The waiter's second answer: the connection went while the sendfile had the socket.
  void native_lost(Status status);
  // One os.sendfile; `registered` when called from the writer (asyncio's registered_fd).
  void native_send(bool registered);
  // The native future resolved (an error, or done with native_sent_): the coroutine goes on at
  // once when it never suspended, else a loop turn later.
  void native_resolved(Status error, bool from_callback);
  void native_finally(Status error);

  // base_events._sendfile_fallback.
  void fallback();
  void fallback_next();
  void fallback_read();
  void fallback_write(Status drained);
  void fallback_finally(Status error);

  void finish(Status error, bool native);
  // asyncio's `if count:`: a count of 0 reads as no count.
  bool counted() const { return request_.count && *request_.count > 0; }
  void trace(const std::string& text) const;
  Tag tag(const char* label) const { return Tag{this, label}; }

  TransportContext ctx_;
  Transport& transport_;
  FileObject& file_;
  SendfileRequest request_;
  Done done_;
  Phase phase_ = Phase::idle;
  int fd_ = -1;
  bool resume_reading_ = false;
  bool making_waiter_ = false;  // inside make_empty_waiter: its answer needs no loop turn
  bool waiter_answered_ = false;
  Status lost_;  // the connection went after the waiter answered (the fix of sendfile-close-hang)
  std::uint64_t native_offset_ = 0;
  std::size_t native_sent_ = 0;
  std::size_t blocksize_ = 0;
  std::size_t fallback_sent_ = 0;
  Bytes block_;  // the fallback's block, from its read until its write (a callback's, but hashed)
  std::unique_ptr<SendfileFallbackProtocol> proto_;
};

}  // namespace loopcheck
