// The run's trace: a numbered list of (simulated time, component, event). Recording is switched
// on only when a trace will be shown, so exploration pays nothing for it.
#pragma once

#include <string>
#include <vector>

#include "src/core/time.h"
#include "src/core/tracer.h"

namespace loopcheck {

struct TraceLine {
  Nanos time = 0;
  Component component = Component::loop;
  std::string text;
};

class TraceRecorder final : public Tracer {
 public:
  TraceRecorder(const Clock& clock, bool enabled) : clock_(clock), enabled_(enabled) {}
  bool enabled() const override { return enabled_; }
  void record(Component component, std::string text) override;
  const std::vector<TraceLine>& lines() const { return lines_; }
  std::vector<TraceLine> take() { return std::move(lines_); }

 private:
  const Clock& clock_;
  bool enabled_;
  std::vector<TraceLine> lines_;
};

// "  12  t=0.000130s  transport  fd 3: close (buffer 0)"
std::string format_trace(const std::vector<TraceLine>& lines);
std::string format_time(Nanos t);

}  // namespace loopcheck
