#include "model/world/trace.h"

#include <cstdio>

namespace loopcheck {

void TraceRecorder::record(Component component, std::string text) {
  if (enabled_) lines_.push_back(TraceLine{step_, clock_.now(), component, std::move(text)});
}

std::string format_time(Nanos t) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%06llds", static_cast<long long>(t / kSecond),
                static_cast<long long>((t % kSecond) / kMicrosecond));
  return buf;
}

std::string format_trace(const std::vector<TraceLine>& lines) {
  std::string out;
  char prefix[64];
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const TraceLine& line = lines[i];
    bool first_of_step = i == 0 || lines[i - 1].step != line.step;
    std::string step = first_of_step ? std::to_string(line.step) : "";
    std::snprintf(prefix, sizeof prefix, "%4s  t=%s  %-9s  ", step.c_str(), format_time(line.time).c_str(),
                  std::string(component_name(line.component)).c_str());
    out += prefix;
    out += line.text;
    out += '\n';
  }
  return out;
}

}  // namespace loopcheck
