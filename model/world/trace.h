// The run's trace: (step, simulated time, component, event) lines. The step is the world's step
// counter, the same number violations, hunt and shrink report as a run's length, so "at step 18"
// points at a line of the trace. Recording is switched on only when a trace will be shown, so
// exploration pays nothing for it.
#pragma once

#include <string>
#include <vector>

#include "src/core/time.h"
#include "src/core/tracer.h"

namespace loopcheck {

struct TraceLine {
  std::size_t step = 0;  // 0: set-up, before the first step
  Nanos time = 0;
  Component component = Component::loop;
  std::string text;
};

class TraceRecorder final : public Tracer {
 public:
  TraceRecorder(const Clock& clock, bool enabled) : clock_(clock), enabled_(enabled) {}
  bool enabled() const override { return enabled_; }
  void record(Component component, std::string text) override;
  void set_step(std::size_t step) { step_ = step; }
  const std::vector<TraceLine>& lines() const { return lines_; }
  std::vector<TraceLine> take() { return std::move(lines_); }

 private:
  const Clock& clock_;
  bool enabled_;
  std::size_t step_ = 0;
  std::vector<TraceLine> lines_;
};

// "  12  t=0.000130s  transport  fd 3: close (buffer 0)": the step number on its first line only.
std::string format_trace(const std::vector<TraceLine>& lines);
std::string format_time(Nanos t);

}  // namespace loopcheck
