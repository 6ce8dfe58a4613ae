// The bug catalog: every historical bug rebuilt as a switch, with the facts a reader needs to
// trust the rebuild: where it lived, how it worked, which scenario exposes it, which oracle must
// catch it (the first one listed is the one the catalog tests insist on), and how long its
// shortest counterexample is (checked by a test, so the number cannot go stale).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "model/oracle.h"
#include "src/core/bugs.h"

namespace loopcheck {

struct CatalogEntry {
  Bug bug;
  std::string_view id;
  std::string_view component;
  std::string_view source;
  std::string_view mechanism;
  std::string_view scenario;
  std::vector<Oracle> oracles;  // first = primary
  std::size_t shortest_steps;   // steps in the shortest counterexample, default bounds
};

const std::vector<CatalogEntry>& catalog();
const CatalogEntry* find_bug(std::string_view id);
const CatalogEntry& catalog_entry(Bug bug);

}  // namespace loopcheck
