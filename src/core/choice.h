// Every nondeterministic decision is a choice asked of a ChoiceSource. The kind says what the
// decision is about, so engines can bound faults and preemptions and traces can explain choices.
#pragma once

#include <cstdint>
#include <string_view>

namespace loopcheck {

enum class ChoiceKind : std::uint8_t {
  preempt,      // a kernel or peer event happens before the next loop callback (0 = no)
  deliver,      // the loop is idle: which pending event (or timer) happens next
  event_order,  // order of events returned together by one poll
  size,         // a scenario size: payload length, chunking
  cancel_race,  // a cancel that meets an operation in progress: it completes, or is aborted
  app_action,   // the application calls into its transport now (0 = it does nothing)
  fault_short_write,
  fault_short_read,
  fault_reset,
  fault_drop,
  fault_submit,  // completion mode: a submission fails at once
};

constexpr int kChoiceKindCount = 11;

std::string_view choice_kind_name(ChoiceKind kind);
bool parse_choice_kind(std::string_view name, ChoiceKind& out);

// Faults and preemptions are the choices that engines bound; value 0 is always "no deviation".
constexpr bool is_fault(ChoiceKind kind) { return kind >= ChoiceKind::fault_short_write; }
constexpr bool is_preemption(ChoiceKind kind) { return kind == ChoiceKind::preempt; }
// An adversarial application's calls are bounded too (a budget of app actions).
constexpr bool is_app_action(ChoiceKind kind) { return kind == ChoiceKind::app_action; }
constexpr bool is_bounded(ChoiceKind kind) {
  return is_fault(kind) || is_preemption(kind) || is_app_action(kind);
}

// One option of a scheduling choice, as partial-order reductions see it: who acts, and which
// two sockets (fds) it may touch. fd -2 means "may touch anything" (the loop, a timer, an event
// whose effect is not local); due_now is false when taking it would move the clock. deferred:
// the world defers this event until the loop is idle (model/world/deferral.h): a search need
// not take it here.
struct ChoiceOption {
  std::uint32_t actor = 0;
  int fd_a = -2;
  int fd_b = -2;
  bool due_now = false;
  bool deferred = false;
};

// Two options commute when both are due now and touch disjoint sockets.
bool independent(const ChoiceOption& a, const ChoiceOption& b);

class ChoiceSource {
 public:
  virtual ~ChoiceSource() = default;
  // Returns a value in [0, n). Callers ask only when n >= 2, so every recorded choice is real.
  virtual std::uint32_t choose(std::uint32_t n, ChoiceKind kind) = 0;
  // The same decision, with a stable identity for each option (who would act: the loop, a
  // timer, a link, a peer). Schedulers that reason about actors, such as PCT, use the ids;
  // everyone else just picks an index.
  virtual std::uint32_t choose_among(const std::uint32_t* ids, std::uint32_t n, ChoiceKind kind) {
    (void)ids;
    return choose(n, kind);
  }
  // The richest form, for reductions that reason about independence. Defaults to the above.
  virtual std::uint32_t choose_option(const ChoiceOption* options, std::uint32_t n, ChoiceKind kind);
  // The options deferred at the last choose_option turned out to matter (the step taken there
  // depends on them): a search must explore them after all. False when it no longer can.
  virtual bool undefer_last_option() { return false; }
};

// For the real world: always the first option (kernel order, no fault).
class FirstChoice final : public ChoiceSource {
 public:
  std::uint32_t choose(std::uint32_t, ChoiceKind) override { return 0; }
};

}  // namespace loopcheck
