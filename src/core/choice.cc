#include "src/core/choice.h"

#include <array>

namespace loopcheck {
namespace {
constexpr std::array<std::string_view, kChoiceKindCount> kNames = {
    "preempt", "deliver", "event_order", "size", "short_write", "short_read", "reset", "drop"};
}

std::string_view choice_kind_name(ChoiceKind kind) { return kNames[static_cast<int>(kind)]; }

bool parse_choice_kind(std::string_view name, ChoiceKind& out) {
  for (int i = 0; i < kChoiceKindCount; ++i) {
    if (kNames[i] == name) {
      out = static_cast<ChoiceKind>(i);
      return true;
    }
  }
  return false;
}

}  // namespace loopcheck
