// How results look to a person: the numbered trace, the sequence chart, the hunt table.
#pragma once

#include <string>
#include <vector>

#include "model/engines/hunt.h"
#include "model/engines/run.h"
#include "model/world/trace.h"

namespace loopcheck::cli {

// Columns protocol | transport | loop | kernel | peer, one event per row, choices marked.
std::string sequence_chart(const std::vector<TraceLine>& lines);
std::string hunt_table(const HuntReport& report);
std::string hunt_json(const HuntReport& report);
std::string describe_violation(const Violation& violation);

}  // namespace loopcheck::cli
