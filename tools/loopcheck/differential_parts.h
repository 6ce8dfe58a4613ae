// What `loopcheck real differential`'s two runs (the stream and the datagram transport) share:
// the script's numbers and their checks, the payload both sides compute alike, asyncio's names
// for errors, and the record of what reached the loop's exception handler.
#pragma once

#include <cstddef>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "src/core/bytes.h"
#include "src/core/error.h"
#include "src/core/loop.h"
#include "tools/loopcheck/real_world.h"

namespace loopcheck::cli::differential {

using nlohmann::json;

// AF_UNIX and loopback deliver at once, so a fixed number of non-blocking loop iterations
// settles the world between two steps (CPython's side runs as many).
constexpr int kSettleIterations = 20;
constexpr std::size_t kMaxStepBytes = 1 << 20;
constexpr std::size_t kMaxSteps = 1000;

inline void settle(RealWorld& world) {
  for (int i = 0; i < kSettleIterations; ++i) world.loop->run_once(0);
}

// Byte i of a stream (or of a datagram's numbering) is 'a' + i % 26, on both sides.
inline Bytes payload(std::size_t offset, std::size_t n) {
  Bytes out(n, '\0');
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (offset + i) % 26);
  return out;
}

// asyncio's exception classes for the errors a transport hands its protocol: the class an
// error names itself ("ConnectionError: Connection is closed by peer", "InvalidStateError:
// invalid state"), else the one its errno maps to.
inline std::string kind_of(const std::optional<Error>& error) {
  if (!error) return "None";
  const std::string& text = error->message;
  std::size_t colon = text.find(':');
  if (colon != std::string::npos && colon > 5 && text.compare(colon - 5, 5, "Error") == 0 &&
      text.find(' ') > colon) {
    return text.substr(0, colon);
  }
  switch (error->code) {
    case Errc::connection_reset: return "ConnectionResetError";
    case Errc::broken_pipe: return "BrokenPipeError";
    case Errc::connection_aborted: return "ConnectionAbortedError";
    case Errc::connection_refused: return "ConnectionRefusedError";
    case Errc::protocol_error: return "ProtocolError";
    default: return std::string(errc_name(error->code));
  }
}

// What reaches the loop's exception handler goes into the record too (CPython's side sets a
// handler that does the same).
class ExceptionRecorder final : public LoopObserver {
 public:
  explicit ExceptionRecorder(json& events) : events_(events) {}
  void on_callback(const Tag&) override {}
  void on_exception(const ExceptionContext& context) override {
    events_.push_back({{"loop_exception", kind_of(context.error)}});
  }

 private:
  json& events_;
};

// The record both runs keep: every protocol callback in order, with the one-shot hooks a script
// sets (a step to run inside the next call of a callback, recorded after it).
struct CallbackRecord {
  std::function<std::string(const json&)> act;  // runs a step (set by the run)
  json events = json::array();
  std::map<std::string, json> hooks;  // callback name -> its step, once
  bool lost = false;                  // connection_lost has come

  void note(json event, const char* callback = nullptr) {
    events.push_back(std::move(event));
    if (!callback) return;
    auto it = hooks.find(callback);
    if (it == hooks.end()) return;
    json step = it->second;
    hooks.erase(it);
    std::string result = act(step);
    events.push_back({{"hook", step.value("do", "")}, {"result", result}});
  }
};

// One script from the transport's construction on: a settle, then each step with a settle after
// it and the state `state` gives (the step's result added), then an abort of whatever is still
// open (abort_open), and the record printed as JSON. What reaches the loop's exception handler
// is recorded too.
inline int play(RealWorld& world, const json& script, CallbackRecord& record,
                const std::function<json()>& state, const std::function<void()>& abort_open) {
  ExceptionRecorder recorder(record.events);
  world.loop->set_observer(&recorder);
  settle(world);
  json steps = json::array();
  for (const json& step : script["steps"]) {
    std::string result = record.act(step);
    settle(world);
    json snapshot = state();
    snapshot["result"] = result;
    steps.push_back(std::move(snapshot));
  }
  if (!record.lost) {
    abort_open();  // the end of every script: nothing may be left open
    settle(world);
  }
  world.loop->set_observer(nullptr);
  json out = {{"events", record.events}, {"steps", steps}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

// The script's steps, checked before anything runs: each a known kind, its numbers whole and in
// range, a hook's callback one of `callbacks` and its act a step (not another hook).
inline std::optional<std::string> check_steps(const json& script, const std::set<std::string>& kinds,
                                              const std::set<std::string>& callbacks) {
  if (script["steps"].size() > kMaxSteps) return "at most " + std::to_string(kMaxSteps) + " steps";
  std::function<std::optional<std::string>(const json&, std::size_t)> check =
      [&](const json& step, std::size_t i) -> std::optional<std::string> {
    std::string where = "step " + std::to_string(i);
    if (!step.is_object() || !step.contains("do") || !step["do"].is_string()) return where + ": needs a \"do\"";
    std::string what = step["do"];
    if (!kinds.count(what)) return where + ": unknown step '" + what + "'";
    for (const char* key : {"n", "high", "low", "parts"}) {
      if (step.contains(key) && (!step[key].is_number_unsigned() || step[key].get<std::size_t>() > kMaxStepBytes)) {
        return where + ": " + key + " must be a whole number up to " + std::to_string(kMaxStepBytes);
      }
    }
    for (const char* key : {"native", "value"}) {
      if (step.contains(key) && !step[key].is_boolean()) return where + ": " + key + " must be true or false";
    }
    if (what != "hook") return std::nullopt;
    if (!step.contains("on") || !step["on"].is_string() || !callbacks.count(step["on"].get<std::string>())) {
      std::string names;
      for (const std::string& name : callbacks) names += (names.empty() ? "" : ", ") + name;
      return where + ": a hook's \"on\" is one of " + names;
    }
    if (!step.contains("act")) return where + ": a hook needs an \"act\"";
    if (step["act"].value("do", "") == "hook") return where + ": a hook cannot set a hook";
    return check(step["act"], i);
  };
  for (std::size_t i = 0; i < script["steps"].size(); ++i) {
    if (auto problem = check(script["steps"][i], i)) return problem;
  }
  return std::nullopt;
}

// `real differential` on the datagram transport (real_differential_datagram.cc).
int run_datagram(RealWorld& world, const json& script);

}  // namespace loopcheck::cli::differential
