// Reproducer files: text, diffable, one choice per line. The header says what to run and what
// the run must end in; the body is the choice sequence. Replay is strict: a file whose choices
// no longer fit the run is reported as a divergence, never silently re-interpreted.
//
//   # comments and blank lines are ignored
//   version: 1
//   program: loopcheck     (the binary that wrote it; optional, default loopcheck)
//   scenario: dgram-drain
//   params: count=4
//   bugs: dgram-drain
//   max-steps: 300
//   oracles-off: O4        (optional: oracles the run had switched off)
//   expect: O10            (or: pass)
//   engine: exhaustive
//   choices:
//   preempt 1/2
//   deliver 0/3
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/engines/choice_sources.h"
#include "model/oracles/oracle.h"
#include "model/engines/run.h"
#include "model/world/scenario.h"

namespace loopcheck {

struct Reproducer {
  std::string program = "loopcheck";  // the binary whose scenarios and switches it names
  std::string scenario;
  Params params;                   // only the overrides given in the file
  std::vector<std::string> bugs;
  std::size_t max_steps = 0;       // 0 = the scenario's default
  std::vector<Oracle> oracles_off; // --disable-oracle: replay judges with the same oracles
  std::optional<Oracle> expect;    // empty = the run must pass
  std::string engine = "manual";
  std::string note;                // written as a comment: the violation message
  std::vector<ChoiceRecord> choices;
};

struct ReproducerError {
  std::size_t line = 0;  // 1-based; 0 = the file as a whole
  std::string message;
};

std::string write_reproducer(const Reproducer& reproducer);
std::variant<Reproducer, ReproducerError> parse_reproducer(std::string_view text);

// Builds the run the reproducer describes; an error names what is unknown.
std::variant<RunSpec, std::string> reproducer_spec(const Reproducer& reproducer);
Reproducer reproducer_from_run(const RunSpec& spec, const RunResult& run, std::string engine);

}  // namespace loopcheck
