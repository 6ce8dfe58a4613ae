// Bytes become choices, FuzzedDataProvider style: each choice consumes one byte (two when the
// range exceeds 256) and takes it modulo the range; once the bytes run out every choice is the
// default. Deviations beyond the scenario's bounds are forced to the default, so the fixed
// transports are never faulted into failures that no real schedule within bounds has.
#pragma once

#include <cstddef>
#include <cstdint>

#include "model/engines/choice_sources.h"
#include "model/world/scenario.h"

namespace loopcheck {

class ByteChoiceSource final : public ChoiceSource {
 public:
  ByteChoiceSource(const std::uint8_t* data, std::size_t size, const Bounds& bounds)
      : data_(data), size_(size), bounds_(bounds) {}
  std::uint32_t choose(std::uint32_t n, ChoiceKind kind) override;
  // For typed decoding ahead of the choices (which scenario, which parameters).
  std::uint32_t take(std::uint32_t n);

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
  Bounds bounds_;
  DeviationCount used_;
};

}  // namespace loopcheck
