// The engines as a library, without the CLI: explore every schedule of line-echo within its
// bounds, with the switch on (a violation must be found) and off (the run must certify).
#include <cstdio>

#include "line_scenario.h"
#include "model/engines/exhaustive.h"

int main() {
  using namespace loopcheck;
  RunSpec spec = RunSpec::defaults(line_protocol::line_echo_scenario());

  spec.bugs.set("line-split");
  ExploreResult buggy = explore_exhaustive(spec);
  if (!buggy.counterexample) {
    std::printf("FAIL: line-split was not found\n");
    return 1;
  }
  std::printf("line-split found after %llu schedules: %s\n",
              static_cast<unsigned long long>(buggy.stats.schedules),
              buggy.counterexample->violation->message.c_str());

  spec.bugs.set("line-split", false);
  ExploreResult fixed = explore_exhaustive(spec);
  if (fixed.counterexample || !fixed.stats.complete) {
    std::printf("FAIL: the fixed server was not certified\n");
    return 1;
  }
  std::printf("fixed server certified: %s\n", certificate(spec, fixed.stats, false).c_str());
  return 0;
}
