// loopcheck as a program of your own, in the spirit of gtest_main: a user's binary calls
// loopcheck_main with its scenarios (and, if it has them, its own catalog switches), and gets
// every subcommand of the stock CLI (list, explore, run, replay, hunt, bench, real) over those
// plus the built-in ones. Reproducers it writes name the binary, so replay goes back to it.
//
//   int main(int argc, char** argv) {
//     return loopcheck::loopcheck_main(argc, argv, {&my_scenario()}, {my_switch()});
//   }
#pragma once

#include <vector>

#include "model/oracles/catalog.h"
#include "model/world/scenario.h"

namespace loopcheck {

// Returns the exit code: 0 clean, 1 a violation or a replay mismatch, 2 bad input (including a
// scenario that cannot be set up, or a duplicate scenario or switch name).
int loopcheck_main(int argc, char** argv, const std::vector<const Scenario*>& scenarios = {},
                   const std::vector<CatalogEntry>& switches = {});

}  // namespace loopcheck
