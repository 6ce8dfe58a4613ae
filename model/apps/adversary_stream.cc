#include "model/apps/adversary_stream.h"

#include <string>

#include "model/apps/app_action.h"

namespace loopcheck {

namespace {
const char* const kActionNames[] = {"nothing", "write 8 bytes", "write 400 bytes", "write_eof()",
                                    "close()", "abort()", "resume_reading()",
                                    "set_write_buffer_limits(16, 4)", "pause_reading()"};
// The names when pause_reading is not offered (the last turn is gone) and writelines is.
const char* const kActionNamesNoPause[] = {"nothing", "write 8 bytes", "write 400 bytes", "write_eof()",
                                           "close()", "abort()", "resume_reading()",
                                           "set_write_buffer_limits(16, 4)", "writelines(200, 200, empty)"};
const char* const kActionNamesAll[] = {"nothing", "write 8 bytes", "write 400 bytes", "write_eof()",
                                       "close()", "abort()", "resume_reading()",
                                       "set_write_buffer_limits(16, 4)", "pause_reading()",
                                       "writelines(200, 200, empty)"};
}  // namespace

AdversaryStream::AdversaryStream(SimWorld& world, int turns, Nanos period, std::size_t high, bool close_at_end,
                                 bool writelines)
    : AppStream(world),
      turns_left_(turns),
      period_(period),
      high_(high),
      close_at_end_(close_at_end),
      writelines_(writelines) {}

void AdversaryStream::on_made() {
  (void)transport_->set_write_buffer_limits(high_, high_ / 4);
  act("connection_made");
  if (!lost_ && turns_left_ > 0) {
    timer_ = world_.loop().call_later(period_, tag("app.idle_turn"), [this] { idle_turn(); });
  }
}

void AdversaryStream::data_received(BytesView data) {
  AppStream::data_received(data);
  act("data_received");
}

bool AdversaryStream::eof_received() {
  act("eof_received");
  return false;  // the transport closes itself
}

void AdversaryStream::pause_writing() { act("pause_writing"); }
void AdversaryStream::resume_writing() { act("resume_writing"); }

void AdversaryStream::connection_lost(std::optional<Error>) {
  lost_ = true;
  timer_.cancel();
}

void AdversaryStream::idle_turn() {
  --turns_left_;
  act("idle");
  if (turns_left_ == 0 && paused_ && !lost_) {
    world_.monitor().note(Component::protocol, "app: last turn: resume_reading()");
    paused_ = false;
    transport_->resume_reading();
  }
  if (turns_left_ == 0 && close_at_end_ && !lost_) {
    world_.monitor().note(Component::protocol, "app: done: close()");
    transport_->close();
  }
  if (!lost_ && turns_left_ > 0) {
    timer_ = world_.loop().call_later(period_, tag("app.idle_turn"), [this] { idle_turn(); });
  }
}

// One decision point: the app may call any method now. A pause needs a later turn to undo it.
void AdversaryStream::act(const char* where) {
  if (lost_ || !transport_) return;
  // The options: every action before pause_reading, then pause_reading while a turn is left to
  // resume in, then writelines when asked for.
  auto n = static_cast<std::uint32_t>(Action::kCount);
  bool pause = turns_left_ > 0;
  if (!pause) --n;
  if (writelines_) ++n;
  const char* const* names = !writelines_ ? kActionNames : pause ? kActionNamesAll : kActionNamesNoPause;
  auto pick = choose_app_action(world_, n, where, names);
  auto first_optional = static_cast<std::uint32_t>(Action::pause_reading);
  if (pick < first_optional) {
    perform(static_cast<Action>(pick));
  } else if (pause && pick == first_optional) {
    perform(Action::pause_reading);
  } else {
    perform(Action::writelines);
  }
}

void AdversaryStream::perform(Action action) {
  switch (action) {
    case Action::none:
    case Action::kCount:
      return;
    case Action::write_small:
      (void)transport_->write(Bytes(8, 'w'));
      return;
    case Action::write_large:
      (void)transport_->write(Bytes(400, 'W'));
      return;
    case Action::write_eof:
      (void)transport_->write_eof();
      return;
    case Action::close:
      transport_->close();
      return;
    case Action::abort:
      transport_->abort();
      return;
    case Action::pause_reading:
      paused_ = true;
      transport_->pause_reading();
      return;
    case Action::resume_reading:
      paused_ = false;
      transport_->resume_reading();
      return;
    case Action::set_limits:
      (void)transport_->set_write_buffer_limits(16, 4);
      return;
    case Action::writelines:
      (void)transport_->writelines({Bytes(200, 'L'), Bytes(200, 'L'), Bytes()});
      return;
  }
}

void AdversaryStream::fingerprint_app(StateHasher& h) const {
  h.value(turns_left_);
  h.value(paused_);
  h.value(lost_);
}

}  // namespace loopcheck
