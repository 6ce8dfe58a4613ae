// asyncio's _SendfileFallbackProtocol (base_events.py): while loop.sendfile writes a file in
// blocks, this protocol stands in for the app's. It pauses reading (data now would be a broken
// state), turns pause_writing / resume_writing into the gate that drain() waits on, passes
// connection_lost on to the app's protocol, and restore() puts everything back: the app's
// protocol, its reading, and a resume_writing it is owed when it was paused at the start.
#pragma once

#include <functional>
#include <optional>

#include "src/core/loop.h"
#include "src/core/protocol.h"
#include "src/core/state_hasher.h"
#include "src/core/transport.h"

namespace loopcheck {

class SendfileFallbackProtocol final : public Protocol, public Fingerprinted {
 public:
  // Pauses the transport's reading and installs itself as its protocol.
  SendfileFallbackProtocol(Loop& loop, Transport& transport);

  // asyncio's drain(): an error at once when the transport is closing; else `ready` runs when
  // writing may go on, inline when it is not paused, else a loop turn after resume_writing (or
  // with the error that ended the connection). One drain at a time.
  void drain(std::function<void(Status)> ready);
  // The app's protocol back, its reading resumed and its resume_writing owed, as asyncio's
  // restore(). Nothing is touched on a transport whose connection_lost has run: asyncio's calls
  // there change nothing anyone can see, and the app may have let the transport go.
  void restore();

  void connection_made(Transport&) override;
  void data_received(BytesView) override;
  bool eof_received() override;
  void connection_lost(std::optional<Error> error) override;
  void pause_writing() override;
  void resume_writing() override;
  void fingerprint(StateHasher& h) const override;

 private:
  // The write_ready future resolved: whoever drains is woken a turn later, as a task is.
  void wake(Status status);

  Loop& loop_;
  Transport& transport_;
  Protocol& proto_;
  bool should_resume_reading_;
  bool should_resume_writing_;
  bool gate_closed_;                // asyncio's _write_ready_fut is there and not done
  std::optional<Error> gate_error_;  // it failed: connection_lost came while it was there
  bool lost_ = false;
  std::function<void(Status)> waiting_;  // the drain() waiting on the gate
};

}  // namespace loopcheck
