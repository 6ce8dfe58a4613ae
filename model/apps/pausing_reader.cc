#include "model/apps/pausing_reader.h"

#include <string>

namespace loopcheck {

PausingReader::PausingReader(SimWorld& world, const Params& p, CloseAfterEof close)
    : AppStream(world),
      total_(static_cast<std::size_t>(param(p, "bytes", 0))),
      pause_(timing_param(p, "pause")),
      timer_(world.app_timer("app timer")),
      obligation_(world.monitor().open_obligation("the reader gets every byte before EOF")),
      close_(close) {}

void PausingReader::data_received(BytesView data) {
  AppStream::data_received(data);
  transport_->pause_reading();
  timer_.arm(pause_, tag("app.resume_reading"), [this] { transport_->resume_reading(); });
}

bool PausingReader::eof_received() {
  if (received_ == total_) world_.monitor().discharge(obligation_);
  (void)transport_->write("got " + std::to_string(received_));
  if (close_ == CloseAfterEof::at_once) {
    transport_->close();
  } else {
    timer_.arm(pause_, tag("app.close"), [this] { transport_->close(); });
  }
  return true;
}

}  // namespace loopcheck
