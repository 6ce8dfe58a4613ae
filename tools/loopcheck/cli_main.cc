// loopcheck_main: the command line of the stock CLI and of every user's own binary. It adds the
// program's scenarios and switches to the registry, then parses and dispatches.
#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/engines/visited_states.h"
#include "model/oracles/catalog.h"
#include "model/scenarios/registry.h"
#include "model/world/world.h"
#include "tools/loopcheck/cli.h"
#include "tools/loopcheck/commands.h"
#include "tools/loopcheck/real_tls.h"
#include "tools/loopcheck/real_world.h"

namespace {

// Every number on the command line is read whole, as the exact type it lands in, and checked
// against its range: no truncation, no wrap, no "0 means the default". CLI11 runs validators on
// the text before it converts, so a value that fails here never reaches the options.
CLI::Validator whole_in(long long minimum, long long maximum) {
  return CLI::Validator(
      [minimum, maximum](std::string& text) -> std::string {
        long long value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size() && value >= minimum && value <= maximum) {
          return {};
        }
        return "must be a whole number in [" + std::to_string(minimum) + ", " + std::to_string(maximum) +
               "], got '" + text + "'";
      },
      "INT in [" + std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
}

// The transport families a real experiment runs: those of the subcommand that was given.
std::vector<std::string_view> real_families(
    std::initializer_list<std::pair<CLI::App*, std::vector<std::string_view>>> experiments) {
  for (const auto& [command, families] : experiments) {
    if (*command) return families;
  }
  return {};
}

// Why a switch is out of an experiment's reach: it lives in a family the experiment never runs.
std::optional<std::string> foreign_to(const loopcheck::CatalogEntry& entry,
                                      const std::vector<std::string_view>& families) {
  const loopcheck::Scenario* home = loopcheck::find_scenario(entry.scenario);
  if (!home) return std::nullopt;
  for (std::string_view family : families) {
    if (family == home->family()) return std::nullopt;
  }
  std::string runs;
  for (std::string_view family : families) runs += (runs.empty() ? "" : ", ") + std::string(family);
  return "it lives in the " + std::string(home->family()) + " family, and this experiment runs " + runs +
         " only: it would run the fixed code";
}

// A seed: any 64-bit unsigned number, written in decimal.
CLI::Validator whole_u64() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        unsigned long long value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size()) return {};
        return "must be a whole number in [0, 18446744073709551615], got '" + text + "'";
      },
      "UINT64");
}

// Seconds: a finite number in (0, maximum].
CLI::Validator seconds_up_to(double maximum) {
  return CLI::Validator(
      [maximum](std::string& text) -> std::string {
        double value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(value) && value > 0 &&
            value <= maximum) {
          return {};
        }
        return "must be a number of seconds in (0, " + std::to_string(static_cast<long long>(maximum)) +
               "], got '" + text + "'";
      },
      "SECONDS");
}

// The program's own name, as a user would type it: the last part of argv[0].
std::string program_of(int argc, char** argv) {
  std::string path = argc > 0 && argv[0] && *argv[0] ? argv[0] : "loopcheck";
  std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int dispatch(int argc, char** argv);

}  // namespace

namespace loopcheck {

int loopcheck_main(int argc, char** argv, const std::vector<const Scenario*>& scenarios,
                   const std::vector<CatalogEntry>& switches) {
  set_program_name(program_of(argc, argv));
  for (const Scenario* scenario : scenarios) {
    if (!scenario) {
      std::fprintf(stderr, "%s: a null scenario was passed to loopcheck_main\n", program_name().c_str());
      return 2;
    }
    if (auto bad = add_scenario(*scenario)) {
      std::fprintf(stderr, "%s: %s\n", program_name().c_str(), bad->c_str());
      return 2;
    }
  }
  for (const CatalogEntry& entry : switches) {
    if (auto bad = add_catalog_entry(entry)) {
      std::fprintf(stderr, "%s: %s\n", program_name().c_str(), bad->c_str());
      return 2;
    }
    if (!find_scenario(entry.scenario)) {
      std::fprintf(stderr, "%s: switch '%s' names scenario '%s', which this program does not have\n",
                   program_name().c_str(), std::string(entry.id).c_str(), std::string(entry.scenario).c_str());
      return 2;
    }
  }
  try {
    return dispatch(argc, argv);
  } catch (const SetupError& e) {
    std::fprintf(stderr, "%s: the scenario cannot be run: %s\n", program_name().c_str(), e.what());
    return 2;
  }
}

}  // namespace loopcheck

namespace {

int dispatch(int argc, char** argv) {
  using namespace loopcheck::cli;
  CLI::App app{loopcheck::program_name() + ": model checking for event-loop transports"};
  app.name(loopcheck::program_name());
  app.require_subcommand(1);

  bool list_json = false;
  auto* list = app.add_subcommand("list", "list scenarios, bug switches and oracles");
  list->add_flag("--json", list_json, "print JSON");

  ExploreOptions explore_options;
  auto* explore = app.add_subcommand("explore", "explore every schedule of a scenario within bounds");
  explore->add_option("scenario", explore_options.scenario, "scenario name (see list)")->required();
  explore->add_option("--bug", explore_options.bugs, "turn a catalog bug switch on (repeatable)");
  explore->add_option("--param", explore_options.params, "override a scenario parameter: name=value");
  explore->add_option("--max-depth", explore_options.max_depth, "steps per run (default: scenario's)")
      ->check(whole_in(kMaxDepthRange.lo, kMaxDepthRange.hi));
  explore->add_option("--max-preemptions", explore_options.max_preemptions,
                      "preemption bound (up to 4000: one above any run's choices never binds)")
      ->check(whole_in(kMaxPreemptionsRange.lo, kMaxPreemptionsRange.hi));
  explore->add_option("--max-faults", explore_options.max_faults, "fault bound")
      ->check(whole_in(kMaxFaultsRange.lo, kMaxFaultsRange.hi));
  explore->add_option("--max-app-actions", explore_options.max_app_actions,
                      "app action bound (adversarial apps)")
      ->check(whole_in(kMaxAppActionsRange.lo, kMaxAppActionsRange.hi));
  explore->add_option("--max-schedules", explore_options.max_schedules, "stop after this many schedules")
      ->check(whole_in(kMaxSchedulesRange.lo, kMaxSchedulesRange.hi));
  explore->add_option("--engine", explore_options.engine, "exhaustive (default), random or pct");
  explore->add_option("--seed", explore_options.seed, "seed for the random and pct engines")->check(whole_u64());
  explore->add_option("--max-seconds", explore_options.max_seconds,
                      "time limit (random and pct: 30 s unless given; exhaustive: none unless given, and a run it stops is incomplete)")
      ->check(seconds_up_to(86400));
  explore->add_option("--disable-oracle", explore_options.disabled_oracles, "switch an oracle off (O1..O10)");
  explore->add_option("--save", explore_options.save, "where to write the reproducer");
  explore->add_option("--save-dir", explore_options.save_dir,
                       "folder for the reproducer, under a name no other run of this folder has taken");
  explore->add_flag("--first", explore_options.first, "report the first violation, not the shortest");
  explore->add_flag("--reduce", explore_options.reduce, "prune states already explored (fingerprints)");
  explore->add_flag("--por", explore_options.por, "partial-order reduction (sleep sets)");
  explore->add_flag("--no-defer", explore_options.no_defer,
                    "with --reduce: never let peers, links and completions wait while the loop has work");
  explore->add_option("--store-states", explore_options.store_states,
                      "with --reduce: auto (default: every-step until " +
                          std::to_string(loopcheck::VisitedStates::kKeepAllBelow) +
                          " states are kept, then where-branched), every-step, between-batches (not between two "
                          "callbacks of a batch) or "
                      "where-branched (between batches, and in a batch after a choice in it branched): fewer "
                      "states and probes, maybe more runs; docs/PERFORMANCE.md");
  explore->add_flag("--replay", explore_options.replay,
                    "run every schedule from a fresh world instead of a saved one (same result, slower)");
  explore->add_flag("--chart", explore_options.chart, "print the trace as a sequence chart");
  explore->add_option("--shard", explore_options.shard,
                      "explore share I of N (I/N): the tree's subtrees dealt round robin; join with merge");
  CLI::Option* split_depth = explore->add_option("--split-depth", explore_options.split_depth,
                                                 "branching choices that key a subtree for --shard (default 16)")
                                  ->check(whole_in(kSplitDepthRange.lo, kSplitDepthRange.hi));
  explore->add_option("--jobs", explore_options.jobs, "explore on this many threads (exhaustive; the single run's certificate, or with --reduce its verdict, the threads sharing one state cache)")
      ->check(whole_in(kJobsRange.lo, kJobsRange.hi));
  explore->add_flag("--json", explore_options.json, "print the result as JSON (no trace, no reproducer)");

  MergeOptions merge_options;
  auto* merge = app.add_subcommand("merge", "join the JSON of explore --shard I/N --json into one certificate");
  merge->add_option("files", merge_options.files, "every share's JSON, once")->required();
  merge->add_flag("--json", merge_options.json, "print the merged result as JSON");

  ReplayOptions replay_options;
  auto* replay = app.add_subcommand("replay", "replay a reproducer file and check its verdict");
  replay->add_option("file", replay_options.file, "reproducer file")->required();
  replay->add_flag("--quiet", replay_options.quiet, "print only the verdict");
  replay->add_flag("--chart", replay_options.chart, "print the trace as a sequence chart");

  RunOptions run_options;
  auto* run = app.add_subcommand("run", "run one schedule of a scenario and print its trace");
  run->add_option("scenario", run_options.run.scenario, "scenario name (see list)")->required();
  run->add_option("--bug", run_options.run.bugs, "turn a catalog bug switch on (repeatable)");
  run->add_option("--param", run_options.run.params, "override a scenario parameter: name=value");
  run->add_option("--max-depth", run_options.run.max_depth, "steps (default: scenario's)")
      ->check(whole_in(kMaxDepthRange.lo, kMaxDepthRange.hi));
  run->add_option("--choices", run_options.choices, "comma-separated choice values; the rest default to 0");
  run->add_flag("--chart", run_options.run.chart, "print the trace as a sequence chart");
  run->add_option("--save", run_options.run.save, "write this run as a reproducer");

  bool bench_json = false;
  bool bench_added = false;
  auto* bench = app.add_subcommand("bench", "measure events/s, schedules/s and the reduction, per scenario");
  bench->add_flag("--json", bench_json, "print JSON");
  bench->add_flag("--only-added", bench_added, "only the scenarios this program added");

  // real: the same transports on real sockets (epoll, loopback, AF_UNIX).
  auto* real = app.add_subcommand("real", "run an experiment on real sockets");
  real->require_subcommand(1);
  std::vector<std::string> real_bugs;
  // A real run's time bound: one that comes while data still moves is incomplete, never a failure.
  const char* const kSecondsHelp = "time bound (out of time with data moving: incomplete, exit 3)";
  DrainOptions drain_options;
  auto* drain = real->add_subcommand("dgram-drain", "AF_UNIX datagram server closed right after a fast sender");
  drain->add_option("--bug", real_bugs, "turn a catalog bug switch on (dgram-drain)");
  drain->add_option("--count", drain_options.count, "datagrams to send per run")->check(whole_in(1, 1000000));
  drain->add_option("--runs", drain_options.runs, "how many times to run it")->check(whole_in(1, 100000));
  drain->add_flag("--io-uring", drain_options.io_uring, "serve with the proactor transport on io_uring");
  drain->add_option("--seconds", drain_options.seconds, kSecondsHelp)
      ->check(whole_in(1, 3600));
  EchoOptions echo_options;
  auto* echo = real->add_subcommand("echo", "TCP loopback echo with pause/resume and checksums");
  echo->add_option("--bug", real_bugs, "turn a catalog bug switch on");
  echo->add_option("--bytes", echo_options.bytes, "bytes to send (each way)")->check(whole_in(1, 1LL << 34));
  echo->add_option("--pause-every", echo_options.pause_every_ms, "toggle client reading every MS (0: never)")
      ->check(whole_in(0, 60000));
  echo->add_option("--read-size", echo_options.read_size, "the most one recv asks for (asyncio's max_size: 262144)")
      ->check(whole_in(1, 1 << 24));
  echo->add_option("--seconds", echo_options.seconds, kSecondsHelp)
      ->check(whole_in(1, 3600));

  RaceOptions race_options;
  auto* race = real->add_subcommand("race-echo", "bpo-33694's pause/cancel race on io_uring: loopback echo, bytes lost");
  race->add_option("--bug", real_bugs, "turn a catalog bug switch on (bpo-33694)");
  race->add_option("--packets", race_options.packets, "writes the client makes")->check(whole_in(1, 10000000));
  race->add_option("--size", race_options.size, "bytes per write")->check(whole_in(1, 64 * 1024));
  race->add_option("--pause-every", race_options.pause_every_ms, "toggle client reading every MS")->check(whole_in(1, 60000));
  race->add_option("--runs", race_options.runs, "how many times to run it")->check(whole_in(1, 100000));
  race->add_option("--read-size", race_options.read_size, "bytes each recv asks for (asyncio's buffer_size: 65536)")
      ->check(whole_in(1, 1 << 24));
  race->add_option("--seconds", race_options.seconds, kSecondsHelp)
      ->check(whole_in(1, 3600));

  // TLS: the SSL protocol on real sockets, both ends here or one end a foreign peer.
  TlsOptions tls_options;
  const CLI::Validator tls_version(
      [](std::string& v) -> std::string {
        if (v == "1.2" || v == "12") v = "12";
        else if (v == "1.3" || v == "13") v = "13";
        else return "TLS version must be 1.2 or 1.3, got '" + v + "'";
        return {};
      },
      "1.2|1.3");
  auto tls_common = [&](CLI::App* cmd) {
    cmd->add_option("--bug", real_bugs, "turn a catalog bug switch on");
    cmd->add_option("--tls", tls_options.version, "TLS version: 1.2 or 1.3")
        ->transform(tls_version);
    cmd->add_flag("--proactor", tls_options.overlapped, "ProactorStream on io_uring instead of SelectorStream on epoll");
  };
  auto* tls_echo = real->add_subcommand("tls-echo", "SSL protocol client and server on loopback: echo, close_notify both ways");
  tls_common(tls_echo);
  tls_echo->add_option("--bytes", tls_options.bytes, "bytes to send (each way)")->check(whole_in(1, 1LL << 34));
  tls_echo->add_option("--pause-every", tls_options.pause_every_ms, "toggle client reading every MS (0: never)")
      ->check(whole_in(0, 60000));
  tls_echo->add_option("--seconds", tls_options.seconds, kSecondsHelp)
      ->check(whole_in(1, 3600));
  auto* tls_serve = real->add_subcommand("tls-serve", "a TLS echo server for one foreign client on 127.0.0.1");
  tls_common(tls_serve);
  tls_serve->add_option("--seconds", tls_options.peer_seconds, kSecondsHelp)->check(whole_in(1, 3600));
  tls_serve->add_option("--port", tls_options.port, "port (0: any; the one taken is printed)")->check(whole_in(0, 65535));
  tls_serve->add_option("--cert-dir", tls_options.cert_dir, "folder with cert.pem and key.pem (see tls-certs)")->required();
  tls_serve->add_option("--bytes", tls_options.bytes, "close after echoing this many bytes (0: when the client closes)")
      ->check(whole_in(0, 1LL << 34));
  tls_serve->add_flag("--starttls", tls_options.starttls,
                      "greet in plaintext (\"220 ready to start TLS\\r\\n\"), then upgrade with start_tls");
  auto* tls_connect = real->add_subcommand("tls-connect", "a TLS echo client for a foreign server on 127.0.0.1");
  tls_common(tls_connect);
  tls_connect->add_option("--seconds", tls_options.peer_seconds, kSecondsHelp)->check(whole_in(1, 3600));
  tls_connect->add_option("--port", tls_options.port, "the server's port")->required()->check(whole_in(1, 65535));
  tls_connect->add_option("--ca", tls_options.ca_file, "the CA certificate (PEM) to trust")->required();
  tls_connect->add_option("--bytes", tls_options.bytes, "bytes to send, all of which must come back")
      ->check(whole_in(1, 1LL << 34));
  tls_connect->add_option("--pause-every", tls_options.pause_every_ms, "toggle reading every MS (0: never)")
      ->check(whole_in(0, 60000));
  StartTlsOptions start_tls_options;
  auto* start_tls = real->add_subcommand("start-tls", "seed 000 on io_uring: greeting, a slow step, start_tls; bytes lost?");
  start_tls->add_option("--bug", real_bugs, "turn a catalog bug switch on (bpo-33694, bpo-33674)");
  start_tls->add_option("--tls", start_tls_options.version, "TLS version: 1.2 or 1.3")
      ->transform(tls_version);
  start_tls->add_option("--hello", start_tls_options.hello, "the server's plaintext greeting (bytes)")
      ->check(whole_in(1, 1 << 20));
  start_tls->add_option("--bytes", start_tls_options.bytes, "bytes the client sends over TLS, echoed back")
      ->check(whole_in(1, 1 << 24));
  start_tls->add_option("--step-us", start_tls_options.step_us, "how long the server's step takes before start_tls")
      ->check(whole_in(0, 1000000));
  start_tls->add_option("--runs", start_tls_options.runs, "how many times to run it")->check(whole_in(1, 10000));
  ReactorRunOptions reactor_options;
  auto* reactor = real->add_subcommand("reactor", "seed 001: a database driver's startup over TLS 1.3 (READY, or why not)");
  reactor->add_option("--bug", real_bugs, "turn a catalog bug switch on (reactor-sslsocket)");
  reactor->add_option("--runs", reactor_options.runs, "how many times to connect")->check(whole_in(1, 10000));
  reactor->add_option("--connect-timeout-ms", reactor_options.connect_timeout_ms, "the driver's connect timeout")
      ->check(whole_in(1, 600000));
  auto* reactor_port = reactor->add_option("--port", reactor_options.port, "a server on 127.0.0.1 (0: loopcheck's own)")
      ->check(whole_in(0, 65535));
  reactor->add_option("--ca", reactor_options.ca_file, "with --port: the server's CA certificate (PEM)")
      ->needs(reactor_port);
  tls_connect->add_flag("--starttls", tls_options.starttls,
                        "wait for the plaintext greeting, then upgrade with start_tls");
  CloseNoNotifyOptions close_options;
  auto* close_no_notify = real->add_subcommand(
      "close-no-notify", "seed 004: close() on a TLS transport whose peer never answers close_notify");
  close_no_notify->add_option("--bug", real_bugs, "turn a catalog bug switch on (bpo-29406)");
  close_no_notify->add_option("--shutdown-timeout-ms", close_options.shutdown_timeout_ms,
                              "the client's SSL shutdown timeout")
      ->check(whole_in(1, 120000));
  close_no_notify->add_option("--bytes", close_options.bytes, "the request written before close()")
      ->check(whole_in(1, 1 << 24));
  std::string differential_script;
  auto* differential = real->add_subcommand(
      "differential", "run a script of transport calls on SelectorStream over epoll; print what happened (JSON)");
  differential->add_option("--script", differential_script, "the script (JSON; see tests/differential/run.py)")
      ->required();
  auto* tls_certs = real->add_subcommand("tls-certs", "write a CA, a certificate for localhost and its key (P-256)");
  tls_certs->add_option("--dir", tls_options.cert_dir, "folder to write ca.pem, cert.pem, key.pem into")->required();

  LoadOptions load_options;
  auto* load = real->add_subcommand("load", "many loopback echo connections, some reset mid-stream");
  load->add_option("--bug", real_bugs, "turn a catalog bug switch on");
  load->add_option("--connections", load_options.connections, "concurrent connections")->check(whole_in(1, 100000));
  load->add_option("--bytes", load_options.bytes, "bytes each way per connection")->check(whole_in(2, 1LL << 30));
  load->add_option("--reset-percent", load_options.reset_percent, "connections reset mid-stream (%)")
      ->check(whole_in(0, 100));
  load->add_option("--seed", load_options.seed, "seed for pause periods and which connections reset")
      ->check(whole_u64());
  load->add_option("--seconds", load_options.seconds, kSecondsHelp)->check(whole_in(1, 3600));
  load->add_option("--window", load_options.window,
                   "bytes a client may write ahead of its echo (0: as far as flow control lets it)")
      ->check(whole_in(0, 1 << 30));
  load->add_option("--pause-min-ms", load_options.pause_min_ms, "shortest period of a client's pause/resume toggle")
      ->check(whole_in(1, 60000));
  load->add_option("--pause-max-ms", load_options.pause_max_ms, "longest period of a client's pause/resume toggle")
      ->check(whole_in(1, 60000));

  bool hunt_json = false;
  bool hunt_added = false;
  auto* hunt = app.add_subcommand("hunt", "find every catalog bug and certify every fixed scenario");
  hunt->add_flag("--json", hunt_json, "print JSON");
  hunt->add_flag("--only-added", hunt_added, "only the switches and scenarios this program added");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (*list) return run_list(list_json);
  if (*explore) {
    explore_options.split_depth_given = split_depth->count() > 0;
    return run_explore(explore_options);
  }
  if (*merge) return run_merge(merge_options);
  if (*replay) return run_replay(replay_options);
  if (*run) return run_one(run_options);
  if (*bench) return run_bench(bench_json, bench_added);
  if (*real) {
    loopcheck::BugSet bugs;
    for (const std::string& id : real_bugs) {
      const loopcheck::CatalogEntry* entry = loopcheck::find_bug(id);
      if (!entry) {
        std::fprintf(stderr, "loopcheck: unknown bug switch '%s'\n", id.c_str());
        return 2;
      }
      loopcheck::set_switch(bugs, *entry);
    }
    // A switch the experiment's code never reaches would run the fixed code under its name.
    const std::vector<std::string_view> families = real_families(
        {{drain, {"selector datagram"}},
         {echo, {"selector stream"}},
         {load, {"selector stream"}},
         {race, {"proactor stream"}},
         {tls_echo, {"ssl protocol", tls_options.overlapped ? "proactor stream" : "selector stream"}},
         {tls_serve, {"ssl protocol", "start tls", tls_options.overlapped ? "proactor stream" : "selector stream"}},
         {tls_connect, {"ssl protocol", "start tls", tls_options.overlapped ? "proactor stream" : "selector stream"}},
         {start_tls, {"start tls", "ssl protocol", "proactor stream"}},
         {close_no_notify, {"ssl protocol", "selector stream"}},
         {reactor, {"tls reactor", "ssl protocol", "selector stream"}}});
    for (const std::string& id : real_bugs) {
      if (auto why = foreign_to(*loopcheck::find_bug(id), families)) {
        std::fprintf(stderr, "loopcheck: --bug %s: %s\n", id.c_str(), why->c_str());
        return 2;
      }
    }
    if (*drain) return real_dgram_drain(bugs, drain_options);
    if (*load) return real_load(bugs, load_options);
    if (*race) return real_race_echo(bugs, race_options);
    if (*tls_echo) return real_tls_echo(bugs, tls_options);
    if (*tls_serve) return real_tls_serve(bugs, tls_options);
    if (*tls_connect) return real_tls_connect(bugs, tls_options);
    if (*tls_certs) return real_tls_certs(tls_options);
    if (*start_tls) return real_start_tls(bugs, start_tls_options);
    if (*close_no_notify) return real_close_no_notify(bugs, close_options);
    if (*differential) return real_differential(differential_script);
    if (*reactor) {
      if (reactor_options.port != 0 && reactor_options.ca_file.empty()) {
        std::fprintf(stderr, "loopcheck: real reactor --port needs --ca (the server's CA certificate)\n");
        return 2;
      }
      return real_reactor(bugs, reactor_options);
    }
    return real_echo(bugs, echo_options);
  }
  return run_hunt(hunt_json, hunt_added);
}

}  // namespace
