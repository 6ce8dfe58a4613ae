// The half-close reader that stream-half-close and proactor-half-close share: it pauses
// reading after every delivery and resumes on a timer, and on EOF keeps the connection
// half-open and replies. Then it closes: at once, or one pause window later, which leaves the
// transport time to read again after the EOF (it must not: proactor-eof-twice).
#pragma once

#include "model/apps/app_stream.h"
#include "model/world/app_timer.h"

namespace loopcheck {

class PausingReader final : public AppStream {
 public:
  enum class CloseAfterEof { at_once, one_pause_later };
  // Params: bytes (what the peer sends; all of it must arrive before EOF), pause_us and
  // pause_min_us (the timer's window).
  PausingReader(SimWorld& world, const Params& p, CloseAfterEof close);

  void data_received(BytesView data) override;
  bool eof_received() override;

 private:
  void fingerprint_app(StateHasher&) const override {}
  std::size_t total_;
  TimeWindow pause_;
  AppTimer& timer_;
  int obligation_;
  CloseAfterEof close_;
};

}  // namespace loopcheck
