#include "model/engines/reproducer.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"

namespace loopcheck {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != ',') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

// "preempt 1/2"
std::optional<std::string> parse_choice(std::string_view line, ChoiceRecord& out) {
  auto words = split_words(line);
  if (words.size() != 2) return "a choice line is '<kind> <value>/<range>'";
  if (!parse_choice_kind(words[0], out.kind)) {
    return "unknown choice kind '" + std::string(words[0]) + "'";
  }
  std::size_t slash = words[1].find('/');
  if (slash == std::string_view::npos || !parse_number(words[1].substr(0, slash), out.value) ||
      !parse_number(words[1].substr(slash + 1), out.range)) {
    return "'" + std::string(words[1]) + "' is not <value>/<range>";
  }
  if (out.range < 2 || out.value >= out.range) {
    return "choice value " + std::to_string(out.value) + " is outside [0, " +
           std::to_string(out.range) + ")";
  }
  return std::nullopt;
}

}  // namespace

std::string write_reproducer(const Reproducer& r) {
  std::string out = "# loopcheck reproducer: replay with `" + r.program + " replay <this file>`\n";
  // The note is a violation message, which a user's oracle may write over several lines: every
  // line stays a comment.
  for (std::size_t start = 0; start < r.note.size();) {
    std::size_t end = std::min(r.note.find('\n', start), r.note.size());
    out += "# " + r.note.substr(start, end - start) + "\n";
    start = end + 1;
  }
  out += "version: 1\n";
  out += "program: " + r.program + "\n";
  out += "scenario: " + r.scenario + "\n";
  std::string params;
  for (const auto& [key, value] : r.params) {
    params += (params.empty() ? "" : " ") + key + "=" + std::to_string(value);
  }
  out += "params: " + params + "\n";
  std::string bugs;
  for (const std::string& bug : r.bugs) bugs += (bugs.empty() ? "" : " ") + bug;
  out += "bugs: " + bugs + "\n";
  if (r.max_steps) out += "max-steps: " + std::to_string(r.max_steps) + "\n";
  out += "expect: " + (r.expect ? std::string(oracle_id(*r.expect)) : std::string("pass")) + "\n";
  out += "engine: " + r.engine + "\n";
  out += "choices:\n";
  for (const ChoiceRecord& c : r.choices) {
    out += std::string(choice_kind_name(c.kind)) + " " + std::to_string(c.value) + "/" +
           std::to_string(c.range) + "\n";
  }
  return out;
}

std::variant<Reproducer, ReproducerError> parse_reproducer(std::string_view text) {
  Reproducer r;
  bool in_choices = false;
  bool saw_version = false;
  std::size_t scenario_line = 0;
  std::size_t params_line = 0;
  std::size_t bugs_line = 0;
  std::size_t line_no = 0;
  std::set<std::string> seen_keys;
  auto error = [&](std::string message) { return ReproducerError{line_no, std::move(message)}; };
  while (!text.empty()) {
    ++line_no;
    std::size_t eol = text.find('\n');
    std::string_view line = trim(text.substr(0, eol));
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (line.empty() || line.front() == '#') continue;
    if (in_choices) {
      ChoiceRecord choice;
      if (auto bad = parse_choice(line, choice)) return error(*bad);
      r.choices.push_back(choice);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return error("expected 'key: value', got '" + std::string(line) + "'");
    std::string_view key = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (!seen_keys.insert(std::string(key)).second) {
      return error("'" + std::string(key) + "' appears twice");
    }
    if (key == "version") {
      if (value != "1") return error("unsupported version '" + std::string(value) + "' (this build reads 1)");
      saw_version = true;
    } else if (key == "program") {
      if (value.empty()) return error("program: names the binary that wrote this file");
      r.program = std::string(value);
    } else if (key == "scenario") {
      r.scenario = std::string(value);
      scenario_line = line_no;
    } else if (key == "params") {
      for (std::string_view word : split_words(value)) {
        std::size_t eq = word.find('=');
        std::int64_t number = 0;
        if (eq == std::string_view::npos || !parse_number(word.substr(eq + 1), number)) {
          return error("parameter '" + std::string(word) + "' is not name=integer");
        }
        r.params[std::string(word.substr(0, eq))] = number;
      }
      params_line = line_no;
    } else if (key == "bugs") {
      for (std::string_view word : split_words(value)) r.bugs.emplace_back(word);
      bugs_line = line_no;
    } else if (key == "max-steps") {
      if (!parse_number(value, r.max_steps) || r.max_steps == 0) return error("max-steps must be a positive integer");
    } else if (key == "expect") {
      if (value != "pass") {
        r.expect = parse_oracle(value);
        if (!r.expect) return error("expect must be 'pass' or an oracle id O1..O10, got '" + std::string(value) + "'");
      }
    } else if (key == "engine") {
      r.engine = std::string(value);
    } else if (key == "choices") {
      if (!value.empty()) return error("choices: starts the choice list; put each choice on its own line");
      in_choices = true;
    } else {
      return error("unknown key '" + std::string(key) + "'");
    }
  }
  line_no = 0;
  if (!saw_version) return error("missing 'version: 1'");
  if (r.scenario.empty()) return error("missing 'scenario:'");
  if (!in_choices) return error("missing 'choices:' section");
  // Names this program does not know: when another program wrote the file, say which.
  auto unknown = [&](std::size_t line, const std::string& what) {
    line_no = line;
    if (r.program != program_name()) {
      return error(what + ": this file was written by '" + r.program + "', which knows scenarios and " +
                   "switches that '" + program_name() + "' does not; replay it with `" + r.program +
                   " replay <file>`");
    }
    return error(what + " (see `" + program_name() + " list`)");
  };
  if (!find_scenario(r.scenario)) return unknown(scenario_line, "unknown scenario '" + r.scenario + "'");
  for (const std::string& bug : r.bugs) {
    if (!find_bug(bug)) return unknown(bugs_line, "unknown bug switch '" + bug + "'");
  }
  Params merged;
  if (auto bad = merge_params(*find_scenario(r.scenario), r.params, merged)) {
    line_no = params_line ? params_line : scenario_line;
    return error(*bad);
  }
  return r;
}

std::variant<RunSpec, std::string> reproducer_spec(const Reproducer& r) {
  const Scenario* scenario = find_scenario(r.scenario);
  if (!scenario) return "unknown scenario '" + r.scenario + "'";
  RunSpec spec = RunSpec::defaults(*scenario);
  if (auto bad = merge_params(*scenario, r.params, spec.params)) return *bad;
  for (const std::string& id : r.bugs) {
    const CatalogEntry* entry = find_bug(id);
    if (!entry) return "unknown bug switch '" + id + "'";
    set_switch(spec.bugs, *entry);
  }
  if (r.max_steps) spec.bounds.max_steps = r.max_steps;
  return spec;
}

Reproducer reproducer_from_run(const RunSpec& spec, const RunResult& run, std::string engine) {
  Reproducer r;
  r.scenario = std::string(spec.scenario->name());
  r.params = spec.params;
  for (const CatalogEntry& entry : catalog()) {
    if (switch_on(spec.bugs, entry)) r.bugs.emplace_back(entry.id);
  }
  r.max_steps = spec.bounds.max_steps;
  if (run.violation) {
    r.expect = run.violation->oracle;
    r.note = std::string(oracle_id(run.violation->oracle)) + " at step " +
             std::to_string(run.violation->step) + ": " + run.violation->message;
  }
  r.engine = std::move(engine);
  r.program = program_name();
  r.choices = run.choices;
  return r;
}

}  // namespace loopcheck
