// `explore --json` and `merge`: an exhaustive exploration (or one share of it) as JSON, and the
// shares' JSON joined into the certificate one run would print. A share's JSON carries the
// options that made it, so `merge` rebuilds the same run spec and refuses shares that differ.
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "model/engines/blame.h"
#include "model/engines/shards.h"
#include "model/engines/stealing.h"
#include "model/scenarios/registry.h"
#include "tools/loopcheck/commands.h"

namespace loopcheck::cli {
namespace {

using json = nlohmann::json;

int fail(const std::string& message) {
  std::cerr << program_name() << ": " << message << "\n";
  return 2;
}

// What rebuilds the run spec: everything of ExploreOptions that changes the tree.
json options_json(const ExploreOptions& o, const ExploreLimits& limits) {
  return json{{"scenario", o.scenario},
              {"bugs", o.bugs},
              {"params", o.params},
              {"disabled_oracles", o.disabled_oracles},
              {"max_depth", o.max_depth},
              {"max_preemptions", o.max_preemptions},
              {"max_faults", o.max_faults},
              {"max_app_actions", o.max_app_actions},
              {"max_schedules", o.max_schedules},
              {"reduce", o.reduce},
              {"no_defer", o.no_defer},
              {"store_states", o.store_states},
              {"por", o.por},
              {"split_depth", limits.split_depth}};
}

json choices_json(const std::vector<ChoiceRecord>& choices) {
  json out = json::array();
  for (const ChoiceRecord& c : choices) out.push_back({std::string(choice_kind_name(c.kind)), c.value, c.range});
  return out;
}

const char* verdict_of(const ExploreResult& result) {
  if (result.counterexample) return "violation";
  return result.stats.complete && result.stats.cut_off == 0 ? "clean" : "incomplete";
}

int exit_code(const ExploreResult& result) {
  if (result.counterexample) return 1;
  return result.stats.complete && result.stats.cut_off == 0 ? 0 : kIncomplete;
}

json result_json(const RunSpec& spec, const ExploreResult& result) {
  const ExploreStats& s = result.stats;
  json out{{"verdict", verdict_of(result)},
           {"certificate", certificate(spec, s, result.counterexample.has_value())},
           {"stats",
            {{"schedules", s.schedules},
             {"cut_off", s.cut_off},
             {"steps", s.steps},
             {"max_depth", s.max_depth},
             {"pruned", s.pruned},
             {"states", s.states},
             {"seconds", s.seconds},
             {"complete", s.complete},
             {"restarted", s.restarted},
             {"preemptions_counted", s.preemptions_counted},
             {"preemption_pass_given_up", s.preemption_pass_given_up},
             {"deferred", s.deferred},
             {"deferral_conflict", s.deferral_conflict ? json(*s.deferral_conflict) : json(nullptr)}}},
           {"counterexample", nullptr},
           {"first_cut_off", nullptr}};
  if (result.counterexample) {
    const RunResult& run = *result.counterexample;
    out["counterexample"] = {{"oracle", std::string(oracle_id(run.violation->oracle))},
                             {"message", run.violation->message},
                             {"step", run.violation->step},
                             {"steps", run.steps},
                             {"choices", choices_json(run.choices)}};
  }
  if (result.first_cut_off) {
    out["first_cut_off"] = {{"choices", choices_json(result.first_cut_off->choices)}};
  }
  return out;
}

// The text a user reads: the verdict and the certificate, as explore prints them, and where a
// counterexample is, the command that shows it.
void print_text(const std::string& scenario, const RunSpec& spec, const ExploreResult& result) {
  std::string verdict = verdict_of(result);
  if (result.counterexample) {
    const RunResult& run = *result.counterexample;
    std::string values;
    for (const ChoiceRecord& c : run.choices) values += (values.empty() ? "" : ",") + std::to_string(c.value);
    std::cout << "verdict: VIOLATION " << oracle_id(run.violation->oracle) << " at step " << run.violation->step
              << ": " << run.violation->message << "\nexplored: " << certificate(spec, result.stats, true)
              << "\nsee it: " << program_name() << " run " << scenario << " --choices " << values
              << " (with the same --bug, --param and bounds)\n";
    return;
  }
  std::cout << "verdict: " << verdict << "\n"
            << (verdict == "clean" ? "certified: " : "explored: ") << certificate(spec, result.stats, false) << "\n";
}

// One share's JSON back into an ExploreResult; the error says what is missing or wrong.
std::optional<std::string> read_result(const json& in, ExploreResult& out) {
  try {
    const json& s = in.at("stats");
    out.stats.schedules = s.at("schedules").get<std::uint64_t>();
    out.stats.cut_off = s.at("cut_off").get<std::uint64_t>();
    out.stats.steps = s.at("steps").get<std::uint64_t>();
    out.stats.max_depth = s.at("max_depth").get<std::size_t>();
    out.stats.pruned = s.at("pruned").get<std::uint64_t>();
    out.stats.states = s.at("states").get<std::uint64_t>();
    out.stats.seconds = s.at("seconds").get<double>();
    out.stats.complete = s.at("complete").get<bool>();
    out.stats.preemptions_counted = s.value("preemptions_counted", false);
    out.stats.preemption_pass_given_up = s.value("preemption_pass_given_up", std::uint64_t{0});
    out.stats.restarted = s.value("restarted", false);
    out.stats.deferred = s.value("deferred", false);
    if (s.contains("deferral_conflict") && s["deferral_conflict"].is_string()) {
      out.stats.deferral_conflict = s["deferral_conflict"].get<std::string>();
    }
    auto read_choices = [](const json& list, std::vector<ChoiceRecord>& choices) -> std::optional<std::string> {
      for (const json& c : list) {
        ChoiceRecord record;
        if (!parse_choice_kind(c.at(0).get<std::string>(), record.kind)) return "unknown choice kind " + c.at(0).dump();
        record.value = c.at(1).get<std::uint32_t>();
        record.range = c.at(2).get<std::uint32_t>();
        choices.push_back(record);
      }
      return std::nullopt;
    };
    if (!in.at("counterexample").is_null()) {
      const json& c = in.at("counterexample");
      RunResult run;
      run.verdict = Verdict::violation;
      auto oracle = parse_oracle(c.at("oracle").get<std::string>());
      if (!oracle) return "unknown oracle " + c.at("oracle").dump();
      run.violation = Violation{*oracle, c.at("message").get<std::string>(), c.at("step").get<std::size_t>()};
      run.steps = c.at("steps").get<std::size_t>();
      if (auto bad = read_choices(c.at("choices"), run.choices)) return bad;
      out.counterexample = std::move(run);
    }
    if (!in.at("first_cut_off").is_null()) {
      const json& c = in.at("first_cut_off");
      RunResult run;
      run.verdict = Verdict::cut_off;
      if (auto bad = read_choices(c.at("choices"), run.choices)) return bad;
      out.first_cut_off = std::move(run);
    }
  } catch (const json::exception& e) {
    return std::string("not the JSON of explore --json: ") + e.what();
  }
  return std::nullopt;
}

ExploreOptions options_from(const json& o) {
  ExploreOptions out;
  out.scenario = o.at("scenario").get<std::string>();
  out.bugs = o.at("bugs").get<std::vector<std::string>>();
  out.params = o.at("params").get<std::vector<std::string>>();
  out.disabled_oracles = o.at("disabled_oracles").get<std::vector<std::string>>();
  out.max_depth = o.at("max_depth").get<std::int64_t>();
  out.max_preemptions = o.at("max_preemptions").get<std::int64_t>();
  out.max_faults = o.at("max_faults").get<std::int64_t>();
  out.max_app_actions = o.at("max_app_actions").get<std::int64_t>();
  out.max_schedules = o.at("max_schedules").get<std::uint64_t>();
  out.reduce = o.at("reduce").get<bool>();
  out.no_defer = o.value("no_defer", false);
  out.store_states = o.value("store_states", std::string("every-step"));
  out.por = o.at("por").get<bool>();
  out.split_depth = o.at("split_depth").get<std::uint32_t>();
  return out;
}

json ids_json(const std::vector<const CatalogEntry*>& entries) {
  json out = json::array();
  for (const CatalogEntry* entry : entries) out.push_back(std::string(entry->id));
  return out;
}

// Several switches on: what the counterexample shown (the shortest, else the first) needs, and
// the rounds peeled after it, as the text output tells them (model/engines/blame.h).
json blame_json(const Peeling& peeling) {
  json out{{"causes", ids_json(peeling.shown.switches)},
           {"each_needed", peeling.shown.each_needed},
           {"no_part", ids_json(peeling.idle)},
           {"peeled", json::array()},
           {"rest", nullptr}};
  if (!peeling.rest) return out;
  for (const PeeledFinding& finding : peeling.rest->findings) {
    const RunResult& run = finding.counterexample;
    out["peeled"].push_back({{"switches_on", ids_json(switches_on(finding.spec))},
                             {"causes", ids_json(finding.causes.switches)},
                             {"each_needed", finding.causes.each_needed},
                             {"oracle", std::string(oracle_id(run.violation->oracle))},
                             {"message", run.violation->message},
                             {"steps", run.steps},
                             {"choices", choices_json(run.choices)}});
  }
  out["rest"] = {{"switches_on", ids_json(switches_on(peeling.rest->last_spec))},
                 {"verdict", verdict_of(peeling.rest->last)}};
  return out;
}

}  // namespace

int print_exploration(const ExploreOptions& o, const RunSpec& spec, const ExploreLimits& limits) {
  ExploreResult result = o.jobs > 1 ? explore_parallel(spec, limits, o.jobs) : explore_exhaustive(spec, limits);
  json out = result_json(spec, result);
  out["options"] = options_json(o, limits);
  // The whole tree's shortest counterexample, as the text output shows it: not a share's to
  // say (merge keeps the first one in DFS order).
  out["shortest"] = nullptr;
  std::optional<RunResult> shortest_run;
  if (result.counterexample && limits.shards == 1 && !o.first) {
    ExploreResult shortest = shortest_counterexample(spec, limits);
    if (shortest.counterexample) {
      const RunResult& run = shortest_run.emplace(*shortest.counterexample);
      out["shortest"] = {{"oracle", std::string(oracle_id(run.violation->oracle))},
                         {"message", run.violation->message},
                         {"steps", run.steps},
                         {"choices", choices_json(run.choices)},
                         {"seconds", shortest.stats.seconds},
                         {"schedules", shortest.stats.schedules}};
    }
  }
  out["blame"] = nullptr;
  if (result.counterexample && limits.shards == 1 && switches_on(spec).size() > 1) {
    const RunResult& shown = shortest_run ? *shortest_run : *result.counterexample;
    out["blame"] = blame_json(blame_and_peel(spec, shown, limits));
  }
  out["shard"] = limits.shard;
  out["shards"] = limits.shards;
  std::cout << out.dump(1) << "\n";
  return exit_code(result);
}

int run_merge(const MergeOptions& m) {
  if (m.files.empty()) return fail("merge: give the shares' JSON files (explore --shard I/N --json)");
  std::optional<json> options;
  std::uint32_t shards = 0;
  std::map<std::uint32_t, std::string> seen;  // share -> file
  std::vector<ExploreResult> parts;
  for (const std::string& file : m.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail("merge: cannot read " + file);
    json doc = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return fail("merge: " + file + " is not JSON");
    if (!doc.contains("options") || !doc.contains("shard") || !doc.contains("shards") ||
        !doc["shard"].is_number_unsigned() || !doc["shards"].is_number_unsigned()) {
      return fail("merge: " + file + ": not the JSON of explore --shard I/N --json (no options, shard, shards)");
    }
    auto shard = doc["shard"].get<std::uint32_t>();
    auto count = doc["shards"].get<std::uint32_t>();
    if (!options) {
      options = doc["options"];
      shards = count;
    } else if (doc["options"] != *options || count != shards) {
      return fail("merge: " + file + " is a share of a different exploration (options or share count differ from " +
                  m.files.front() + ")");
    }
    if (count == 0 || shard >= count) return fail("merge: " + file + ": share " + std::to_string(shard) + " of " + std::to_string(count));
    if (seen.count(shard)) return fail("merge: share " + std::to_string(shard) + " twice: " + seen[shard] + " and " + file);
    seen[shard] = file;
    ExploreResult part;
    if (auto bad = read_result(doc, part)) return fail("merge: " + file + ": " + *bad);
    parts.push_back(std::move(part));
  }
  if (seen.size() != shards) {
    std::string missing;
    for (std::uint32_t i = 0; i < shards && missing.size() < 200; ++i) {
      if (!seen.count(i)) missing += (missing.empty() ? "" : ", ") + std::to_string(i);
    }
    return fail("merge: " + std::to_string(seen.size()) + " of " + std::to_string(shards) + " shares given; missing " + missing);
  }
  ExploreOptions o;
  try {
    o = options_from(*options);
  } catch (const json::exception& e) {
    return fail("merge: " + m.files.front() + ": its options are not explore's: " + e.what());
  }
  RunSpec spec;
  if (auto bad = check_limits(o)) return fail("merge: " + m.files.front() + ": " + *bad);
  if (auto bad = build_spec(o, spec)) return fail("merge: " + m.files.front() + ": " + *bad);
  ExploreResult total = merge_shards(std::move(parts));
  if (m.json) {
    json out = result_json(spec, total);
    out["options"] = *options;
    out["shard"] = 0;
    out["shards"] = 1;
    out["merged"] = shards;
    std::cout << out.dump(1) << "\n";
  } else {
    std::cout << "merged " << shards << " share(s) of " << o.scenario << "\n";
    if (std::string note = preemption_note(spec, total.stats); !note.empty()) std::cout << "note: " << note << "\n";
    print_text(o.scenario, spec, total);
    if (!total.stats.complete && total.stats.deferral_conflict) std::cout << "note: " << *total.stats.deferral_conflict << "\n";
  }
  return exit_code(total);
}

}  // namespace loopcheck::cli
