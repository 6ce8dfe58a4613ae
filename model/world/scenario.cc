#include "model/world/scenario.h"

namespace loopcheck {

std::int64_t param(const Params& params, const std::string& key, std::int64_t fallback) {
  auto it = params.find(key);
  return it == params.end() ? fallback : it->second;
}

bool is_size_param(const std::string& key) {
  return key == "bytes" || key == "chunk" || key == "count" || key == "high";
}

std::optional<std::string> merge_params(const Scenario& scenario, const Params& overrides,
                                        Params& out) {
  out = scenario.default_params();
  for (const auto& [key, value] : overrides) {
    if (!out.count(key)) {
      std::string known;
      for (const auto& [k, v] : out) known += (known.empty() ? "" : ", ") + k;
      return "scenario " + std::string(scenario.name()) + " has no parameter '" + key +
             "' (known: " + (known.empty() ? "none" : known) + ")";
    }
    // Sizes and counts of zero make no workload (a zero chunk never finishes writing).
    bool positive = is_size_param(key);
    if (value < (positive ? 1 : 0)) {
      return "parameter '" + key + "' must be " + (positive ? "at least 1" : "non-negative");
    }
    out[key] = value;
  }
  return std::nullopt;
}

}  // namespace loopcheck
