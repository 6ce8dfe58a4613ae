// The catalog's switches, as seen by the state machines. Each is off by default and is read at
// the one place where the historical fix lives. Metadata (mechanism, oracle, scenario) lives in
// model/oracles/catalog; src/ only needs to know whether a switch is on. A user's own catalog
// (a protocol checked with loopcheck as a library) names its switches by id instead: the enum
// is for the built-in ones, which the transports read at their hot paths.
#pragma once

#include <bitset>
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace loopcheck {

enum class Bug : std::size_t {
  dgram_drain,
  bpo_27223,
  gh_156512,
  bpo_38471,
  gh_91227,
  bpo_33694,
  bpo_44428,
  twisted_11020,
  bpo_32710,
  bpo_33674,
  bpo_29743,
  asyncio_472,
  bpo_29406,
  bpo_30698,
  bpo_45159,
  sslproto_flush_abort,
  gh_109051,
  gh_142352,
  sslproto_lost_handshake,
  reactor_sslsocket,
  sslproto_paused_finished,
  proactor_eof_twice,
  gh_155888,
  gh_103462,
  gh_150107,
  sendfile_close_hang,
  kCount,
};

class BugSet {
 public:
  bool on(Bug bug) const { return bits_.test(static_cast<std::size_t>(bug)); }
  void set(Bug bug, bool value = true) { bits_.set(static_cast<std::size_t>(bug), value); }
  // A user's switch, by the id its catalog entry gives it.
  bool on(std::string_view id) const {
    return std::find(named_.begin(), named_.end(), id) != named_.end();
  }
  void set(std::string_view id, bool value = true) {
    auto it = std::find(named_.begin(), named_.end(), id);
    if (value && it == named_.end()) named_.emplace_back(id);
    if (!value && it != named_.end()) named_.erase(it);
  }
  bool none() const { return bits_.none() && named_.empty(); }

 private:
  std::bitset<static_cast<std::size_t>(Bug::kCount)> bits_;
  std::vector<std::string> named_;
};

}  // namespace loopcheck
