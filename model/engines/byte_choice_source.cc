#include "model/engines/byte_choice_source.h"

namespace loopcheck {

std::uint32_t ByteChoiceSource::take(std::uint32_t n) {
  if (n <= 1 || offset_ >= size_) return 0;
  std::uint32_t raw = data_[offset_++];
  if (n > 256 && offset_ < size_) raw = (raw << 8) | data_[offset_++];
  return raw % n;
}

std::uint32_t ByteChoiceSource::choose(std::uint32_t n, ChoiceKind kind) {
  std::uint32_t value = take(n);
  if (value == 0) return 0;
  if (is_preemption(kind)) {
    if (used_.preemptions >= bounds_.max_preemptions) return 0;
    ++used_.preemptions;
  }
  if (is_app_action(kind)) {
    if (used_.app_actions >= bounds_.max_app_actions) return 0;
    ++used_.app_actions;
  }
  if (is_fault(kind)) {
    if (used_.faults >= bounds_.max_faults) return 0;
    ++used_.faults;
  }
  return value;
}

}  // namespace loopcheck
