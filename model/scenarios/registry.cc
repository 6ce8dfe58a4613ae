// The scenario list. Explicit, so the order of `loopcheck list` and of hunt is stable.
// APPEND ONLY within a family: a fuzz input's first byte picks a scenario by its position in
// its family, so reordering would silently change what every fuzz corpus file runs. A user's
// scenarios come after all of these.
#include "model/scenarios/registry.h"

#include "model/scenarios/scenarios.h"

#include <algorithm>

namespace loopcheck {
namespace {

std::vector<const Scenario*>& scenarios() {
  static std::vector<const Scenario*> kAll = {
      &stream_echo_scenario(),         &stream_half_close_scenario(),  &stream_reset_scenario(),
      &stream_resume_close_scenario(), &stream_abort_early_scenario(), &dgram_echo_scenario(),
      &dgram_drain_scenario(),         &dgram_close_queued_scenario(), &dgram_icmp_scenario(),
      &dgram_abort_scenario(),         &stream_two_clients_scenario(),  &proactor_pause_scenario(),
      &proactor_abort_after_close_scenario(), &proactor_abort_mid_stream_scenario(),
      &proactor_send_fails_scenario(),
      &proactor_dgram_echo_scenario(), &proactor_dgram_drain_scenario(), &proactor_dgram_close_queued_scenario(),
      &proactor_dgram_icmp_scenario(), &proactor_dgram_abort_scenario(),
      &selector_stream_adversary_scenario(), &proactor_stream_adversary_scenario(),
      &selector_dgram_adversary_scenario(), &proactor_dgram_adversary_scenario(),
      &selector_dgram_sink_adversary_scenario(),
      &tls_echo_scenario(), &tls_echo_proactor_scenario(), &tls_close_no_notify_scenario(),
      &tls_stalled_handshake_scenario(), &tls_drop_handshake_scenario(), &tls_peer_closes_scenario(),
      &tls_pause_scenario(), &tls_starttls_scenario(), &ssl_adversary_scenario(),
      &ssl_adversary_silent_peer_scenario(), &tls_paused_start_scenario(),
      &start_tls_paused_scenario(), &start_tls_stream_scenario(), &start_tls_server_scenario(),
      &start_tls_adversary_scenario(), &reactor_startup_scenario(), &reactor_adversary_scenario(),
      // Added later, at the end so that fuzz seeds keep their family positions.
      &proactor_half_close_scenario(), &stream_writelines_scenario(), &stream_sendfile_scenario(),
      &stream_sendfile_abort_scenario(),
  };
  return kAll;
}

std::size_t builtin_count() {
  static const std::size_t count = scenarios().size();  // first read: before any add_scenario
  return count;
}

std::string& program() {
  static std::string name = "loopcheck";
  return name;
}

}  // namespace

const std::vector<const Scenario*>& all_scenarios() { return scenarios(); }

std::optional<std::string> add_scenario(const Scenario& scenario) {
  if (scenario.name().empty()) return std::string("a scenario needs a name");
  builtin_count();
  if (find_scenario(scenario.name())) {
    return "scenario '" + std::string(scenario.name()) + "' already exists";
  }
  scenarios().push_back(&scenario);
  return std::nullopt;
}

bool is_builtin(const Scenario& scenario) {
  const auto& all = all_scenarios();
  auto end = all.begin() + static_cast<std::ptrdiff_t>(builtin_count());
  return std::find(all.begin(), end, &scenario) != end;
}

std::optional<std::string> unreachable_switch(const CatalogEntry& entry, const Scenario& scenario) {
  const Scenario* home = find_scenario(entry.scenario);
  if (!home || home->family() == scenario.family()) return std::nullopt;
  for (std::string_view family : scenario.also_reaches()) {
    if (family == home->family()) return std::nullopt;
  }
  return "switch " + std::string(entry.id) + " lives in the " + std::string(home->family()) +
         " family (its scenario is " + std::string(entry.scenario) + "); scenario " +
         std::string(scenario.name()) + " runs the " + std::string(scenario.family()) +
         " family and never reaches it";
}

const std::string& program_name() { return program(); }
void set_program_name(std::string name) { program() = std::move(name); }

const Scenario* find_scenario(std::string_view name) {
  for (const Scenario* scenario : all_scenarios()) {
    if (scenario->name() == name) return scenario;
  }
  return nullptr;
}

}  // namespace loopcheck
