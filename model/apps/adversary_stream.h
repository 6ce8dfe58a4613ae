// An application that is an adversary of its stream transport: wherever a real application
// could act (inside every protocol callback, and on its own timer while the loop is idle), its
// next call is an `app_action` choice over the transport's whole public API. Choice 0 is "do
// nothing", the default path; any other value spends one unit of Bounds::max_app_actions, so
// the budget is a bound like preemptions and faults. It works over any stream transport
// (selector or proactor), since it sees only the Transport interface.
//
// Its default path is a plain reader with small write limits (so that flow control has work
// to do): it reads, and lets the peer's EOF close the transport.
// It keeps one rule of a sane application, so that its own hang is never blamed on the
// transport: it pauses reading only while it has an idle turn left, and on its last turn it
// resumes reading if it had paused.
#pragma once

#include "model/apps/app_stream.h"

namespace loopcheck {

class AdversaryStream final : public AppStream {
 public:
  // turns: how many times its idle timer fires; period: how long the loop waits between them;
  // high: the write high-water mark it sets when the connection is made (low = high / 4).
  // close_at_end: after its last turn it closes, as an app that is done does (for peers that
  // never end the connection themselves). writelines: it may also call writelines() (400
  // bytes in two chunks and an empty one), offered last, for a transport with a writelines of
  // its own (the selector stream's scatter writes; elsewhere it is a joined write).
  AdversaryStream(SimWorld& world, int turns, Nanos period, std::size_t high, bool close_at_end = false,
                  bool writelines = false);

  void data_received(BytesView data) override;
  bool eof_received() override;
  void pause_writing() override;
  void resume_writing() override;
  void connection_lost(std::optional<Error> error) override;

 private:
  enum class Action {
    none,
    write_small,   // a few bytes
    write_large,   // more than the kernel and the high-water mark hold: the buffer backs up
    write_eof,
    close,
    abort,
    resume_reading,
    set_limits,     // set_write_buffer_limits(16, 4): flow control at tiny marks
    pause_reading,  // offered only while a later idle turn can resume
    kCount,
    writelines,  // not counted in kCount: offered after them all, and only when asked for
  };

  void on_made() override;
  void fingerprint_app(StateHasher& h) const override;
  void act(const char* where);
  void idle_turn();
  void perform(Action action);

  int turns_left_;
  Nanos period_;
  std::size_t high_;
  bool close_at_end_;
  bool writelines_;
  bool paused_ = false;
  bool lost_ = false;
  TimerHandle timer_;
};

}  // namespace loopcheck
