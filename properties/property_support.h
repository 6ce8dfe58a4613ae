// What the per-family property suites share: generating a scenario run (sizes and a schedule)
// from RapidCheck, running it, and turning a failure into the trace and reproducer a person
// reads. Shrinking is RapidCheck's: it shrinks the schedule bytes and the sizes together.
#pragma once

#include <ostream>
#include <string_view>

#include "model/oracles/catalog.h"
#include "model/engines/run.h"

namespace loopcheck {
// How RapidCheck prints a generated scenario in a counterexample.
inline void showValue(const Scenario* scenario, std::ostream& os) { os << scenario->name(); }
}  // namespace loopcheck

namespace loopcheck::properties {

// Inside a property: picks a scenario of the family, sizes and a schedule, runs it with the
// given switch (or none), and fails the property on any violation, logging the trace and the
// reproducer of the failing case.
void check_family_run(std::string_view family, const BugSet& bugs);

// How many cases RapidCheck needed to find the switch, or -1 if 1,000 were not enough.
int cases_to_find(const CatalogEntry& entry);

// The other direction, for every catalog switch of the family: RapidCheck must find each within
// 1,000 cases. Fails the enclosing gtest for each one it misses, and prints the counts.
void expect_each_switch_found(std::string_view family);

}  // namespace loopcheck::properties
