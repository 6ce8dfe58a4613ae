#include "tools/loopcheck/commands.h"

#include <algorithm>

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "model/engines/bench.h"
#include "model/engines/blame.h"
#include "model/oracles/catalog.h"
#include "model/engines/exhaustive.h"
#include "model/engines/hunt.h"
#include "model/engines/reproducer.h"
#include "model/engines/run.h"
#include "model/engines/sampling.h"
#include "model/engines/shards.h"
#include "model/engines/shrink.h"
#include "model/engines/stealing.h"
#include "model/world/scenario.h"
#include "tools/loopcheck/render.h"
#include "model/scenarios/registry.h"

namespace loopcheck::cli {
namespace {

constexpr double kSamplingSeconds = 30;  // random and pct, when --max-seconds is not given

int usage_error(const std::string& message) {
  std::cerr << program_name() << ": " << message << "\n";
  return 2;
}

bool added_anything() {
  for (const Scenario* s : all_scenarios()) {
    if (!is_builtin(*s)) return true;
  }
  for (const CatalogEntry& e : catalog()) {
    if (e.bug == Bug::kCount) return true;
  }
  return false;
}

std::string scenario_names() {
  std::string names;
  for (const Scenario* s : all_scenarios()) names += (names.empty() ? "" : ", ") + std::string(s->name());
  return names;
}

std::string bug_names() {
  std::string names;
  for (const CatalogEntry& e : catalog()) names += (names.empty() ? "" : ", ") + std::string(e.id);
  return names;
}

void print_trace(const RunResult& run, bool chart) {
  std::cout << (chart ? sequence_chart(run.trace) : format_trace(run.trace));
}

// <dir>/<scenario>[-<switch>...]-<engine>[-seed<S>].repro, with -2, -3... when that is taken:
// runs of different engines, seeds or switches never write over each other's findings.
std::string fresh_reproducer_path(const ExploreOptions& o, Engine engine) {
  std::string stem = (o.save_dir == "." ? "" : o.save_dir + "/") + o.scenario;
  for (const std::string& bug : o.bugs) stem += "-" + bug;
  stem += "-" + std::string(engine_name(engine));
  if (engine != Engine::exhaustive) stem += "-seed" + std::to_string(o.seed);
  std::error_code ignored;  // a folder that cannot be made shows as "cannot write" below
  std::filesystem::create_directories(o.save_dir, ignored);
  std::string path = stem + ".repro";
  for (int n = 2; std::filesystem::exists(path); ++n) path = stem + "-" + std::to_string(n) + ".repro";
  return path;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  return static_cast<bool>(out);
}

std::string ids(const std::vector<const CatalogEntry*>& entries) {
  std::string text;
  for (const CatalogEntry* entry : entries) text += (text.empty() ? "" : ", ") + std::string(entry->id);
  return text;
}

// Several switches on: the counterexample shown may need only some of them, and the others may
// hide bugs of their own behind it (model/engines/blame.h). Says which it needs, then turns
// those off and explores again, round after round, and prints the order they strike in. A
// peeled finding gets its own reproducer, shrunk; its trace is a replay away.
void print_blame_and_peel(const ExploreOptions& o, const RunSpec& shown_spec, const RunResult& shown,
                          const ExploreLimits& limits) {
  Peeling peeling = blame_and_peel(shown_spec, shown, limits);
  const Blame& causes = peeling.shown;
  std::cout << "\nblame: ";
  if (causes.switches.empty()) {
    std::cout << "the schedule fails with every switch off too: the fixed code fails here\n";
    return;
  }
  std::string oracle(oracle_id(shown.violation->oracle));
  if (causes.each_needed) {
    std::cout << "this schedule needs " << ids(causes.switches) << " (with "
              << (causes.switches.size() > 1 ? "any of them" : "it") << " off, the same choices do not fail on "
              << oracle << ")";
  } else {
    std::cout << "any one of " << ids(causes.switches) << " is enough for this schedule (only with all of them off "
              << "do the same choices not fail on " << oracle << ")";
  }
  const std::vector<const CatalogEntry*>& idle = peeling.idle;
  if (!idle.empty()) std::cout << "; " << ids(idle) << (idle.size() > 1 ? " play" : " plays") << " no part in it";
  std::cout << "\n";
  if (!peeling.rest) return;
  const PeelResult& peeled = *peeling.rest;
  std::cout << "with " << ids(causes.switches) << " off, exploring again:\n";
  std::vector<std::string> order{ids(causes.switches)};
  for (const PeeledFinding& finding : peeled.findings) {
    ShrinkResult shrunk = shrink(finding.spec, finding.counterexample);
    RunResult traced = execute(shrunk.spec, shrunk.run.choices, true, true);
    ExploreOptions round = o;
    round.bugs.clear();
    for (const CatalogEntry* entry : switches_on(finding.spec)) round.bugs.emplace_back(entry->id);
    std::string path = fresh_reproducer_path(round, Engine::exhaustive);
    bool saved = write_file(path, write_reproducer(reproducer_from_run(shrunk.spec, traced, "exhaustive")));
    const std::vector<const CatalogEntry*>& needed = finding.causes.switches;
    std::cout << "  " << (needed.empty() ? "(no switch)" : ids(needed)) << ": VIOLATION "
              << describe_violation(*traced.violation) << ", " << traced.steps << " steps\n    "
              << (saved ? "reproducer written to " + path : "cannot write " + path) << "\n";
    if (needed.empty()) {
      std::cout << "  it fails with every switch of that round off too: the fixed code fails here\n";
      return;
    }
    order.push_back(ids(needed));
  }
  if (!peeled.last.counterexample) {
    bool clean = peeled.last.stats.complete && peeled.last.stats.cut_off == 0;
    std::cout << "  " << ids(switches_on(peeled.last_spec)) << ": "
              << (clean ? "no violation; certified: " : "no violation; incomplete: ")
              << certificate(peeled.last_spec, peeled.last.stats, false) << "\n";
  }
  std::cout << "order: ";
  for (std::size_t i = 0; i < order.size(); ++i) std::cout << (i ? ", then " : "") << order[i];
  std::cout << (order.size() > 1 ? " (the first breaks the schedule above, every switch on; each next one was found "
                                   "with those before it off)\n"
                                 : " (the rest showed no violation once it was off)\n");
}

}  // namespace

namespace {

// "--max-faults is 0..100, got 1000"
std::string out_of_range(const char* flag, Range range, const std::string& got) {
  return std::string(flag) + " is " + std::to_string(range.lo) + ".." + std::to_string(range.hi) + ", got " + got;
}

}  // namespace

// Builds the run from the command line; returns an error message for anything unknown.
std::optional<std::string> build_spec(const ExploreOptions& o, RunSpec& spec) {
  const Scenario* scenario = find_scenario(o.scenario);
  if (!scenario) return "unknown scenario '" + o.scenario + "' (known: " + scenario_names() + ")";
  spec = RunSpec::defaults(*scenario);
  for (const std::string& id : o.bugs) {
    const CatalogEntry* entry = find_bug(id);
    if (!entry) return "unknown bug switch '" + id + "' (known: " + bug_names() + ")";
    if (auto why = unreachable_switch(*entry, *scenario)) return *why;
    set_switch(spec.bugs, *entry);
  }
  Params overrides;
  for (const std::string& kv : o.params) {
    std::size_t eq = kv.find('=');
    std::int64_t value = 0;
    const char* begin = kv.data() + (eq == std::string::npos ? 0 : eq + 1);
    auto [end, ec] = std::from_chars(begin, kv.data() + kv.size(), value);
    if (eq == std::string::npos || ec != std::errc() || end != kv.data() + kv.size()) {
      return "--param expects name=integer, got '" + kv + "'";
    }
    overrides[kv.substr(0, eq)] = value;
  }
  if (auto bad = merge_params(*scenario, overrides, spec.params)) return bad;
  for (const std::string& id : o.disabled_oracles) {
    auto oracle = parse_oracle(id);
    if (!oracle) return "unknown oracle '" + id + "' (O1..O10)";
    spec.oracles.set(*oracle, false);
  }
  // 0 (--max-depth) and -1 (the rest): not given, the scenario's default.
  auto outside = [](const char* flag, std::int64_t value, Range range, std::int64_t unset) -> std::optional<std::string> {
    if (value == unset || (value >= range.lo && value <= range.hi)) return std::nullopt;
    return out_of_range(flag, range, std::to_string(value));
  };
  if (auto bad = outside("--max-depth", o.max_depth, kMaxDepthRange, 0)) return bad;
  if (auto bad = outside("--max-preemptions", o.max_preemptions, kMaxPreemptionsRange, -1)) return bad;
  if (auto bad = outside("--max-faults", o.max_faults, kMaxFaultsRange, -1)) return bad;
  if (auto bad = outside("--max-app-actions", o.max_app_actions, kMaxAppActionsRange, -1)) return bad;
  if (o.max_depth > 0) spec.bounds.max_steps = static_cast<std::size_t>(o.max_depth);
  if (o.max_preemptions >= 0) spec.bounds.max_preemptions = static_cast<int>(o.max_preemptions);
  if (o.max_faults >= 0) spec.bounds.max_faults = static_cast<int>(o.max_faults);
  if (o.max_app_actions >= 0) spec.bounds.max_app_actions = static_cast<int>(o.max_app_actions);
  return std::nullopt;
}

std::optional<std::string> check_limits(const ExploreOptions& o) {
  auto within = [](std::uint64_t value, Range range) {
    return value >= static_cast<std::uint64_t>(range.lo) && value <= static_cast<std::uint64_t>(range.hi);
  };
  if (!within(o.max_schedules, kMaxSchedulesRange)) {
    return out_of_range("--max-schedules", kMaxSchedulesRange, std::to_string(o.max_schedules));
  }
  if (!within(o.split_depth, kSplitDepthRange)) {
    return out_of_range("--split-depth", kSplitDepthRange, std::to_string(o.split_depth));
  }
  return std::nullopt;
}

int run_list(bool json) {
  if (json) {
    nlohmann::json out;
    for (const Scenario* s : all_scenarios()) {
      nlohmann::json params = nlohmann::json::object();
      nlohmann::json ranges = nlohmann::json::object();
      for (const auto& [k, v] : s->default_params()) {
        params[k] = v;
        ParamRange range = s->param_range(k);
        ranges[k] = {{"min", range.min}, {"max", range.max}, {"unit", range.unit}};
      }
      out["scenarios"].push_back({{"name", s->name()}, {"family", s->family()},
                                  {"summary", s->summary()}, {"params", params},
                                  {"param_ranges", ranges}});
    }
    for (const CatalogEntry& e : catalog()) {
      nlohmann::json oracles = nlohmann::json::array();
      for (Oracle o : e.oracles) oracles.push_back(oracle_id(o));
      out["switches"].push_back({{"id", e.id}, {"component", e.component}, {"scenario", e.scenario},
                                 {"oracles", oracles}, {"mechanism", e.mechanism}, {"source", e.source}});
    }
    for (std::size_t i = 0; i < kOracleCount; ++i) {
      auto o = static_cast<Oracle>(i);
      out["oracles"].push_back({{"id", oracle_id(o)}, {"title", oracle_title(o)},
                                {"requirement", oracle_requirement(o)}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << "Scenarios:\n";
  for (const Scenario* s : all_scenarios()) {
    std::string params;
    for (const auto& [k, v] : s->default_params()) params += " " + describe_param(*s, k, v);
    std::printf("  %-20s %-18s %s\n%25s params:%s\n", std::string(s->name()).c_str(),
                std::string(s->family()).c_str(), std::string(s->summary()).c_str(), "",
                params.c_str());
  }
  std::cout << "\nBug switches (--bug ID):\n";
  for (const CatalogEntry& e : catalog()) {
    std::string oracles;
    for (Oracle o : e.oracles) oracles += (oracles.empty() ? "" : ", ") + std::string(oracle_id(o));
    std::printf("  %-12s %-18s scenario %-20s oracle %s\n%15s%s\n", std::string(e.id).c_str(),
                std::string(e.component).c_str(), std::string(e.scenario).c_str(), oracles.c_str(),
                "", std::string(e.mechanism).c_str());
  }
  std::cout << "\nOracles:\n";
  for (std::size_t i = 0; i < kOracleCount; ++i) {
    auto o = static_cast<Oracle>(i);
    std::printf("  %-4s %-22s %s\n", std::string(oracle_id(o)).c_str(),
                std::string(oracle_title(o)).c_str(), std::string(oracle_requirement(o)).c_str());
  }
  return 0;
}

int run_explore(const ExploreOptions& o) {
  RunSpec spec;
  if (auto bad = build_spec(o, spec)) return usage_error(*bad);
  Engine engine = Engine::exhaustive;
  if (!parse_engine(o.engine, engine)) {
    return usage_error("unknown engine '" + o.engine + "' (exhaustive, random, pct)");
  }
  if (engine != Engine::exhaustive && (!o.shard.empty() || o.jobs > 1 || o.json || o.replay || o.reduce || o.por ||
                                       o.no_defer)) {
    return usage_error("--shard, --jobs, --json, --replay, --reduce, --por and --no-defer are for the exhaustive engine");
  }
  if (!o.shard.empty() && o.jobs > 1) return usage_error("--shard and --jobs do not go together: a share runs on one thread");
  // Options that would change nothing here are refused rather than ignored.
  if (o.split_depth_given && o.shard.empty()) {
    return usage_error("--split-depth is for --shard: a single run explores the whole tree, and --jobs threads hand "
                       "each other work as they go, with no split");
  }
  if (o.no_defer && !o.reduce) return usage_error("--no-defer goes with --reduce: without it nothing is deferred");
  ExploreLimits limits;
  if (o.store_states == "every-step") {
    limits.storing = Storing::every_step;
  } else if (o.store_states == "between-batches") {
    limits.storing = Storing::between_batches;
  } else if (o.store_states == "where-branched") {
    limits.storing = Storing::where_branched;
  } else if (o.store_states != "auto") {
    return usage_error("--store-states takes auto, every-step, between-batches or where-branched, got '" +
                       o.store_states + "'");
  }
  if (limits.storing != Storing::automatic && !o.reduce) {
    return usage_error("--store-states goes with --reduce: without it no state is stored");
  }
  if (!o.shard.empty()) {
    if (auto bad = parse_shard(o.shard, limits.shard, limits.shards)) return usage_error(*bad);
  }
  limits.split_depth = o.split_depth;
  bool tty = isatty(STDERR_FILENO);
  ProgressFn progress = [tty](const ExploreStats& s) {
    if (!tty) return;
    std::fprintf(stderr, "\r  schedules %llu  steps %llu  depth %zu  %.0f schedules/s   ",
                 static_cast<unsigned long long>(s.schedules), static_cast<unsigned long long>(s.steps),
                 s.max_depth, s.seconds > 0 ? s.schedules / s.seconds : 0.0);
  };
  if (!o.json) {
    std::cout << "exploring " << spec.scenario->name() << " with the " << engine_name(engine)
              << " engine (" << spec.scenario->summary() << ")\n";
  }
  ExploreResult result;
  limits.max_schedules = o.max_schedules;
  limits.max_seconds = o.max_seconds;
  limits.reduce = o.reduce;
  limits.por = o.por;
  limits.checkpoints = !o.replay;
  limits.defer_environment = !o.no_defer;
  if (o.json) return print_exploration(o, spec, limits);
  if (engine == Engine::exhaustive && o.jobs > 1) {
    result = explore_parallel(spec, limits, o.jobs, progress);
  } else if (engine == Engine::exhaustive) {
    result = explore_exhaustive(spec, limits, progress);
  } else {
    SampleOptions sample;
    sample.engine = engine;
    sample.seed = o.seed;
    sample.max_runs = o.max_schedules;
    sample.max_seconds = o.max_seconds > 0 ? o.max_seconds : kSamplingSeconds;
    result = explore_sampling(spec, sample, progress);
  }
  if (tty) std::fprintf(stderr, "\r%80s\r", "");
  if (result.first_cut_off) {
    std::string choices;
    for (const ChoiceRecord& c : result.first_cut_off->choices) {
      choices += (choices.empty() ? "" : ",") + std::to_string(c.value);
    }
    std::cout << "note: " << result.stats.cut_off << " schedule(s) did not finish within "
              << spec.bounds.max_steps << " steps (liveness is not judged on those). See one with:\n"
              << "  loopcheck run " << spec.scenario->name() << " --choices " << choices << "\n";
  }
  if (std::string note = preemption_note(spec, result.stats); !note.empty()) std::cout << "note: " << note << "\n";
  if (!result.counterexample) {
    if (engine != Engine::exhaustive) {
      std::cout << "verdict: no violation in " << result.stats.schedules << " " << engine_name(engine)
                << " schedules (seed " << o.seed << "); sampling certifies nothing\n";
      return 0;
    }
    // A run cut off by the step bound was not judged for liveness: no certificate covers it.
    bool clean = result.stats.complete && result.stats.cut_off == 0;
    std::cout << "verdict: " << (clean ? "clean" : "incomplete") << "\n"
              << (clean ? "certified: " : "explored: ") << certificate(spec, result.stats, false) << "\n";
    return clean ? 0 : kIncomplete;
  }
  RunResult counterexample = *result.counterexample;
  std::string found_by(engine_name(engine));
  if (engine == Engine::exhaustive && !o.first) {
    ExploreResult shortest = shortest_counterexample(spec, limits);
    if (shortest.counterexample) counterexample = *shortest.counterexample;
  }
  ShrinkResult shrunk = shrink(spec, counterexample);
  RunResult traced = execute(shrunk.spec, shrunk.run.choices, true, true);
  std::cout << "verdict: VIOLATION " << describe_violation(*traced.violation) << "\n"
            << "found by " << found_by << " after " << result.stats.schedules << " schedules in "
            << result.stats.seconds << " s; shrunk in " << shrunk.attempts << " runs to "
            << traced.steps << " steps, " << traced.choices.size() << " choices\n\n";
  print_trace(traced, o.chart);
  Reproducer repro = reproducer_from_run(shrunk.spec, traced, found_by);
  std::string path = o.save.empty() ? fresh_reproducer_path(o, engine) : o.save;
  if (!write_file(path, write_reproducer(repro))) return usage_error("cannot write " + path);
  std::cout << "\nreproducer written to " << path << " (replay: " << program_name() << " replay "
            << path << ")\n";
  if (engine == Engine::exhaustive && limits.shards == 1 && switches_on(spec).size() > 1) {
    print_blame_and_peel(o, shrunk.spec, shrunk.run, limits);
  }
  return 1;
}

int run_replay(const ReplayOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return usage_error("cannot open reproducer " + o.file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = parse_reproducer(buffer.str());
  if (auto* error = std::get_if<ReproducerError>(&parsed)) {
    return usage_error(o.file + (error->line ? ":" + std::to_string(error->line) : "") + ": " +
                       error->message);
  }
  const Reproducer& repro = std::get<Reproducer>(parsed);
  auto spec_or_error = reproducer_spec(repro);
  if (auto* error = std::get_if<std::string>(&spec_or_error)) return usage_error(o.file + ": " + *error);
  const RunSpec& spec = std::get<RunSpec>(spec_or_error);
  RunResult run = execute(spec, repro.choices, !o.quiet, true);
  if (!o.quiet) print_trace(run, o.chart);
  if (run.divergence) {
    std::cout << "replay DIVERGED: " << *run.divergence << "\n";
    return 1;
  }
  std::string expected = repro.expect ? std::string(oracle_id(*repro.expect)) : "pass";
  std::string got = run.violation ? std::string(oracle_id(run.violation->oracle))
                                  : std::string(verdict_name(run.verdict));
  std::cout << "verdict: " << (run.violation ? "VIOLATION " + describe_violation(*run.violation) : got)
            << "\nexpected: " << expected << "\n";
  if (got != expected) {
    std::cout << "replay MISMATCH: expected " << expected << ", got " << got << "\n";
    return 1;
  }
  std::cout << "replay reproduced the recorded verdict\n";
  return 0;
}

int run_one(const RunOptions& o) {
  RunSpec spec;
  if (auto bad = build_spec(o.run, spec)) return usage_error(*bad);
  std::vector<ChoiceRecord> prefix;
  std::string_view rest = o.choices;
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view word = rest.substr(0, comma);
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc() || end != word.data() + word.size()) {
      return usage_error("--choices expects comma-separated integers, got '" + std::string(word) + "'");
    }
    prefix.push_back(ChoiceRecord{value, 0, ChoiceKind::deliver});
    rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
  }
  RunResult run = execute(spec, prefix, true);
  print_trace(run, o.run.chart);
  if (run.divergence) std::cout << "note: " << *run.divergence << "\n";
  // A reproducer records a pass or a violation; a cut-off run is neither, and its file would
  // never replay to what it says.
  if (!o.run.save.empty() && run.verdict == Verdict::cut_off) {
    std::cout << "reproducer not written: the step bound cut the run off (raise --max-depth)\n";
  } else if (!o.run.save.empty()) {
    if (!write_file(o.run.save, write_reproducer(reproducer_from_run(spec, run, "manual")))) {
      return usage_error("cannot write " + o.run.save);
    }
    std::cout << "reproducer written to " << o.run.save << "\n";
  }
  std::cout << "verdict: "
            << (run.violation ? "VIOLATION " + describe_violation(*run.violation)
                              : std::string(verdict_name(run.verdict)))
            << " after " << run.steps << " steps, " << run.choices.size() << " choices\n";
  // A run the step bound cut off proved nothing either way: incomplete, as explore says it.
  if (run.verdict == Verdict::cut_off) return kIncomplete;
  return run.verdict == Verdict::pass ? 0 : 1;
}

int run_hunt(bool json, bool added_only) {
  if (added_only && !added_anything()) return usage_error("--only-added: this program added no scenario or switch");
  HuntReport report = hunt(added_only);
  std::cout << (json ? hunt_json(report) : hunt_table(report));
  if (report.ok()) return 0;
  // Incomplete only when nothing failed outright: every bug found, no scenario violated.
  bool failed = std::any_of(report.bugs.begin(), report.bugs.end(), [](const BugHunt& b) { return !b.found; }) ||
                std::any_of(report.scenarios.begin(), report.scenarios.end(),
                            [](const ScenarioHunt& s) { return !s.clean && s.verdict != "incomplete"; });
  return failed ? 1 : kIncomplete;
}

}  // namespace loopcheck::cli

namespace loopcheck::cli {

int run_bench(bool json, bool added_only) {
  if (added_only && !added_anything()) return usage_error("--only-added: this program added no scenario or switch");
  std::vector<ScenarioBench> results = bench_all(added_only);
  if (json) {
    nlohmann::json out;
    out["scenarios"] = nlohmann::json::array();
    for (const ScenarioBench& b : results) {
      out["scenarios"].push_back({{"name", b.scenario->name()},
                                  {"events_per_second", b.events_per_second},
                                  {"schedules_per_second", b.schedules_per_second},
                                  {"schedules_plain", b.schedules_plain},
                                  {"schedules_fingerprint", b.schedules_fingerprint},
                                  {"schedules_por", b.schedules_por},
                                  {"schedules_reduced", b.schedules_reduced}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  int width = 20;
  for (const ScenarioBench& b : results) width = std::max(width, static_cast<int>(b.scenario->name().size()));
  std::printf("%-*s %12s %12s %10s %10s %10s %10s %8s\n", width, "scenario", "events/s", "schedules/s",
              "plain", "por", "fingerpr.", "both", "ratio");
  for (const ScenarioBench& b : results) {
    std::printf("%-*s %12.0f %12.0f %10llu %10llu %10llu %10llu %7.1fx\n", width,
                std::string(b.scenario->name()).c_str(), b.events_per_second, b.schedules_per_second,
                static_cast<unsigned long long>(b.schedules_plain),
                static_cast<unsigned long long>(b.schedules_por),
                static_cast<unsigned long long>(b.schedules_fingerprint),
                static_cast<unsigned long long>(b.schedules_reduced),
                b.schedules_reduced ? static_cast<double>(b.schedules_plain) / b.schedules_reduced : 0.0);
  }
  return 0;
}

}  // namespace loopcheck::cli
