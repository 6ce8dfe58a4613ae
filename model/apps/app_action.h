// One decision point of an adversarial application, shared by the stream and datagram ones.
#pragma once

#include <cstdint>

#include "model/world/world.h"

namespace loopcheck {

// Asks the world for an `app_action` among n (0 = do nothing, the default path) and, when the
// run is traced, notes what the app chose and in which callback. Returns the action's index.
std::uint32_t choose_app_action(SimWorld& world, std::uint32_t n, const char* where,
                                const char* const* action_names);

}  // namespace loopcheck
