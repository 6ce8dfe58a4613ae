// The catalog's switches, as seen by the state machines. Each is off by default and is read at
// the one place where the historical fix lives. Metadata (mechanism, oracle, scenario) lives in
// model/catalog; src/ only needs to know whether a switch is on.
#pragma once

#include <bitset>
#include <cstddef>

namespace loopcheck {

enum class Bug : std::size_t {
  dgram_drain,
  bpo_27223,
  gh_156512,
  bpo_38471,
  gh_91227,
  bpo_33694,
  bpo_44428,
  twisted_11020,
  bpo_32710,
  kCount,
};

class BugSet {
 public:
  bool on(Bug bug) const { return bits_.test(static_cast<std::size_t>(bug)); }
  void set(Bug bug, bool value = true) { bits_.set(static_cast<std::size_t>(bug), value); }
  bool none() const { return bits_.none(); }

 private:
  std::bitset<static_cast<std::size_t>(Bug::kCount)> bits_;
};

}  // namespace loopcheck
