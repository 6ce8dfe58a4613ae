#include "fuzz/fuzz_driver.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "model/engines/byte_choice_source.h"
#include "model/oracles/catalog.h"
#include "model/engines/reproducer.h"
#include "model/engines/run.h"
#include "model/engines/shrink.h"
#include "model/scenarios/registry.h"

namespace loopcheck::fuzz {
namespace {

struct Target {
  std::vector<const Scenario*> scenarios;
  BugSet bugs;
};

Target& target() {
  static Target instance;  // set once in initialize(), read-only afterwards
  return instance;
}

}  // namespace

void initialize(std::string_view family) {
  Target& t = target();
  for (const Scenario* s : all_scenarios()) {
    if (s->family() == family) t.scenarios.push_back(s);
  }
  if (t.scenarios.empty()) {
    std::fprintf(stderr, "fuzz: no scenario in family '%.*s'\n", static_cast<int>(family.size()),
                 family.data());
    std::abort();
  }
  const char* bugs = std::getenv("LOOPCHECK_FUZZ_BUGS");
  std::string_view rest = bugs ? bugs : "";
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view id = rest.substr(0, comma);
    const CatalogEntry* entry = find_bug(id);
    if (!entry) {
      std::fprintf(stderr, "fuzz: unknown bug switch '%.*s' in LOOPCHECK_FUZZ_BUGS\n",
                   static_cast<int>(id.size()), id.data());
      std::exit(2);
    }
    // A switch no scenario of this target reaches would fuzz the fixed code under its name.
    bool reached = false;
    for (const Scenario* s : t.scenarios) reached = reached || !unreachable_switch(*entry, *s);
    if (!reached) {
      std::fprintf(stderr, "fuzz: LOOPCHECK_FUZZ_BUGS: %s\n", unreachable_switch(*entry, *t.scenarios.front())->c_str());
      std::exit(2);
    }
    set_switch(t.bugs, *entry);
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
}

int run_one_input(const std::uint8_t* data, std::size_t size) {
  const Target& t = target();
  if (size == 0) return 0;
  const Scenario& scenario = *t.scenarios[data[0] % t.scenarios.size()];
  RunSpec spec = RunSpec::defaults(scenario);
  spec.bugs = t.bugs;
  ByteChoiceSource source(data + 1, size - 1, spec.bounds);
  RunResult run = execute_with(spec, source, false);
  if (run.verdict != Verdict::violation) return 0;
  ShrinkResult shrunk = shrink(spec, run);
  RunResult traced = execute(shrunk.spec, shrunk.run.choices, true, true);
  std::fprintf(stderr, "%s", format_trace(traced.trace).c_str());
  std::fprintf(stderr, "\n--- reproducer ---\n%s",
               write_reproducer(reproducer_from_run(shrunk.spec, traced, "libfuzzer")).c_str());
  std::abort();
}

}  // namespace loopcheck::fuzz
