#include "model/world/scenario.h"

namespace loopcheck {

std::int64_t param(const Params& params, const std::string& key, std::int64_t fallback) {
  auto it = params.find(key);
  return it == params.end() ? fallback : it->second;
}

ParamRange default_param_range(std::string_view key) {
  constexpr std::int64_t kMinute = 60 * 1000 * 1000;  // in microseconds
  if (key == "bytes" || key == "high") return {1, 1 << 20, "bytes"};
  if (key == "chunk") return {1, 1 << 16, "bytes"};
  if (key == "count") return {1, 10000, ""};
  if (key == "retries") return {0, 1000, ""};
  if (key == "bind_after_us") return {0, kMinute, "us"};  // a delay, not a period: 0 is "at once"
  if (key.size() > 3 && key.substr(key.size() - 3) == "_us") return {1, kMinute, "us"};
  return {};
}

std::string describe_param(const Scenario& scenario, const std::string& key, std::int64_t value) {
  ParamRange range = scenario.param_range(key);
  return key + "=" + std::to_string(value) + " [" + std::to_string(range.min) + ".." +
         std::to_string(range.max) + (range.unit.empty() ? "" : " " + std::string(range.unit)) + "]";
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
    ParamRange range = scenario.param_range(key);
    if (value < range.min || value > range.max) {
      return "parameter '" + key + "' of scenario " + std::string(scenario.name()) + " must be in [" +
             std::to_string(range.min) + ", " + std::to_string(range.max) + "]" +
             (range.unit.empty() ? "" : " " + std::string(range.unit)) + ", got " + std::to_string(value);
    }
    out[key] = value;
  }
  return std::nullopt;
}

}  // namespace loopcheck
