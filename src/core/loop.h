// The loop interface that transports are handed: asyncio's call_soon / call_at / time and the
// selector loop's reader and writer registration. Every callback carries a Tag naming its owner
// and purpose, so traces are readable and oracles can see which transport a callback belongs to.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "src/core/error.h"
#include "src/core/time.h"

namespace loopcheck {

struct Tag {
  const void* owner = nullptr;  // the transport (or other object) the callback acts for
  const char* label = "";       // static text, e.g. "read_ready"
  // A kernel completion (overlapped I/O) handing an operation's buffer back. It may come after
  // the transport's connection_lost, because the kernel owns the buffer until then; what it
  // must never do is reach the protocol.
  bool completion = false;
};

// Shared state of one scheduled callback. A cancelled handle never runs, even when it is already
// in the ready queue: that is what makes remove_reader and TimerHandle::cancel safe.
struct HandleState {
  Tag tag;
  std::function<void()> fn;
  Nanos when = 0;  // timers only
  bool cancelled = false;
};

class Handle {
 public:
  Handle() = default;
  explicit Handle(std::shared_ptr<HandleState> state) : state_(std::move(state)) {}
  void cancel() {
    if (state_) state_->cancelled = true;
  }
  bool cancelled() const { return !state_ || state_->cancelled; }
  bool valid() const { return state_ != nullptr; }
  Nanos when() const { return state_ ? state_->when : 0; }

 private:
  std::shared_ptr<HandleState> state_;
};

using TimerHandle = Handle;

// What the loop's exception handler receives: asyncio's context dict, reduced to what we need.
struct ExceptionContext {
  std::string message;
  Error error;
  const void* owner = nullptr;  // the transport that reported it, when there is one
};

class LoopObserver {
 public:
  virtual ~LoopObserver() = default;
  virtual void on_callback(const Tag& tag) = 0;
  virtual void on_exception(const ExceptionContext& context) = 0;
};

class Loop {
 public:
  virtual ~Loop() = default;
  virtual Handle call_soon(Tag tag, std::function<void()> fn) = 0;
  virtual TimerHandle call_at(Nanos when, Tag tag, std::function<void()> fn) = 0;
  TimerHandle call_later(Nanos delay, Tag tag, std::function<void()> fn) {
    return call_at(add_time(time(), delay), tag, std::move(fn));
  }
  virtual Nanos time() const = 0;

  // Selector-style readiness. A proactor-mode world answers with Errc::unsupported.
  virtual Status add_reader(int fd, Tag tag, std::function<void()> fn) = 0;
  virtual bool remove_reader(int fd) = 0;
  virtual Status add_writer(int fd, Tag tag, std::function<void()> fn) = 0;
  virtual bool remove_writer(int fd) = 0;

  virtual void call_exception_handler(const ExceptionContext& context) = 0;
};

}  // namespace loopcheck
