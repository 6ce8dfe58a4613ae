#include "model/apps/app_action.h"

#include <string>

namespace loopcheck {

std::uint32_t choose_app_action(SimWorld& world, std::uint32_t n, const char* where,
                                const char* const* action_names) {
  std::uint32_t action = world.choices().choose(n, ChoiceKind::app_action);
  if (action != 0 && world.monitor().tracing()) {
    world.monitor().note(Component::protocol, std::string("app in ") + where + ": " + action_names[action]);
  }
  return action;
}

}  // namespace loopcheck
