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

// Exploration bounds. Preemptions, faults and app actions count non-default choices of those
// kinds; a certificate names all three.
struct Bounds {
  std::size_t max_steps = 400;
  int max_preemptions = 1;
  int max_faults = 0;
  int max_deviations = 1 << 30;  // every bounded choice together (iterative deepening)
  int max_app_actions = 0;       // calls an adversarial app makes beyond its default path
};

// The values a parameter may take. Every number a user gives (on the command line or in a
// reproducer) is checked against its range, so an absurd value is bad input, never a run that
// overflows, exhausts memory or reports a violation the code does not have.
struct ParamRange {
  std::int64_t min = 0;
  std::int64_t max = 1000000;
  std::string_view unit;  // "bytes", "us" or empty, for messages and `loopcheck list`
};

// The range of the parameter names loopcheck's scenarios share: sizes in bytes, counts, and
// times in microseconds (periods at least 1 us, so a timer can never fire in a zero-time loop).
// Any other name: [0, 1000000]; a scenario of your own may say otherwise (Scenario::param_range).
ParamRange default_param_range(std::string_view key);

std::string describe_timing(const Params& params);  // below, with its contract

class Scenario {
 public:
  virtual ~Scenario() = default;
  virtual std::string_view name() const = 0;
  virtual std::string_view summary() const = 0;
  virtual std::string_view family() const = 0;  // "selector stream", "selector datagram"
  // The families beneath its own whose code it runs too, so their switches are reachable from
  // it (a start_tls scenario runs the SSL protocol over a selector or proactor transport).
  virtual std::vector<std::string_view> also_reaches() const { return {}; }
  virtual Params default_params() const { return {}; }
  virtual ParamRange param_range(std::string_view key) const { return default_param_range(key); }
  // After every value is in range: a combination of parameters that cannot mean what it says
  // (one that another parameter replaces) is bad input, named here, never silently ignored.
  virtual std::optional<std::string> check_params(const Params&) const { return std::nullopt; }
  virtual Bounds default_bounds() const { return {}; }
  virtual KernelConfig kernel_config(const Params&) const { return {}; }
  // What a certificate's timing rests on (describe_timing, unless some timing parameters do
  // not apply with these params).
  virtual std::string timing(const Params& params) const { return describe_timing(params); }
  // True when the tree within the default bounds is too large for plain DFS (an adversarial
  // app multiplies it): hunt and the catalog tests certify it with the fingerprint reduction,
  // whose soundness the catalog tests check against plain DFS at smaller bounds.
  virtual bool explore_with_reduction() const { return false; }
  virtual void setup(SimWorld& world, const Params& params) const = 0;
};

// Looks a parameter up, falling back to the scenario's default.
std::int64_t param(const Params& params, const std::string& key, std::int64_t fallback);

// A delay that is a window, not a value: an app timer (AppTimer) fires anywhere in [lo, hi],
// and when, relative to everything else, is a choice.
struct TimeWindow {
  Nanos lo = 0;
  Nanos hi = 0;
};

// A timing parameter pair: `<base>_us` is the longest delay, `<base>_min_us` the shortest, 0
// meaning half the longest. merge_params has already checked min <= max.
TimeWindow timing_param(const Params& params, const std::string& base);

// What a certificate's timing rests on, from complete params: "app timers anywhere in pause
// 11..15 us; fixed timing bind_after 20 us" (windows, then the time parameters that are single
// values, so that no certificate depends on one silently); empty when there are none.
std::string describe_timing(const Params& params);

// Sizes and counts (bytes, chunk, count, high): the parameters that may vary freely without
// changing what the application is entitled to expect (the shrinker makes them smaller).
bool is_size_param(const std::string& key);

// "bytes=60 [1..1048576 bytes]", for listings and messages.
std::string describe_param(const Scenario& scenario, const std::string& key, std::int64_t value);

// Merges user overrides into a scenario's defaults; an unknown key or a value outside its range
// is an error message.
std::optional<std::string> merge_params(const Scenario& scenario, const Params& overrides,
                                        Params& out);

}  // namespace loopcheck
