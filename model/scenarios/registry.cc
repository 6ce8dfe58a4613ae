// The scenario list. Explicit, so the order of `loopcheck list` and of hunt is stable.
// APPEND ONLY within a family: a fuzz input's first byte picks a scenario by its position in
// its family, so reordering would silently change what every fuzz corpus file runs.
#include "model/scenario.h"
#include "model/scenarios/scenarios.h"

namespace loopcheck {

const std::vector<const Scenario*>& all_scenarios() {
  static const std::vector<const Scenario*> kAll = {
      &stream_echo_scenario(),         &stream_half_close_scenario(),  &stream_reset_scenario(),
      &stream_resume_close_scenario(), &stream_abort_early_scenario(), &dgram_echo_scenario(),
      &dgram_drain_scenario(),         &dgram_close_queued_scenario(), &dgram_icmp_scenario(),
      &dgram_abort_scenario(),         &stream_two_clients_scenario(),  &proactor_pause_scenario(),
      &proactor_abort_after_close_scenario(), &proactor_abort_mid_stream_scenario(),
      &proactor_send_fails_scenario(),
      &proactor_dgram_echo_scenario(), &proactor_dgram_drain_scenario(), &proactor_dgram_close_queued_scenario(),
      &proactor_dgram_icmp_scenario(), &proactor_dgram_abort_scenario(),
  };
  return kAll;
}

const Scenario* find_scenario(std::string_view name) {
  for (const Scenario* scenario : all_scenarios()) {
    if (scenario->name() == name) return scenario;
  }
  return nullptr;
}

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
