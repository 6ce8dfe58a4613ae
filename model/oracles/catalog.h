// The bug catalog: every historical bug rebuilt as a switch, with the facts a reader needs to
// trust the rebuild: where it lived, how it worked, which scenario exposes it, which oracle must
// catch it (the first one listed is the one the catalog tests insist on), and how long its
// shortest counterexample is (checked by a test, so the number cannot go stale).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/oracles/oracle.h"
#include "src/core/bugs.h"

namespace loopcheck {

struct CatalogEntry {
  Bug bug;  // a built-in switch; Bug::kCount for a user's switch, which is known by its id
  std::string_view id;
  std::string_view component;
  std::string_view source;
  std::string_view mechanism;
  std::string_view scenario;
  std::vector<Oracle> oracles;  // first = primary
  std::size_t shortest_steps;   // steps in the shortest counterexample, default bounds (0: unknown)
};

// The built-in entries, then any a user's program added.
const std::vector<CatalogEntry>& catalog();
const CatalogEntry* find_bug(std::string_view id);
const CatalogEntry& catalog_entry(Bug bug);

// A user's own switch joins the catalog: `hunt`, `--bug`, reproducers and the engines treat it
// as they treat the built-in ones. Its strings must outlive the program (literals do). Returns
// an error for an empty or duplicate id, or a built-in `bug` value.
std::optional<std::string> add_catalog_entry(const CatalogEntry& entry);

// Turns the entry's switch on (or off) in a set, and asks whether it is on there.
void set_switch(BugSet& bugs, const CatalogEntry& entry, bool on = true);
bool switch_on(const BugSet& bugs, const CatalogEntry& entry);

}  // namespace loopcheck
