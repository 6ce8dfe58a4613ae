// asyncio's streams layer (Lib/asyncio/streams.py, CPython 3.13), as much of it as start_tls
// needs: a StreamReader with its read-ahead buffer and read flow control, and the
// StreamReaderProtocol that feeds it from a transport.
//
// Coroutines become continuations: a read takes a callback, which runs on a later loop turn
// (the turn on which asyncio's awaiting task would resume), once the buffer can answer it.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"

namespace loopcheck {

// What a read gives its continuation: the bytes, and `eof_early` when the stream ended before
// the read could be met in full (asyncio's IncompleteReadError; `data` is then what there was),
// or the error the stream ended with.
struct StreamRead {
  Bytes data;
  bool eof_early = false;
  std::optional<Error> error;
};
using ReadDone = std::function<void(StreamRead)>;

// The buffer between a transport and the code that reads it. It pauses the transport when the
// buffer passes twice its limit and resumes it when a read brings it to the limit or below, or
// when a read must wait for more (asyncio's _wait_for_data: else a readexactly() of more than
// twice the limit would wait forever on a paused transport). One read may wait at a time, as in
// asyncio.
class StreamReader final : public Fingerprinted {
 public:
  static constexpr std::size_t kDefaultLimit = 64 * 1024;  // asyncio's _DEFAULT_LIMIT

  explicit StreamReader(Loop& loop, std::size_t limit = kDefaultLimit) : loop_(loop), limit_(limit) {}
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  // The protocol's side.
  void set_transport(Transport& transport) { transport_ = &transport; }
  void feed_data(BytesView data);
  void feed_eof();
  void set_exception(const Error& error);

  // The reader's side. A read the buffer can answer now finishes inside the call, as an await
  // that need not suspend does. Each returns Errc::already (and does not wait) when a read is
  // already waiting: asyncio's "already waiting for incoming data" RuntimeError.
  [[nodiscard]] Status readline(ReadDone done);               // up to and with b"\n"
  [[nodiscard]] Status readexactly(std::size_t n, ReadDone done);
  [[nodiscard]] Status read(std::size_t n, ReadDone done);    // 1..n bytes, or b"" at EOF

  // What is read ahead and nobody has read. start_tls (fixed for gh-142352) takes it.
  const Bytes& buffer() const { return buffer_; }
  Bytes take_buffer();
  bool at_eof() const { return eof_ && buffer_.empty(); }
  const std::optional<Error>& exception() const { return error_; }
  Loop& loop() const { return loop_; }
  void fingerprint(StateHasher& h) const override;

 private:
  enum class Kind { none, line, exactly, some };
  void wake();
  void try_finish();
  void maybe_resume_transport();
  void resume_if_paused();
  Tag tag(const char* label) const { return Tag{this, label}; }

  Loop& loop_;
  std::size_t limit_;
  Transport* transport_ = nullptr;
  Bytes buffer_;
  bool eof_ = false;
  std::optional<Error> error_;
  bool paused_ = false;  // it paused the transport
  Kind waiting_ = Kind::none;
  std::size_t want_ = 0;
  ReadDone done_;
  bool wake_scheduled_ = false;
};

// The protocol a stream's transport calls. With a client_connected callback it is a server's
// (StreamWriter.start_tls then upgrades as the server side). Write flow control (drain) is the
// FlowControlMixin's: pause_writing holds drain() until resume_writing or connection_lost.
class StreamReaderProtocol final : public Protocol, public Fingerprinted {
 public:
  using Connected = std::function<void(Transport&)>;
  StreamReaderProtocol(StreamReader& reader, Connected client_connected = {})
      : reader_(reader), client_connected_(std::move(client_connected)) {}

  void connection_made(Transport& transport) override;
  void data_received(BytesView data) override { reader_.feed_data(data); }
  bool eof_received() override;
  void connection_lost(std::optional<Error> error) override;
  void pause_writing() override { writing_paused_ = true; }
  void resume_writing() override;

  StreamReader& reader() { return reader_; }
  bool server_side() const { return static_cast<bool>(client_connected_); }
  // asyncio's _replace_transport, after start_tls: the protocol now writes through the SSL one.
  void replace_transport(Transport& transport, bool over_ssl);
  // drain()'s wait: runs `done` at once unless writing is paused, else at resume or loss.
  void drain_helper(std::function<void(std::optional<Error>)> done);
  void fingerprint(StateHasher& h) const override;

 private:
  void wake_drain_waiters(const std::optional<Error>& error);
  StreamReader& reader_;
  Connected client_connected_;
  Transport* transport_ = nullptr;
  bool over_ssl_ = false;
  bool writing_paused_ = false;
  bool lost_ = false;
  std::optional<Error> lost_error_;
  std::vector<std::function<void(std::optional<Error>)>> drain_waiters_;
};

}  // namespace loopcheck
