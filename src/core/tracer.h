// The trace seam. State machines report what they do through a Tracer so the simulated world can
// print a readable counterexample, while the real world pays only for an enabled() check.
#pragma once

#include <string>
#include <string_view>

namespace loopcheck {

enum class Component { protocol, transport, loop, kernel, peer, choice, oracle };

std::string_view component_name(Component c);

class Tracer {
 public:
  virtual ~Tracer() = default;
  virtual bool enabled() const = 0;
  virtual void record(Component component, std::string text) = 0;
};

class NullTracer final : public Tracer {
 public:
  bool enabled() const override { return false; }
  void record(Component, std::string) override {}
};

}  // namespace loopcheck
