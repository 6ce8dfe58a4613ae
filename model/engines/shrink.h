// Shrinking: whatever engine found a failure, make it small before a person sees it. Greedy
// passes, repeated until nothing changes: drop each fault and each preemption (set the choice
// to its default), lower every other choice, and shrink the scenario's sizes (halve each
// parameter). A candidate is kept only when the same oracle still fails. The result's choices
// are exactly what its run made, so it replays strictly.
#pragma once

#include "model/engines/run.h"

namespace loopcheck {

struct ShrinkResult {
  RunSpec spec;     // parameters may have shrunk
  RunResult run;    // choices, verdict, steps
  int attempts = 0; // runs tried
};

ShrinkResult shrink(const RunSpec& spec, const RunResult& failing, int max_attempts = 2000);

}  // namespace loopcheck
