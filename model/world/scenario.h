// A scenario builds one small world: sockets, scripted peers, transports and the application
// protocols that drive them, plus the obligations that must be met by quiescence. Everything it
// varies between runs is a choice or a parameter, never hidden state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/world/fake_kernel.h"

namespace loopcheck {

class SimWorld;

using Params = std::map<std::string, std::int64_t>;

// Exploration bounds. Preemptions and faults count non-default choices of those kinds.
struct Bounds {
  std::size_t max_steps = 400;
  int max_preemptions = 1;
  int max_faults = 0;
  int max_deviations = 1 << 30;  // preemptions + faults together (iterative deepening)
};

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  virtual std::string_view family() const = 0;  // "selector stream", "selector datagram"
  virtual Params default_params() const { return {}; }
  virtual Bounds default_bounds() const { return {}; }
  virtual KernelConfig kernel_config(const Params&) const { return {}; }
  virtual void setup(SimWorld& world, const Params& params) const = 0;
};

// Looks a parameter up, falling back to the scenario's default.
std::int64_t param(const Params& params, const std::string& key, std::int64_t fallback);

// Sizes and counts (bytes, chunk, count, high): the parameters that may vary freely without
// changing what the application is entitled to expect. They must be at least 1.
bool is_size_param(const std::string& key);

// Merges user overrides into a scenario's defaults; an unknown key is an error message.
std::optional<std::string> merge_params(const Scenario& scenario, const Params& overrides,
                                        Params& out);

}  // namespace loopcheck
