#include "model/engines/reproducer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
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

// Text from the file, as an error message shows it: quoted, at most 40 characters, and any
// byte that is not printable ASCII escaped, so a binary or huge line cannot flood a terminal.
std::string quote(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < kShown; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  out += "'";
  if (text.size() > kShown) out += " (" + std::to_string(text.size()) + " bytes, the first " + std::to_string(kShown) + " shown)";
  return out;
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
    return "unknown choice kind " + quote(words[0]);
  }
  std::size_t slash = words[1].find('/');
  if (slash == std::string_view::npos || !parse_number(words[1].substr(0, slash), out.value) ||
      !parse_number(words[1].substr(slash + 1), out.range)) {
    return quote(words[1]) + " is not <value>/<range>";
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
  if (!r.oracles_off.empty()) {
    std::string off;
    for (Oracle o : r.oracles_off) off += (off.empty() ? "" : " ") + std::string(oracle_id(o));
    out += "oracles-off: " + off + "\n";
  }
  out += "expect: " + (r.expect ? std::string(oracle_id(*r.expect)) : std::string("pass")) + "\n";
  out += "engine: " + r.engine + "\n";
  out += "choices: " + std::to_string(r.choices.size()) + "\n";
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
  std::size_t announced = 0;
  bool announced_given = false;
  std::size_t line_no = 0;
  std::set<std::string> seen_keys;
  auto error = [&](std::string message) { return ReproducerError{line_no, std::move(message)}; };
  while (!text.empty()) {
    ++line_no;
    std::size_t eol = text.find('\n');
    bool unterminated = eol == std::string_view::npos;  // a last line cut short, maybe
    std::string_view line = trim(text.substr(0, eol));
    text.remove_prefix(unterminated ? text.size() : eol + 1);
    if (line.empty() || line.front() == '#') continue;
    if (in_choices) {
      ChoiceRecord choice;
      if (auto bad = parse_choice(line, choice)) {
        return error(unterminated ? "truncated: the last line is cut short (" + *bad + ")" : *bad);
      }
      r.choices.push_back(choice);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return error("expected 'key: value', got " + quote(line));
    std::string_view key = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (!seen_keys.insert(std::string(key)).second) {
      return error(quote(key) + " appears twice");
    }
    if (key == "version") {
      if (value != "1") return error("unsupported version " + quote(value) + " (this build reads 1)");
      saw_version = true;
    } else if (key == "program") {
      // A program name, as a shell would take it: it is printed back in a command line.
      bool plain = !value.empty() && value.size() <= 64 &&
                   std::all_of(value.begin(), value.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
                   });
      if (!plain) return error("program: expects a binary's name (letters, digits, _ - .), got " + quote(value));
      r.program = std::string(value);
    } else if (key == "scenario") {
      r.scenario = std::string(value);
      scenario_line = line_no;
    } else if (key == "params") {
      for (std::string_view word : split_words(value)) {
        std::size_t eq = word.find('=');
        std::int64_t number = 0;
        if (eq == std::string_view::npos || !parse_number(word.substr(eq + 1), number)) {
          return error("parameter " + quote(word) + " is not name=integer");
        }
        r.params[std::string(word.substr(0, eq))] = number;
      }
      params_line = line_no;
    } else if (key == "bugs") {
      for (std::string_view word : split_words(value)) r.bugs.emplace_back(word);
      bugs_line = line_no;
    } else if (key == "oracles-off") {
      for (std::string_view word : split_words(value)) {
        std::optional<Oracle> oracle = parse_oracle(word);
        if (!oracle) return error("oracles-off: " + quote(word) + " is not an oracle id O1..O10");
        r.oracles_off.push_back(*oracle);
      }
    } else if (key == "max-steps") {
      constexpr std::size_t kMaxSteps = 10000000;  // the CLI's --max-depth range
      if (!parse_number(value, r.max_steps) || r.max_steps == 0 || r.max_steps > kMaxSteps) {
        return error("max-steps must be a whole number in [1, " + std::to_string(kMaxSteps) + "], got " + quote(value));
      }
    } else if (key == "expect") {
      if (value != "pass") {
        r.expect = parse_oracle(value);
        if (!r.expect) return error("expect must be 'pass' or an oracle id O1..O10, got " + quote(value));
      }
    } else if (key == "engine") {
      r.engine = std::string(value);
    } else if (key == "choices") {
      // "choices: N" announces how many follow, so a cut-off file says so; older files omit N.
      if (!value.empty() && !parse_number(value, announced)) {
        return error("choices: takes the number of choice lines that follow, got " + quote(value));
      }
      announced_given = !value.empty();
      in_choices = true;
    } else {
      return error("unknown key " + quote(key));
    }
  }
  line_no = 0;
  if (!saw_version) return error("missing 'version: 1'");
  if (r.scenario.empty()) return error("missing 'scenario:'");
  if (!in_choices) return error("missing 'choices:' section");
  if (announced_given && r.choices.size() < announced) {
    return error("truncated: 'choices: " + std::to_string(announced) + "' announces " +
                 std::to_string(announced) + " choices, the file holds " + std::to_string(r.choices.size()));
  }
  if (announced_given && r.choices.size() > announced) {
    return error("'choices: " + std::to_string(announced) + "' announces " + std::to_string(announced) +
                 " choices, the file holds " + std::to_string(r.choices.size()));
  }
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
  if (!find_scenario(r.scenario)) return unknown(scenario_line, "unknown scenario " + quote(r.scenario));
  for (const std::string& bug : r.bugs) {
    if (!find_bug(bug)) return unknown(bugs_line, "unknown bug switch " + quote(bug));
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
    if (auto why = unreachable_switch(*entry, *scenario)) return *why;
    set_switch(spec.bugs, *entry);
  }
  if (r.max_steps) spec.bounds.max_steps = r.max_steps;
  for (Oracle o : r.oracles_off) spec.oracles.set(o, false);
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
  for (std::size_t i = 0; i < kOracleCount; ++i) {
    if (!spec.oracles.on(static_cast<Oracle>(i))) r.oracles_off.push_back(static_cast<Oracle>(i));
  }
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
