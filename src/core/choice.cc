#include "src/core/choice.h"

#include <array>

namespace loopcheck {
namespace {
constexpr std::array<std::string_view, kChoiceKindCount> kNames = {
    "preempt", "deliver", "event_order", "size", "cancel_race", "app_action", "short_write", "short_read", "reset", "drop", "submit_failure"};
}

std::string_view choice_kind_name(ChoiceKind kind) { return kNames[static_cast<int>(kind)]; }

bool independent(const ChoiceOption& a, const ChoiceOption& b) {
  if (!a.due_now || !b.due_now) return false;
  if (a.fd_a == -2 || a.fd_b == -2 || b.fd_a == -2 || b.fd_b == -2) return false;
  for (int x : {a.fd_a, a.fd_b}) {
    if (x >= 0 && (x == b.fd_a || x == b.fd_b)) return false;
  }
  return true;
}

std::uint32_t ChoiceSource::choose_option(const ChoiceOption* options, std::uint32_t n, ChoiceKind kind) {
  std::uint32_t ids[64];
  if (n > 64) return choose(n, kind);
  for (std::uint32_t i = 0; i < n; ++i) ids[i] = options[i].actor;
  return choose_among(ids, n, kind);
}

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
