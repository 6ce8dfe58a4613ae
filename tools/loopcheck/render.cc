#include "tools/loopcheck/render.h"

#include <algorithm>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace loopcheck::cli {
namespace {

int column_of(Component c) {
  switch (c) {
    case Component::protocol: return 0;
    case Component::transport: return 1;
    case Component::loop: return 2;
    case Component::choice: return 2;
    case Component::kernel: return 3;
    case Component::peer: return 4;
    case Component::oracle: return 0;
  }
  return 2;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() > width) s = s.substr(0, width - 1) + "~";
  s.resize(width, ' ');
  return s;
}

std::string fixed(double value, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

}  // namespace

std::string sequence_chart(const std::vector<TraceLine>& lines) {
  constexpr std::size_t kWidth = 30;
  const char* heads[] = {"protocol", "transport", "loop / choice", "kernel", "peer"};
  std::string out = "      time        ";
  for (const char* head : heads) out += "| " + pad(head, kWidth - 2);
  out += "\n" + std::string(18 + 5 * kWidth, '-') + "\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const TraceLine& line = lines[i];
    char prefix[40];
    std::snprintf(prefix, sizeof prefix, "%4zu %-13s", i + 1, format_time(line.time).c_str());
    std::string row = prefix;
    int column = column_of(line.component);
    for (int c = 0; c < 5; ++c) {
      std::string cell;
      if (c == column) cell = (line.component == Component::choice ? "* " : "") + line.text;
      if (line.component == Component::oracle && c == 0) cell = "!! " + line.text;
      row += "| " + pad(cell, kWidth - 2);
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    out += row + "\n";
  }
  return out;
}

std::string describe_violation(const Violation& v) {
  return std::string(oracle_id(v.oracle)) + " (" + std::string(oracle_title(v.oracle)) +
         ") at step " + std::to_string(v.step) + ": " + v.message;
}

std::string hunt_table(const HuntReport& report) {
  std::string out;
  char row[512];
  // Name columns as wide as the longest name, so the table stays a table as the catalog grows.
  int bug_width = 12, scenario_width = 20;
  for (const BugHunt& b : report.bugs) bug_width = std::max(bug_width, static_cast<int>(b.entry->id.size()));
  for (const ScenarioHunt& s : report.scenarios) {
    scenario_width = std::max(scenario_width, static_cast<int>(s.scenario->name().size()));
  }
  std::snprintf(row, sizeof row, "%-*s %-6s %-7s %-11s %9s %10s %8s\n", bug_width, "bug", "found", "oracle",
                "engine", "ms", "schedules", "length");
  out += row;
  for (const BugHunt& b : report.bugs) {
    std::snprintf(row, sizeof row, "%-*s %-6s %-7s %-11s %9s %10llu %8zu\n", bug_width,
                  std::string(b.entry->id).c_str(), b.found ? "yes" : "NO",
                  b.oracle ? std::string(oracle_id(*b.oracle)).c_str() : "-", b.engine.c_str(),
                  fixed(b.seconds * 1000, 2).c_str(), static_cast<unsigned long long>(b.schedules),
                  b.trace_length);
    out += row;
    if (!b.found) out += "    " + b.message + "\n";
    std::string engines = "    engines:";
    for (auto [name, e] : {std::pair<const char*, const EngineHunt*>{"exhaustive", &b.exhaustive},
                           {"random", &b.random}, {"pct", &b.pct}}) {
      char cell[128];
      std::snprintf(cell, sizeof cell, "  %s %s in %llu (%s ms, %zu steps)", name,
                    e->found ? "found" : "MISSED", static_cast<unsigned long long>(e->schedules),
                    fixed(e->seconds * 1000, 2).c_str(), e->trace_length);
      engines += cell;
    }
    out += engines + "\n";
  }
  out += "\n";
  std::snprintf(row, sizeof row, "%-*s %-14s %10s %9s  %s\n", scenario_width, "scenario (fixed)", "verdict",
                "schedules", "ms", "certified");
  out += row;
  for (const ScenarioHunt& s : report.scenarios) {
    std::snprintf(row, sizeof row, "%-*s %-14s %10llu %9s  %s\n", scenario_width,
                  std::string(s.scenario->name()).c_str(), s.verdict.c_str(),
                  static_cast<unsigned long long>(s.schedules), fixed(s.seconds * 1000, 1).c_str(),
                  s.certified.c_str());
    out += row;
  }
  out += report.ok() ? "\nhunt: every bug found, every fixed scenario clean\n"
                     : "\nhunt: FAILED (see the rows marked NO or not clean)\n";
  return out;
}

namespace {
nlohmann::json engine_json(const EngineHunt& e) {
  return {{"found", e.found}, {"seconds", e.seconds}, {"schedules", e.schedules},
          {"trace_length", e.trace_length}};
}
}  // namespace

std::string hunt_json(const HuntReport& report) {
  nlohmann::json out;
  out["bugs"] = nlohmann::json::array();
  for (const BugHunt& b : report.bugs) {
    out["bugs"].push_back({{"id", b.entry->id},
                           {"found", b.found},
                           {"oracle", b.oracle ? nlohmann::json(oracle_id(*b.oracle)) : nlohmann::json()},
                           {"engine", b.engine},
                           {"seconds", b.seconds},
                           {"schedules", b.schedules},
                           {"trace_length", b.trace_length},
                           {"engines", {{"exhaustive", engine_json(b.exhaustive)},
                                        {"random", engine_json(b.random)},
                                        {"pct", engine_json(b.pct)}}}});
  }
  out["scenarios"] = nlohmann::json::array();
  for (const ScenarioHunt& s : report.scenarios) {
    out["scenarios"].push_back({{"name", s.scenario->name()},
                                {"verdict", s.verdict},
                                {"schedules", s.schedules},
                                {"seconds", s.seconds},
                                {"certified", s.certified}});
  }
  out["ok"] = report.ok();
  return out.dump(2) + "\n";
}

}  // namespace loopcheck::cli
