// The oracles (DESIGN.md section 6). Each can be switched off, which is how we check that every
// catalog test really depends on the oracle it names.
#pragma once

#include <bitset>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace loopcheck {

enum class Oracle : std::size_t { O1, O2, O3, O4, O5, O6, O7, O8, O9, O10, kCount };

constexpr std::size_t kOracleCount = static_cast<std::size_t>(Oracle::kCount);

std::string_view oracle_id(Oracle oracle);         // "O1"
std::string_view oracle_title(Oracle oracle);      // "callback grammar"
std::string_view oracle_requirement(Oracle oracle);
std::optional<Oracle> parse_oracle(std::string_view id);

class OracleSet {
 public:
  static OracleSet all() {
    OracleSet set;
    set.bits_.set();
    return set;
  }
  bool on(Oracle o) const { return bits_.test(static_cast<std::size_t>(o)); }
  void set(Oracle o, bool value) { bits_.set(static_cast<std::size_t>(o), value); }

 private:
  std::bitset<kOracleCount> bits_;
};

struct Violation {
  Oracle oracle = Oracle::O1;
  std::string message;
  std::size_t step = 0;
};

}  // namespace loopcheck
