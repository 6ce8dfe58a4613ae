// The built-in scenarios. Each exposes one catalog bug when its switch is on, or is a clean
// workload that exercises a transport's ordinary paths; the catalog says which is which.
#pragma once

#include "model/world/scenario.h"

namespace loopcheck {

const Scenario& stream_echo_scenario();
const Scenario& stream_two_clients_scenario();
const Scenario& proactor_pause_scenario();
const Scenario& proactor_abort_after_close_scenario();
const Scenario& proactor_abort_mid_stream_scenario();
const Scenario& proactor_send_fails_scenario();
const Scenario& proactor_half_close_scenario();
const Scenario& stream_writelines_scenario();
const Scenario& stream_sendfile_scenario();
const Scenario& stream_sendfile_abort_scenario();
const Scenario& stream_half_close_scenario();
const Scenario& stream_reset_scenario();
const Scenario& stream_resume_close_scenario();
const Scenario& stream_abort_early_scenario();
const Scenario& dgram_echo_scenario();
const Scenario& dgram_drain_scenario();
const Scenario& dgram_close_queued_scenario();
const Scenario& dgram_icmp_scenario();
const Scenario& dgram_abort_scenario();
const Scenario& proactor_dgram_echo_scenario();
const Scenario& proactor_dgram_drain_scenario();
const Scenario& proactor_dgram_close_queued_scenario();
const Scenario& proactor_dgram_icmp_scenario();
const Scenario& proactor_dgram_abort_scenario();
const Scenario& selector_stream_adversary_scenario();
const Scenario& proactor_stream_adversary_scenario();
const Scenario& selector_dgram_adversary_scenario();
const Scenario& proactor_dgram_adversary_scenario();
const Scenario& selector_dgram_sink_adversary_scenario();
const Scenario& tls_echo_scenario();
const Scenario& tls_echo_proactor_scenario();
const Scenario& tls_close_no_notify_scenario();
const Scenario& tls_stalled_handshake_scenario();
const Scenario& tls_drop_handshake_scenario();
const Scenario& tls_peer_closes_scenario();
const Scenario& tls_pause_scenario();
const Scenario& tls_paused_start_scenario();
const Scenario& tls_starttls_scenario();
const Scenario& ssl_adversary_scenario();
const Scenario& ssl_adversary_silent_peer_scenario();
const Scenario& start_tls_paused_scenario();
const Scenario& start_tls_stream_scenario();
const Scenario& start_tls_server_scenario();
const Scenario& start_tls_adversary_scenario();
const Scenario& reactor_startup_scenario();
const Scenario& reactor_adversary_scenario();

}  // namespace loopcheck
