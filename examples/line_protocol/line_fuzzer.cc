// A libFuzzer target over line-echo: the fuzzer's bytes are the schedule's choices. With clang,
// link it with -fsanitize=fuzzer; LINE_FUZZ_BUG=1 turns the switch on, and the fuzzer then
// aborts on the first violation with the schedule's trace.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "line_scenario.h"
#include "model/engines/byte_choice_source.h"
#include "model/engines/run.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace loopcheck;
  static const RunSpec spec = [] {
    RunSpec s = RunSpec::defaults(line_protocol::line_echo_scenario());
    if (std::getenv("LINE_FUZZ_BUG")) s.bugs.set("line-split");
    return s;
  }();
  ByteChoiceSource source(data, size, spec.bounds);
  RunResult run = execute_with(spec, source, false);
  if (run.verdict == Verdict::violation) {
    RunResult traced = execute(spec, run.choices, true, true);
    std::fprintf(stderr, "%s", format_trace(traced.trace).c_str());
    std::abort();
  }
  return 0;
}
