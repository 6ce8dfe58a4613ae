// How loopcheck checks the line server: one scenario (a client peer that sends lines in small
// pieces and checks every reply) and one catalog switch (the server's historical mistake).
#pragma once

#include "model/oracles/catalog.h"
#include "model/world/scenario.h"

namespace line_protocol {

// "line-echo": params lines (how many), chunk (bytes per send).
const loopcheck::Scenario& line_echo_scenario();

// "line-split": the server takes every chunk for a line; line-echo finds it (O2).
loopcheck::CatalogEntry line_split_switch();

}  // namespace line_protocol
