// Your own loopcheck: every subcommand (list, explore, run, replay, hunt, bench) over the line
// protocol's scenario and switch, plus the built-in ones.
#include "line_scenario.h"
#include "tools/loopcheck/cli.h"

int main(int argc, char** argv) {
  return loopcheck::loopcheck_main(argc, argv, {&line_protocol::line_echo_scenario()},
                                   {line_protocol::line_split_switch()});
}
