// Deferral: the environment waits while the loop runs (WorldConfig::defer_environment).
//
// At a step where the loop has work, a peer's action, a link's delivery or the kernel finishing
// an overlapped operation may come before the loop's next callback or after it, and a full
// search takes both. Deferred, they are still offered (the choice is the same, so runs replay
// either way) but marked, and the search passes over them there: they come once the loop is
// idle, and until then only the loop's next callback and the app's own events go on.
//
// Why that loses nothing: when none of the steps taken while they wait depends on anything the
// environment could do first, each such step commutes with all of it. A run that lets an
// environment event in early is then the run that lets it in at the next idle moment: every
// actor sees the same things in the same order, the states where the loop is idle are the same,
// and no more preemptions are spent (what is offered is a persistent set). Those are the states
// where the world ends a run or reaches quiescence, and every oracle judges one actor's own
// sequence of observations or such a state (the monitor reads a peer's view during a step
// only for bytes the app already got from it, a prefix of what it sent that later sends
// cannot change). Nothing waits forever in a search that certifies: a loop that never goes
// idle again is a zero-time livelock (O4) or a run the step bound cuts off, and neither
// leaves a clean, complete certificate.
//
// Whether a step depends is checked, not assumed. While something waits, the kernel logs every
// socket the step touches (and the completion queue, when the loop polls it). The reach of what
// waits is grown to all the environment could go on to do without the loop: the other end of
// each socket and what is in flight from it, the peer on any of them (everything, when a peer's
// reach is not known), and the completion queue if an operation on one of them is still
// pending. A step that touched any of that is a conflict, and the deferral is undone at that
// state: the search explores the deferred events there after all, as a full search does
// (PrefixChoiceSource::undefer_last_option), so deferring is decided state by state. The loop's
// poll is the common case: it reads the completion queue, and a completion that came first
// would join its batch. Only when the search has already passed over a deferred event at that
// state (the step was an app event offered after it) can it not be undone: the world notes the
// conflict, the search that deferred proves nothing, and the exhaustive engine starts again
// without deferring.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "model/world/fake_completion_port.h"
#include "model/world/fake_kernel.h"
#include "model/world/pending_event.h"

namespace loopcheck {

class Deferral {
 public:
  // Before a step taken while environment events wait: log what it touches.
  void watch(FakeKernel& kernel);
  // After it: `waiting` is the reach of each deferred event, taken before the step. Returns
  // what the step touched that they may reach (a conflict), if anything.
  std::optional<int> check(FakeKernel& kernel, const FakeCompletionPort& port, const std::vector<EventSource*>& sources,
                           const std::vector<Reach>& waiting);
  // A conflict the search could not answer by exploring the deferred events there after all:
  // the run's first is kept, and the search that deferred proves nothing.
  void note_conflict(int resource, bool app_event, std::size_t step, std::size_t waiting);
  const std::optional<std::string>& conflict() const { return conflict_; }

 private:
  // What the waiting events, and everything they may lead to without the loop, can reach.
  struct Region {
    bool everything = false;
    bool completion_queue = false;
    std::vector<int> fds;
    bool has(int fd) const;
    void add(const Reach& reach);
    void add(int fd);
  };
  static Region grow(const FakeKernel& kernel, const FakeCompletionPort& port,
                     const std::vector<EventSource*>& sources, const std::vector<Reach>& waiting);

  std::vector<int> touched_;
  std::optional<std::string> conflict_;
};

}  // namespace loopcheck
