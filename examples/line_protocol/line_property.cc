// RapidCheck over line-echo: RapidCheck makes the sizes and the schedule, loopcheck runs it with
// every oracle on. The fixed server must hold for every case; with the switch on, the same
// property must fail (a check that cannot fail checks nothing).
#include <rapidcheck.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "line_scenario.h"
#include "model/engines/byte_choice_source.h"
#include "model/engines/run.h"

namespace {

bool holds(bool with_switch) {
  return rc::check(with_switch ? "line-split is caught" : "the line server answers every line",
                   [with_switch](const std::vector<std::uint8_t>& schedule) {
    using namespace loopcheck;
    RunSpec spec = RunSpec::defaults(line_protocol::line_echo_scenario());
    spec.params["lines"] = *rc::gen::inRange(0, 5);
    spec.params["chunk"] = *rc::gen::inRange(1, 12);
    if (with_switch) spec.bugs.set("line-split");
    ByteChoiceSource source(schedule.data(), schedule.size(), spec.bounds);
    RunResult run = execute_with(spec, source, false);
    RC_ASSERT(run.verdict != Verdict::violation);
  });
}

}  // namespace

int main() {
  bool fixed_holds = holds(false);
  bool buggy_holds = holds(true);
  std::printf("fixed: %s; with line-split: %s\n", fixed_holds ? "holds" : "FAILS",
              buggy_holds ? "holds (the property is blind)" : "fails, as it must");
  return fixed_holds && !buggy_holds ? 0 : 1;
}
