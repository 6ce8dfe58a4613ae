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
    case Component::oracle: return -1;  // a row of its own, never cut
  }
  return 2;
}

// Splits text into pieces of at most `width` characters, breaking after a space when one is
// near the end: every character is shown, nothing is cut with a "~".
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> pieces;
  std::size_t at = 0;
  while (text.size() - at > width) {
    std::size_t cut = text.rfind(' ', at + width);
    if (cut == std::string::npos || cut <= at + width / 2) {
      cut = at + width;
    } else {
      ++cut;  // keep the space on this piece
    }
    pieces.push_back(text.substr(at, cut - at));
    at = cut;
  }
  pieces.push_back(text.substr(at));
  return pieces;
}

std::string fixed(double value, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

}  // namespace

// At most kChartWidth columns: only the components that appear in the trace get a column, and
// a long event wraps onto the next rows of its column. An oracle's line spans the whole width.
std::string sequence_chart(const std::vector<TraceLine>& lines) {
  constexpr std::size_t kChartWidth = 100;
  constexpr std::size_t kPrefix = 16;  // "NNNN 0.000000s  "
  const char* heads[] = {"protocol", "transport", "loop / choice", "kernel", "peer"};
  bool used[5] = {};
  for (const TraceLine& line : lines) {
    if (int c = column_of(line.component); c >= 0) used[c] = true;
  }
  std::vector<int> columns;
  for (int c = 0; c < 5; ++c) {
    if (used[c]) columns.push_back(c);
  }
  if (columns.empty()) columns.push_back(0);
  const std::size_t cell = (kChartWidth - kPrefix) / columns.size() - 2;
  auto row_of = [&](const std::string& prefix, int column, const std::string& text) {
    std::string row = prefix;
    row.resize(kPrefix, ' ');
    for (int c : columns) {
      std::string content = c == column ? text : std::string();
      content.resize(cell, ' ');
      row += "| " + content;
    }
    while (!row.empty() && row.back() == ' ') row.pop_back();
    return row + "\n";
  };
  std::string out;
  {
    std::string head(kPrefix, ' ');
    head.replace(0, 14, "step  time    ");
    for (int c : columns) {
      std::string name = heads[c];
      name.resize(cell, ' ');
      head += "| " + name;
    }
    while (!head.empty() && head.back() == ' ') head.pop_back();
    out += head + "\n" + std::string(kChartWidth, '-') + "\n";
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const TraceLine& line = lines[i];
    char prefix[40];
    bool first_of_step = i == 0 || lines[i - 1].step != line.step;
    std::string step = first_of_step ? std::to_string(line.step) : "";
    std::snprintf(prefix, sizeof prefix, "%4s %s", step.c_str(), format_time(line.time).c_str());
    int column = column_of(line.component);
    if (column < 0) {
      std::vector<std::string> pieces = wrap("!! " + line.text, kChartWidth - kPrefix);
      for (std::size_t k = 0; k < pieces.size(); ++k) {
        std::string row = k == 0 ? prefix : "";
        row.resize(kPrefix, ' ');
        out += row + pieces[k] + "\n";
      }
      continue;
    }
    std::string text = (line.component == Component::choice ? "* " : "") + line.text;
    std::vector<std::string> pieces = wrap(text, cell);
    for (std::size_t k = 0; k < pieces.size(); ++k) out += row_of(k == 0 ? prefix : "", column, pieces[k]);
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
