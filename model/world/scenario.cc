#include "model/world/scenario.h"

namespace loopcheck {

std::int64_t param(const Params& params, const std::string& key, std::int64_t fallback) {
  auto it = params.find(key);
  return it == params.end() ? fallback : it->second;
}

TimeWindow timing_param(const Params& params, const std::string& base) {
  Nanos hi = param(params, base + "_us", 1) * kMicrosecond;
  Nanos lo = param(params, base + "_min_us", 0) * kMicrosecond;
  if (lo == 0) lo = (hi + 1) / 2;
  return TimeWindow{lo, hi};
}

namespace {
bool ends_with(std::string_view key, std::string_view suffix) {
  return key.size() > suffix.size() && key.substr(key.size() - suffix.size()) == suffix;
}

// "pause_min_us" -> "pause_us"; empty if the key is not the short end of a timing window.
std::string window_upper_key(std::string_view key) {
  constexpr std::string_view kSuffix = "_min_us";
  if (!ends_with(key, kSuffix)) return {};
  return std::string(key.substr(0, key.size() - kSuffix.size())) + "_us";
}

std::string microseconds(Nanos t) {
  std::string whole = std::to_string(t / kMicrosecond);
  Nanos rest = t % kMicrosecond;
  return rest == 0 ? whole : whole + "." + std::to_string(rest / 100);  // timing windows: 0.1 us
}
}  // namespace

std::string describe_timing(const Params& params) {
  std::string windows, fixed;
  for (const auto& [key, value] : params) {
    std::string upper = window_upper_key(key);
    if (!upper.empty()) {
      std::string base = upper.substr(0, upper.size() - 3);  // without "_us"
      TimeWindow window = timing_param(params, base);
      windows += (windows.empty() ? "" : ", ") + base + " " + microseconds(window.lo) + ".." +
                 microseconds(window.hi) + " us";
    } else if (ends_with(key, "_us") && !params.count(key.substr(0, key.size() - 3) + "_min_us")) {
      fixed += (fixed.empty() ? "" : ", ") + key.substr(0, key.size() - 3) + " " + std::to_string(value) + " us";
    }
  }
  std::string out = windows.empty() ? "" : "app timers anywhere in " + windows;
  if (!fixed.empty()) out += (out.empty() ? "" : "; ") + std::string("fixed timing ") + fixed;
  return out;
}

ParamRange default_param_range(std::string_view key) {
  constexpr std::int64_t kMinute = 60 * 1000 * 1000;  // in microseconds
  if (key == "bytes" || key == "high") return {1, 1 << 20, "bytes"};
  if (key == "chunk") return {1, 1 << 16, "bytes"};
  if (key == "request") return {0, 1 << 16, "bytes"};  // an app's first write, none allowed
  if (key == "certs") return {0, 1, ""};  // TLS with certificates (1) or a pre-shared key (0)
  if (key == "tickets") return {0, 4, ""};  // TLS 1.3 session tickets a server sends
  if (key == "count") return {1, 10000, ""};
  if (key == "retries") return {0, 1000, ""};
  if (key == "bind_after_us") return {0, kMinute, "us"};  // a delay, not a period: 0 is "at once"
  if (!window_upper_key(key).empty()) return {0, kMinute, "us"};  // 0: half the longest delay
  if (ends_with(key, "_us")) return {1, kMinute, "us"};
  return {};
}

std::string describe_param(const Scenario& scenario, const std::string& key, std::int64_t value) {
  ParamRange range = scenario.param_range(key);
  std::string upper = window_upper_key(key);
  return key + "=" + std::to_string(value) + " [" + std::to_string(range.min) + ".." +
         std::to_string(range.max) + (range.unit.empty() ? "" : " " + std::string(range.unit)) +
         (upper.empty() ? "" : "; 0 = half of " + upper) + "]";
}

bool is_size_param(const std::string& key) {
  return key == "bytes" || key == "chunk" || key == "count" || key == "high";
}

std::optional<std::string> merge_params(const Scenario& scenario, const Params& overrides,
                                        Params& out) {
  out = scenario.default_params();
  for (const auto& [key, value] : overrides) {
    if (!out.count(key)) {
      std::string known;
      for (const auto& [k, v] : out) known += (known.empty() ? "" : ", ") + k;
      return "scenario " + std::string(scenario.name()) + " has no parameter '" + key +
             "' (known: " + (known.empty() ? "none" : known) + ")";
    }
    ParamRange range = scenario.param_range(key);
    if (value < range.min || value > range.max) {
      return "parameter '" + key + "' of scenario " + std::string(scenario.name()) + " must be in [" +
             std::to_string(range.min) + ", " + std::to_string(range.max) + "]" +
             (range.unit.empty() ? "" : " " + std::string(range.unit)) + ", got " + std::to_string(value);
    }
    out[key] = value;
  }
  for (const auto& [key, lo] : out) {
    std::string upper = window_upper_key(key);
    auto hi = out.find(upper);
    if (upper.empty() || hi == out.end() || lo <= hi->second) continue;
    return "parameters of scenario " + std::string(scenario.name()) + ": " + key + "=" + std::to_string(lo) +
           " is above " + upper + "=" + std::to_string(hi->second) +
           " (a timing window needs its shortest delay no longer than its longest)";
  }
  if (auto bad = scenario.check_params(out)) return "parameters of scenario " + std::string(scenario.name()) + ": " + *bad;
  return std::nullopt;
}

}  // namespace loopcheck
