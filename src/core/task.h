// What a task's future is to the checker: it ends with a result or an exception, and an
// exception counts as reported only once somebody retrieves it. asyncio logs a Task's exception
// that nobody retrieved when the Task is collected; a concurrent.futures.Future (what
// run_coroutine_threadsafe returns) says nothing at all, so its exception is simply lost. The
// observer (the monitor, O6) is told both, and judges at the end what was never looked at.
#pragma once

#include <optional>

#include "src/core/error.h"

namespace loopcheck {

class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  virtual void on_task_failed(const void* task, const char* name, const Error& error) = 0;
  virtual void on_task_exception_retrieved(const void* task) = 0;
};

// One task's outcome. `name` is static text for messages ("handle_read").
class TaskOutcome {
 public:
  TaskOutcome(const char* name, TaskObserver* observer) : name_(name), observer_(observer) {}
  void set_exception(const Error& error) {
    exception_ = error;
    if (observer_) observer_->on_task_failed(this, name_, error);
  }
  // future.exception() / result(): the exception, now counted as seen.
  const std::optional<Error>& exception() {
    if (exception_ && observer_) observer_->on_task_exception_retrieved(this);
    return exception_;
  }
  bool failed() const { return exception_.has_value(); }
  const char* name() const { return name_; }

 private:
  const char* name_;
  TaskObserver* observer_;
  std::optional<Error> exception_;
};

}  // namespace loopcheck
